"""Screens of this area (see docs/web.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
