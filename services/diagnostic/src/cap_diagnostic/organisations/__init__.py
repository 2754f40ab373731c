"""Organisations: the read model of the member structures, and the scope it gives lists."""
