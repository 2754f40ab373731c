"""The gateway's own operations declare what they answer (issue 15 item 11): every error is
problem+json, declared as such, with the statuses the edge, the access check, validation and
form parsing really give."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from cap_gateway.edge import UNLIMITED
from cap_gateway.openapi import PROBLEM_SCHEMA
from cap_shared.testing.auth import create_user, sign_in

PROBLEM = "application/problem+json"


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


async def test_every_error_is_declared_as_problem_json(client) -> None:
    document = client._transport.app.openapi()  # type: ignore[attr-defined]
    assert "HTTPValidationError" not in str(document)
    assert document["components"]["schemas"]["Problem"] == PROBLEM_SCHEMA
    for method, path, operation in operations(document):
        responses = operation["responses"]
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                if path == "/v1/auth/authorize" and "text/html" in response["content"]:
                    continue  # the sign-in page answers its errors as a page, for a person
                assert list(response["content"]) == [PROBLEM], (method, path, status)
        if path not in UNLIMITED:
            assert "429" in responses, (method, path)
        if "requestBody" in operation:
            assert {"413", "422"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
    token = document["paths"]["/v1/auth/token"]["post"]["responses"]
    revoke = document["paths"]["/v1/auth/revoke"]["post"]["responses"]
    assert {"400", "401", "413", "422", "429"} <= set(token)
    assert {"400", "413", "422", "429"} <= set(revoke)


async def test_errors_really_answered_are_the_ones_declared(gateway_factory) -> None:
    client, _ = await gateway_factory(max_body_bytes=2048, rate_limit_anonymous="1000/minute")
    document = client._transport.app.openapi()  # type: ignore[attr-defined]
    admin = await sign_in(client)
    committee = await create_user(client, admin, role="committee")
    multipart = {"content-type": "multipart/form-data; boundary=x"}
    calls: list[tuple[str, str, str, dict[str, Any], int]] = [
        ("post", "/v1/auth/token", "/v1/auth/token", {"data": {}}, 422),
        ("post", "/v1/auth/token", "/v1/auth/token", {"data": {"grant_type": "zzz"}}, 400),
        (
            "post",
            "/v1/auth/token",
            "/v1/auth/token",
            {"data": {"grant_type": "client_credentials"}},
            401,
        ),
        ("post", "/v1/auth/token", "/v1/auth/token", {"content": b"x", "headers": multipart}, 400),
        ("post", "/v1/auth/revoke", "/v1/auth/revoke", {"data": {}}, 422),
        (
            "post",
            "/v1/auth/revoke",
            "/v1/auth/revoke",
            {"content": b"x", "headers": multipart},
            400,
        ),
        (
            "post",
            "/v1/auth/revoke",
            "/v1/auth/revoke",
            {"data": {"token": "t" * 4000}},
            413,
        ),
        ("post", "/v1/invitations/accept", "/v1/invitations/accept", {"json": {}}, 422),
        ("get", "/v1/users", "/v1/users", {}, 401),
        ("get", "/v1/users", "/v1/users", {"params": {"limit": 1000}, "headers": admin}, 422),
        ("get", "/v1/users", "/v1/users", {"headers": committee}, 403),
        ("get", "/v1/users", "/v1/users", {"params": {"cursor": "zz"}, "headers": admin}, 400),
        (
            "post",
            "/v1/me/password",
            "/v1/me/password",
            {"json": {"current_password": "no", "new_password": "x" * 12}, "headers": committee},
            400,
        ),
        ("get", "/v1/users/{user_id}", "/v1/users/nobody", {"headers": admin}, 404),
        ("get", "/v1/users/{user_id}", "/v1/users/%00", {"headers": admin}, 404),
        (
            "get",
            "/v1/ops/gateway/signing-keys",
            "/v1/ops/gateway/signing-keys",
            {"headers": committee},
            403,
        ),
    ]
    for method, template, path, kwargs, expected in calls:
        response = await client.request(method.upper(), path, **kwargs)
        assert response.status_code == expected, (method, path, response.text)
        declared = document["paths"][template][method]["responses"]
        assert str(expected) in declared, (method, template, expected)
        assert response.headers["content-type"] in declared[str(expected)]["content"]
        jsonschema.validate(response.json(), PROBLEM_SCHEMA)


@pytest.mark.parametrize("path", ["/.well-known/jwks.json", "/v1/auth/revoke"])
async def test_the_rate_limit_answer_is_declared(gateway_factory, path) -> None:
    client, _ = await gateway_factory(rate_limit_anonymous="1/minute")
    document = client._transport.app.openapi()  # type: ignore[attr-defined]
    method = "get" if path.startswith("/.well-known") else "post"
    kwargs: dict[str, Any] = {} if method == "get" else {"data": {"token": "x" * 43}}
    await client.request(method.upper(), path, **kwargs)
    limited = await client.request(method.upper(), path, **kwargs)
    assert limited.status_code == 429
    assert PROBLEM in document["paths"][path][method]["responses"]["429"]["content"]
    jsonschema.validate(limited.json(), PROBLEM_SCHEMA)
