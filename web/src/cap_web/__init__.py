"""The CAP web console: server-rendered French screens over the public ``/v1`` API."""
