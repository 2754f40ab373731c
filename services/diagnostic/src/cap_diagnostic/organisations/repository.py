"""Queries on the organisation read model: the scope of a caller's lists.

The rows themselves are kept by :func:`cap_shared.readmodel.organisation_projection` and read
with :class:`cap_shared.readmodel.ReadModelRepository`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from cap_diagnostic.models import Organisation


def in_scope(
    column: Any, *, organisation_ids: Sequence[str] | None, regions: Sequence[str] | None
) -> sa.ColumnElement[bool] | None:
    """Rows whose organisation ``column`` is in the scope (None: everything)."""
    if organisation_ids is None and regions is None:
        return None
    scope: sa.ColumnElement[bool] = column.in_(organisation_ids or [])
    if regions:
        in_region = sa.select(col(Organisation.id)).where(col(Organisation.region).in_(regions))
        scope = sa.or_(scope, column.in_(in_region))
    return scope
