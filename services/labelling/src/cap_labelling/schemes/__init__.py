"""The scheme parameters as the labelling service reads them (read-only: they are files)."""
