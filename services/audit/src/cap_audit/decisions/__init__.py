"""The certification decision a body sends on a CAP ISO 9001 file."""
