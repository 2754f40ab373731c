"""Certification bodies, their auditors, qualifications and engagements."""
