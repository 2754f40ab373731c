"""Audit evaluations: a CAP RSE audit report's evaluated maturity, recorded as the auditor's
diagnostic of each audited site."""
