"""The auditor's screens (``/auditeur``): their audits by status and date, an audit's plan, the
on-site checklist with the evaluated maturity, findings with evidence, the report uploaded and
signed, and the structure's answers to nonconformities reviewed.

Everything comes from the public API as the auditor calls it: the audits it lets them see are
those of their certification body where they are on the team.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
