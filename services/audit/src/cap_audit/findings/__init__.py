"""Findings of audits and the answers to nonconformities."""
