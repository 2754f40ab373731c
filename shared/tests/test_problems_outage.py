"""An API whose database is unreachable answers 503 problem+json with Retry-After, never 500.

Errors a restarting PostgreSQL gives that SQLAlchemy does not mark as disconnects (57P03 while it
starts, 57P01 while it stops, too many connections) and a pool timeout are outages too; a bug is
still a 500. Against a really stopped server: tests/faults/test_postgres_faults.py.
"""

from __future__ import annotations

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from cap_shared.problems import PROBLEM_TYPE_BASE, install_problem_handlers


class _DriverError(Exception):
    """The dialect's generic DB-API error, raised from asyncpg's."""


def _from_asyncpg(error: BaseException) -> sa.exc.DBAPIError:
    driver = _DriverError(str(error))
    driver.__cause__ = error
    wrapped = sa.exc.DBAPIError.instance("SELECT 1", None, driver, _DriverError)
    wrapped.__cause__ = driver
    assert isinstance(wrapped, sa.exc.DBAPIError)
    return wrapped


RAISED = {
    "starting up (57P03)": lambda: _from_asyncpg(
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
    ),
    "admin shutdown (57P01)": lambda: _from_asyncpg(
        asyncpg.exceptions.AdminShutdownError("terminating connection")
    ),
    "too many connections": lambda: _from_asyncpg(
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already")
    ),
    "pool timeout": lambda: sa.exc.TimeoutError("QueuePool limit of size 2 overflow 2 reached"),
    "refused": lambda: ConnectionRefusedError(111, "Connect call failed"),
}


def _app(error: BaseException) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/thing")
    async def thing() -> None:
        raise error

    return app


async def _get(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/thing")


@pytest.mark.parametrize("name", list(RAISED))
async def test_an_unreachable_database_is_503_with_retry_after(name: str) -> None:
    response = await _get(_app(RAISED[name]()))
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["type"] == PROBLEM_TYPE_BASE + "dependency-unavailable"


async def test_a_failure_of_the_query_is_still_a_500() -> None:
    error = _from_asyncpg(asyncpg.exceptions.DivisionByZeroError("division by zero"))
    response = await _get(_app(error))
    assert response.status_code == 500
    assert response.json()["type"] == PROBLEM_TYPE_BASE + "internal-error"
