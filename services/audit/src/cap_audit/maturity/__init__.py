"""The maturity evaluated at CAP RSE audits."""
