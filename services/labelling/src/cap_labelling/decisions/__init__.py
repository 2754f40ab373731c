"""Decision files: the labelling committee's decision (CAP RSE) or the body's (CAP ISO 9001)."""
