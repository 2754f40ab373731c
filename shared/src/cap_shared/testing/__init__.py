"""Test helpers shared by every package's tests (never imported by production code)."""
