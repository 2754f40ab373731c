"""Events as tests deliver them to a service's handlers (built from the shared contracts)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from cap_shared import clock
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1, GroupScoreV1, ReferentialRef

CORE_SUBJECTS = ("6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8")


def group_score(group: str, code: str, score: int | None) -> GroupScoreV1:
    """One group's score, as scoring publishes it (one criterion rated)."""
    return GroupScoreV1(
        group=group,
        code=code,
        name=code,
        score=score,
        band=None,
        rated=1,
        not_applicable=0,
        total=1,
    )


def rse_evaluation(
    organisation_id: str,
    overall: int,
    subjects: Mapping[str, int | None] | int,
    *,
    completed_at: datetime | None = None,
    version: int = 1,
) -> DiagnosticCompletedV1:
    """A completed CAP RSE evaluation: overall score and ISO 26000 core-subject scores (one
    score for every subject, or a mapping)."""
    scores = dict.fromkeys(CORE_SUBJECTS, subjects) if isinstance(subjects, int) else subjects
    return DiagnosticCompletedV1(
        diagnostic_id=str(uuid.uuid4()),
        organisation_id=organisation_id,
        kind="self_assessment",
        referential=ReferentialRef(
            urn="urn:coorace:referentiel:cap-rse", code="CAP_RSE", version=version
        ),
        completed_at=completed_at or clock.now(),
        overall=group_score("overall", "CAP_RSE", overall),
        themes=[],
        frameworks={"iso26000": [group_score("iso26000", c, v) for c, v in scores.items()]},
        criteria=[],
    )
