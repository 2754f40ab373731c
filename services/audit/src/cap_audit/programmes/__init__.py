"""Audit programmes: the audits expected over a certification cycle."""
