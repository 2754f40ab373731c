"""Inbound events of the diagnostic service."""
