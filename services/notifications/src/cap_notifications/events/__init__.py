"""Inbound events of the notifications service."""
