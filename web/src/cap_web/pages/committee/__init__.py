"""The labelling committee's screens (``/comite``): the queue of decision files, one file with
the level the rule computed and why, the impartiality checks, the decision and its history, and
the appeals.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
