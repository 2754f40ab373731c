"""Complaints about listed recognitions, handled by the labelling committee."""
