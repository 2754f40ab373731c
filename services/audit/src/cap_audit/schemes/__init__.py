"""The scheme parameters this service loads, recorded in its audit trail when they change."""
