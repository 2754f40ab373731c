"""Facilitators of a CAP session, as platform accounts (published with its completion)."""
