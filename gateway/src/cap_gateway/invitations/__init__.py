"""Invitations: a person invited by e-mail joins with a role."""
