"""Consent of the structures named in a group application."""
