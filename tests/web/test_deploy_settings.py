"""The console outside development: real secrets required, cookies only over HTTPS, and the
same client secret as the gateway's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from cap_shared.settings import PLACEHOLDER_SECRETS
from cap_web.__main__ import main as cap_web_main
from cap_web.app import close_console, create_app, open_console
from cap_web.config import Settings

SECRETS = {"client_secret": "a" * 40, "secret_key": "b" * 40}


@pytest.mark.parametrize("name", ["client_secret", "secret_key"])
@pytest.mark.parametrize("placeholder", sorted(PLACEHOLDER_SECRETS))
def test_production_refuses_a_placeholder_secret(name: str, placeholder: str) -> None:
    settings = Settings(environment="production", **{**SECRETS, name: placeholder})
    with pytest.raises(ValueError, match=f"WEB_{name.upper()} must be set"):
        create_app(settings)


def test_cap_web_refuses_to_start_in_production_with_the_default_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEB_ENVIRONMENT", "production")
    monkeypatch.delenv("WEB_CLIENT_SECRET", raising=False)
    monkeypatch.delenv("WEB_SECRET_KEY", raising=False)
    monkeypatch.setattr("sys.argv", ["cap-web", "serve"])
    with pytest.raises(ValueError, match="must be set outside development"):
        cap_web_main()


def test_development_accepts_the_placeholders() -> None:
    create_app(Settings(environment="development"))
    create_app(Settings(environment="test"))


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = Settings(
        environment="production",
        public_base_url="https://cap.example.com",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        **SECRETS,
    )
    app = create_app(settings, manage=False)
    await open_console(app)
    try:
        yield app
    finally:
        await close_console(app)


async def test_production_cookies_are_secure(production: FastAPI) -> None:
    transport = httpx.ASGITransport(app=production)
    async with httpx.AsyncClient(transport=transport, base_url="https://cap.example.com") as web:
        front = await web.get("/")
        assert front.status_code == 200
        started = await web.get("/connexion", params={"next": "/"})
    assert started.status_code == 303
    assert started.headers["location"].startswith("https://cap.example.com/v1/auth/authorize?")
    cookies = [*front.headers.get_list("set-cookie"), *started.headers.get_list("set-cookie")]
    assert {c.split("=", 1)[0] for c in cookies} >= {"cap_csrf", "cap_signin"}
    for cookie in cookies:
        flags = [f.strip().lower() for f in cookie.split(";")[1:]]
        assert "secure" in flags, cookie
        assert "httponly" in flags, cookie
        assert "samesite=lax" in flags, cookie
