"""Imports of the recognitions structures already hold (CSV) and the IAF CertSearch export."""
