"""Inbound events of the labelling service."""
