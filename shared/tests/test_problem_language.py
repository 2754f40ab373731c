"""Problems in the client's language: French titles and details for ``Accept-Language: fr``."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from cap_shared.problems import (
    NotFound,
    ProblemLanguageMiddleware,
    install_problem_handlers,
    language_of,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("fr", "fr"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB, fr;q=0.5", "en"),
        ("de-DE, fr;q=0.4", "fr"),
        ("de", "en"),
        ("en;q=0.2, fr;q=0.8", "fr"),
        ("fr;q=abc, en", "en"),
        ("fr;q=7", "en"),
        ("*", "en"),
        ("fr;q=0", "en"),
    ],
)
def test_language_negotiation(header: str | None, expected: str) -> None:
    assert language_of(header) == expected


def app() -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)
    application.add_middleware(ProblemLanguageMiddleware)

    @application.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        if thing_id == 1:
            raise NotFound("no thing 1", detail_fr="aucune chose n° 1")
        if thing_id == 2:
            raise NotFound("no thing 2")
        return {"id": thing_id}

    return application


async def test_problems_follow_accept_language() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        english = await client.get("/things/1")
        french = await client.get("/things/1", headers={"Accept-Language": "fr-FR"})
        untranslated = await client.get("/things/2", headers={"Accept-Language": "fr"})
        invalid = await client.get("/things/x", headers={"Accept-Language": "fr"})
        unknown = await client.get("/nowhere", headers={"Accept-Language": "fr"})
    assert english.json()["title"] == "Resource not found"
    assert english.json()["detail"] == "no thing 1"
    assert english.headers["content-language"] == "en"
    assert french.json()["title"] == "Ressource introuvable"
    assert french.json()["detail"] == "aucune chose n° 1"
    assert french.headers["content-language"] == "fr"
    assert "accept-language" in french.headers["vary"].lower()
    # No French detail written: no English sentence in a French answer.
    assert untranslated.json()["title"] == "Ressource introuvable"
    assert "detail" not in untranslated.json()
    assert invalid.status_code == 422
    assert invalid.json()["title"] == "Requête invalide"
    assert unknown.status_code == 404
    assert unknown.json()["title"] == "Introuvable"
