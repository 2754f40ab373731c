"""Sign-in for apps (issue 16): authorization code + PKCE and OpenID Connect, proven with a real
client library (Authlib's httpx client, joserfc for the id_token), not the platform's code.

The test plays the app with Authlib (discovery, authorization URL, token exchange, userinfo)
and the person's browser with httpx (the French page, its anti-forgery token, the redirect).
"""

from __future__ import annotations

import re
import secrets
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from cap_gateway.config import Settings
from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD

pytestmark = [
    # Authlib points at its future httpx2 integration; the httpx one is today's (1.9).
    pytest.mark.filterwarnings("ignore:The httpx module is deprecated"),
    # RFC 9864 names the algorithm "Ed25519"; the platform's keys still say "EdDSA".
    pytest.mark.filterwarnings("ignore:EdDSA is deprecated"),
]

BASE = "http://cap.test"
LOOPBACK = "http://127.0.0.1:53682/oauth/callback"  # RFC 8252: any port of a registered one
MOBILE_SCHEME = "fr.coorace.cap:/oauth/callback"
CONSOLE = f"{BASE}/console/callback"
_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
async def gateway(gateway_factory: Any) -> tuple[httpx.AsyncClient, Any]:
    result: tuple[httpx.AsyncClient, Any] = await gateway_factory(public_base_url=BASE)
    return result


def _app(client: httpx.AsyncClient, **options: Any) -> AsyncOAuth2Client:
    """The app: Authlib's client, on the same in-process transport as the test's browser."""
    return AsyncOAuth2Client(
        transport=client._transport,  # the gateway app, in process
        scope="openid profile email",
        code_challenge_method="S256",
        **options,
    )


def _form(page: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in _FIELD.findall(page)}


async def _browser_sign_in(
    browser: httpx.AsyncClient,
    url: str,
    *,
    email: str = DEV_ADMIN_EMAIL,
    password: str = DEV_ADMIN_PASSWORD,
) -> httpx.Response:
    """Open the authorization URL like a browser, fill the form in, post it (no redirect)."""
    page = await browser.get(url)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    form = _form(page.text)
    assert form["csrf_token"]
    return await browser.post(
        "/v1/auth/authorize", data={**form, "email": email, "password": password}
    )


async def _authorize(
    client: httpx.AsyncClient, app: AsyncOAuth2Client, redirect_uri: str
) -> tuple[str, str, str, str]:
    """(authorization response URL, code verifier, nonce, state) through the browser."""
    metadata = (await client.get("/.well-known/openid-configuration")).json()
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = app.create_authorization_url(
        metadata["authorization_endpoint"],
        code_verifier=verifier,
        nonce=nonce,
        redirect_uri=redirect_uri,
    )
    async with httpx.AsyncClient(transport=client._transport, base_url=BASE) as browser:
        answer = await _browser_sign_in(browser, url)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"], verifier, nonce, state


class TestWithARealClientLibrary:
    async def test_a_mobile_app_signs_in_with_code_and_pkce_and_reads_userinfo(
        self, gateway
    ) -> None:
        client, _runtime = gateway
        discovery = await client.get("/.well-known/openid-configuration")
        assert discovery.status_code == 200
        metadata = discovery.json()
        assert metadata["issuer"] == BASE
        assert metadata["code_challenge_methods_supported"] == ["S256"]
        assert metadata["response_types_supported"] == ["code"]
        assert metadata["authorization_endpoint"] == f"{BASE}/v1/auth/authorize"
        rfc8414 = (await client.get("/.well-known/oauth-authorization-server")).json()
        assert rfc8414 == metadata

        app = _app(client, client_id="cap-mobile", token_endpoint_auth_method="none")
        location, verifier, nonce, state = await _authorize(client, app, LOOPBACK)
        assert location.startswith(LOOPBACK + "?")
        returned = parse_qs(urlsplit(location).query)
        assert returned["state"] == [state]
        assert returned["iss"] == [BASE]  # RFC 9207

        token = await app.fetch_token(
            metadata["token_endpoint"],
            authorization_response=location,
            state=state,
            code_verifier=verifier,
            redirect_uri=LOOPBACK,
        )
        assert token["token_type"] == "Bearer"
        assert token["refresh_token"]
        assert token["scope"] == "openid profile email"

        info = await app.get(metadata["userinfo_endpoint"])
        assert info.status_code == 200, info.text
        person = info.json()
        assert person["email"] == DEV_ADMIN_EMAIL
        assert person["email_verified"] is True
        assert person["roles"] == [{"role": "admin"}]
        assert person["organisations"] == []

        keys = KeySet.import_key_set((await client.get(metadata["jwks_uri"])).json())
        id_token = jose_jwt.decode(token["id_token"], keys, algorithms=["EdDSA"])
        jose_jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": "cap-mobile"},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True, "value": person["sub"]},
            auth_time={"essential": True},
            exp={"essential": True},
        ).validate(id_token.claims)
        assert id_token.claims["email"] == DEV_ADMIN_EMAIL

        # The access token works on the API, and Authlib refreshes it.
        me = await app.get(f"{BASE}/v1/me")
        assert me.status_code == 200
        refreshed = await app.refresh_token(metadata["token_endpoint"])
        assert refreshed["access_token"] != token["access_token"]

    @pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
    async def test_the_web_console_authenticates_with_its_secret(self, gateway, method) -> None:
        client, _runtime = gateway
        metadata = (await client.get("/.well-known/openid-configuration")).json()
        assert method in metadata["token_endpoint_auth_methods_supported"]
        app = _app(
            client,
            client_id="cap-console",
            client_secret="dev-console-secret",
            token_endpoint_auth_method=method,
        )
        location, verifier, _nonce, state = await _authorize(client, app, CONSOLE)
        token = await app.fetch_token(
            metadata["token_endpoint"],
            authorization_response=location,
            state=state,
            code_verifier=verifier,
            redirect_uri=CONSOLE,
        )
        claims = jose_jwt.decode(
            token["id_token"],
            KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json()),
            algorithms=["EdDSA"],
        ).claims
        assert claims["aud"] == "cap-console"

        # Without its secret, the confidential client is refused.
        location, verifier, _nonce, _state = await _authorize(client, app, CONSOLE)
        code = parse_qs(urlsplit(location).query)["code"][0]
        refused = await client.post(
            "/v1/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CONSOLE,
                "code_verifier": verifier,
                "client_id": "cap-console",
            },
        )
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"


async def _code(client: httpx.AsyncClient, redirect_uri: str = MOBILE_SCHEME) -> tuple[str, str]:
    app = _app(client, client_id="cap-mobile", token_endpoint_auth_method="none")
    location, verifier, _nonce, _state = await _authorize(client, app, redirect_uri)
    assert location.startswith(redirect_uri)
    return parse_qs(urlsplit(location).query)["code"][0], verifier


def _exchange(code: str, verifier: str, redirect_uri: str = MOBILE_SCHEME) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": "cap-mobile",
    }


class TestRefusals:
    async def test_a_wrong_verifier_is_invalid_grant(self, gateway) -> None:
        client, _runtime = gateway
        code, _verifier = await _code(client)
        answer = await client.post(
            "/v1/auth/token", data=_exchange(code, secrets.token_urlsafe(48))
        )
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"

    async def test_a_replayed_code_is_refused_and_revokes_the_first_tokens(self, gateway) -> None:
        client, _runtime = gateway
        code, verifier = await _code(client)
        first = await client.post("/v1/auth/token", data=_exchange(code, verifier))
        assert first.status_code == 200, first.text
        tokens = first.json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (await client.get("/v1/auth/userinfo", headers=bearer)).status_code == 200

        replay = await client.post("/v1/auth/token", data=_exchange(code, verifier))
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"
        refresh = await client.post(
            "/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        assert refresh.status_code == 400
        assert refresh.json()["error"] == "invalid_grant"
        assert (await client.get("/v1/auth/userinfo", headers=bearer)).status_code == 401

    async def test_an_expired_code_or_another_redirect_uri_is_invalid_grant(self, gateway) -> None:
        client, runtime = gateway
        code, verifier = await _code(client)
        other = await client.post(
            "/v1/auth/token", data=_exchange(code, verifier, "fr.coorace.cap:/elsewhere")
        )
        assert other.json()["error"] == "invalid_grant"
        runtime.settings.authorization_code_ttl_s = 10
        code, verifier = await _code(client)
        import sqlalchemy as sa

        from cap_gateway.models import AuthorizationCode

        async with runtime.db.session() as session:
            await session.execute(
                sa.update(AuthorizationCode).values(
                    expires_at=sa.func.now() - sa.text("interval '1 second'")
                )
            )
        late = await client.post("/v1/auth/token", data=_exchange(code, verifier))
        assert late.status_code == 400
        assert late.json()["error"] == "invalid_grant"

    async def test_an_unregistered_redirect_uri_shows_an_error_page_and_never_redirects(
        self, gateway
    ) -> None:
        client, _runtime = gateway
        challenge = create_s256_code_challenge(secrets.token_urlsafe(48))
        for params in (
            {"client_id": "cap-mobile", "redirect_uri": "https://evil.example/callback"},
            {"client_id": "cap-mobile", "redirect_uri": "http://localhost:8080/oauth/callback"},
            {"client_id": "cap-mobile", "redirect_uri": "fr.coorace.cap:/oauth/callback/x"},
            {"client_id": "cap-console", "redirect_uri": "http://127.0.0.1:9/console/callback"},
            {"client_id": "unknown-app", "redirect_uri": MOBILE_SCHEME},
        ):
            query = {
                "response_type": "code",
                "scope": "openid",
                "state": "s",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                **params,
            }
            page = await client.get("/v1/auth/authorize", params=query)
            assert page.status_code == 400, params
            assert "location" not in page.headers
            assert 'lang="fr"' in page.text
            assert 'role="alert"' in page.text
            assert "<form" not in page.text
            # Posting the form directly does not redirect there either.
            posted = await client.post(
                "/v1/auth/authorize",
                data={**query, "email": DEV_ADMIN_EMAIL, "password": "x", "csrf_token": "1.x"},
            )
            assert posted.status_code == 400
            assert "location" not in posted.headers

    async def test_plain_pkce_and_a_missing_challenge_are_refused_at_the_redirect_uri(
        self, gateway
    ) -> None:
        client, _runtime = gateway
        verifier = secrets.token_urlsafe(48)
        base = {
            "response_type": "code",
            "client_id": "cap-mobile",
            "redirect_uri": MOBILE_SCHEME,
            "scope": "openid",
            "state": "xyz",
        }
        for extra in (
            {"code_challenge": verifier, "code_challenge_method": "plain"},
            {"code_challenge": create_s256_code_challenge(verifier)},  # method defaults to plain
            {},
        ):
            answer = await client.get("/v1/auth/authorize", params={**base, **extra})
            assert answer.status_code == 302, extra
            returned = parse_qs(urlsplit(answer.headers["location"]).query)
            assert returned["error"] == ["invalid_request"]
            assert returned["state"] == ["xyz"]
        unknown = await client.get(
            "/v1/auth/authorize",
            params={
                **base,
                "scope": "openid admin",
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            },
        )
        assert parse_qs(urlsplit(unknown.headers["location"]).query)["error"] == ["invalid_scope"]

    async def test_the_form_refuses_a_wrong_password_and_a_forged_token_in_french(
        self, gateway
    ) -> None:
        client, _runtime = gateway
        app = _app(client, client_id="cap-mobile")
        url, _state = app.create_authorization_url(
            f"{BASE}/v1/auth/authorize",
            code_verifier=secrets.token_urlsafe(48),
            redirect_uri=MOBILE_SCHEME,
        )
        async with httpx.AsyncClient(transport=client._transport, base_url=BASE) as browser:
            wrong = await _browser_sign_in(browser, url, password="not the password")
            assert wrong.status_code == 400
            assert "location" not in wrong.headers
            assert "mot de passe incorrect" in wrong.text
            assert 'lang="fr"' in wrong.text
            assert wrong.headers["x-frame-options"] == "DENY"
            page = await browser.get(url)
            form = _form(page.text)
            forged = await browser.post(
                "/v1/auth/authorize",
                data={
                    **form,
                    "csrf_token": form["csrf_token"][:-2] + "00",
                    "email": DEV_ADMIN_EMAIL,
                    "password": DEV_ADMIN_PASSWORD,
                },
            )
            assert forged.status_code == 400
            assert "Le formulaire a expiré" in forged.text
            # Another browser (no cookie) cannot post this browser's form.
        async with httpx.AsyncClient(transport=client._transport, base_url=BASE) as other:
            stolen = await other.post(
                "/v1/auth/authorize",
                data={**form, "email": DEV_ADMIN_EMAIL, "password": DEV_ADMIN_PASSWORD},
            )
            assert stolen.status_code == 400
            assert "location" not in stolen.headers

    async def test_the_page_escapes_what_it_is_given(self, gateway) -> None:
        client, _runtime = gateway
        app = _app(client, client_id="cap-mobile")
        url, _state = app.create_authorization_url(
            f"{BASE}/v1/auth/authorize",
            code_verifier=secrets.token_urlsafe(48),
            redirect_uri=MOBILE_SCHEME,
            state='"><script>alert(1)</script>',
        )
        page = await client.get(url)
        assert page.status_code == 200
        assert "<script>" not in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]


class TestPasswordGrantInProduction:
    def test_it_is_on_in_development_and_off_in_production(self) -> None:
        assert Settings().password_grant is True
        production = Settings(
            environment="production", key_encryption_secret="k" * 32, bootstrap_admin=False
        )
        assert production.password_grant is False
        assert Settings(
            environment="production",
            key_encryption_secret="k" * 32,
            bootstrap_admin=False,
            password_grant_enabled=True,
        ).password_grant

    async def test_production_answers_unsupported_grant_type(self, gateway_factory) -> None:
        client, _runtime = await gateway_factory(
            environment="production",
            key_encryption_secret="k" * 32,
            bootstrap_admin_password="p" * 20,
            console_client_secret="c" * 32,
        )
        answer = await client.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": DEV_ADMIN_EMAIL, "password": "p" * 20},
        )
        assert answer.status_code == 400
        assert answer.json()["error"] == "unsupported_grant_type"
        metadata = (await client.get("/.well-known/openid-configuration")).json()
        assert "password" not in metadata["grant_types_supported"]


async def test_the_public_base_url_makes_the_issuer_and_every_metadata_url(
    gateway_factory,
) -> None:
    client, _runtime = await gateway_factory(public_base_url="https://cap.coorace.org/")
    metadata = (await client.get("/.well-known/openid-configuration")).json()
    assert metadata["issuer"] == "https://cap.coorace.org"
    for key, value in metadata.items():
        if key.endswith(("_endpoint", "_uri")):
            assert value.startswith("https://cap.coorace.org/"), key
    served, _ = await gateway_factory(port=8123)
    assert (await served.get("/.well-known/openid-configuration")).json()[
        "issuer"
    ] == "http://127.0.0.1:8123"


def test_the_standalone_platform_gives_every_part_its_own_public_address() -> None:
    """Served on another port, every part says that port: issuer, links, certificates."""
    from pathlib import Path

    from cap_standalone.platform import PARTS, Platform, StandaloneSettings

    platform = Platform(StandaloneSettings(data_dir=Path("/nonexistent"), port=8123))
    for name, part in PARTS.items():
        settings = platform._service_settings(part.settings, name)
        assert settings.public_base == "http://127.0.0.1:8123", name
        assert settings.issuer == "http://127.0.0.1:8123", name
    chosen = Platform(
        StandaloneSettings(data_dir=Path("/nonexistent"), public_base_url="https://cap.example")
    )
    assert chosen._service_settings(PARTS["labelling"].settings, "labelling").public_base == (
        "https://cap.example"
    )


def test_registered_clients_and_their_exact_redirect_uris() -> None:
    from cap_gateway.auth.oauth import registered_clients

    clients = registered_clients(
        Settings(
            public_base_url="https://cap.example/",
            oauth_clients=[
                {
                    "client_id": "cap-spa",
                    "name": "Tableau de bord",
                    "redirect_uris": ["{public_base_url}/dashboard/callback"],
                }
            ],
        )
    )
    mobile, console, spa = clients["cap-mobile"], clients["cap-console"], clients["cap-spa"]
    assert mobile.public
    assert spa.public
    assert not console.public
    assert console.allows_redirect("https://cap.example/console/callback")
    assert spa.allows_redirect("https://cap.example/dashboard/callback")
    assert mobile.allows_redirect("http://127.0.0.1:61234/oauth/callback")
    assert mobile.allows_redirect("http://[::1]:61234/oauth/callback")
    for refused in (
        "http://127.0.0.1:61234/oauth/callback/",
        "http://127.0.0.1:61234/oauth/callback?x=1",
        "http://127.0.0.1.evil.example:80/oauth/callback",
        "http://localhost:61234/oauth/callback",
        "https://127.0.0.1:61234/oauth/callback",
        "fr.coorace.cap:/oauth/callback#frag",
        "FR.COORACE.CAP:/oauth/callback",
    ):
        assert not mobile.allows_redirect(refused), refused
    assert not console.allows_redirect("https://cap.example:444/console/callback")
    # Outside development, the placeholder secret does not register the console.
    production = registered_clients(
        Settings(environment="production", key_encryption_secret="k" * 32, bootstrap_admin=False)
    )
    assert "cap-console" not in production
    assert "cap-mobile" in production
