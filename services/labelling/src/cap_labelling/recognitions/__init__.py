"""Recognitions: CAP RSE labels and CAP ISO 9001 certificates, their lifecycle and history."""
