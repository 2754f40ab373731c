"""Inbound events of the audit service."""
