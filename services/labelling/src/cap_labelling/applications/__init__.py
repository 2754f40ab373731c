"""Applications for the CAP RSE label or the CAP ISO 9001 certification."""
