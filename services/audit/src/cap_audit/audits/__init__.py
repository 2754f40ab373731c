"""Audits: requested, planned, carried out, reported and closed."""
