"""Diagnostics: opening, rating, scoring, completing, migrating, and the restitution report."""
