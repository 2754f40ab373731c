"""The catalogue of problem types: every error the platform answers, by code (RFC 9457)."""
