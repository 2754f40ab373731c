"""Tenant isolation's database backstop: PostgreSQL row-level security on organisation columns.

Every table with an ``organisation_id`` column (and, for a group's files, a ``group_member_ids``
JSON list of organisation ids) gets one policy, :data:`POLICY`, that admits a row when the
transaction's scope allows it. The scope is two transaction-local settings, set once when a
session's transaction begins (one ``set_config`` round trip):

* ``cap.organisations``: ``*`` (every row), or the comma-separated organisations of the caller;
* ``cap.regions``: the regions the caller facilitates (a row is admitted when its organisation
  is in one of them, per the service's ``organisation`` read model).

Who gets what (:func:`scope_of`): a person holding only member, member_admin or facilitator
roles is scoped to their organisations and regions, as the services' own rules
(``Principal.may_see_organisation``) scope them; every other role (admin, committee, auditor, a
certification body's client) reads across organisations by design and is decided by the
service layer alone, as are public routes. Code outside a request (consumers, relays, periodic
jobs, start-up steps) runs with the system scope ``*``. A transaction that set nothing (a
connection not opened by :class:`cap_shared.db.Database`) sees no tenant row: the policy fails
closed.

The services connect as a role that does not own the tables, so the policy applies to them (no
``FORCE`` needed) and they cannot alter, drop or disable it; ``migrate`` connects as the owner,
runs the migrations, then :func:`apply` (policies, the runtime role and its grants), in one
transaction. SQLite (the standalone topology, one process, one tenant boundary in code) has no
row-level security: everything here is a no-op there.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import logging
import os
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.db.pgconnection import ScopedConnection, literal
from cap_shared.security.deps import PUBLIC_ROUTE
from cap_shared.security.principal import ORGANISATION_ROLES, REGION_ROLES, Principal

logger = logging.getLogger(__name__)

#: The policy's name on every covered table (what :func:`remove` drops).
POLICY = "cap_organisation_scope"
#: The column naming a row's organisation, and the JSON list of a group's other members.
ORGANISATION_COLUMN = "organisation_id"
GROUP_COLUMN = "group_member_ids"
#: The service's read model of organisations (``id``, ``region``): where regions are resolved.
ORGANISATION_TABLE = "organisation"
#: ``Connection.info`` key: the scope the connection's current transaction was given.
SCOPE_INFO = "cap_row_scope"
ALL = "*"

_ORGS = "current_setting('cap.organisations', true)"
_SET_SCOPE = sa.text(
    "SELECT set_config('cap.organisations', :organisations, true), "
    "set_config('cap.regions', :regions, true)"
)


@dataclass(frozen=True, slots=True)
class RowScope:
    """What a transaction may see: ``*`` or organisation ids, and regions (comma-separated)."""

    organisations: str
    regions: str = ""

    def params(self) -> dict[str, str]:
        """The bind parameters of the ``set_config`` statement."""
        return {"organisations": self.organisations, "regions": self.regions}


#: Consumers, relays, jobs, start-up steps, public routes and roles that read across organisations.
SYSTEM = RowScope(ALL)
#: A request that has not (yet) said who is calling: no tenant row.
NOTHING = RowScope("")


def _joined(values: Iterable[str]) -> str:
    # A comma would split an id in two, and no SQL literal holds a NUL: such an id (never
    # issued) is left out, which fails closed.
    return ",".join(sorted(v for v in values if v and "," not in v and "\x00" not in v))


def scope_of(principal: Principal) -> RowScope:
    """The row scope of a verified caller (see the module's docstring for who gets what)."""
    scoped = ORGANISATION_ROLES | REGION_ROLES
    if principal.kind != "user" or any(g.role not in scoped for g in principal.grants):
        return SYSTEM
    return RowScope(_joined(principal.organisation_ids()), _joined(principal.regions()))


# --- the scope of the running code ----------------------------------------------------------
#: The ASGI ``state`` of the request being served (None outside requests: system scope).
_request_state: ContextVar[Mapping[str, Any] | None] = ContextVar("cap_row_request", default=None)


def request_principal() -> Principal | None:
    """The verified caller of the request being served (None outside requests, on public
    routes and before authentication)."""
    state = _request_state.get()
    principal = state.get("principal") if state is not None else None
    return principal if isinstance(principal, Principal) else None


def in_request() -> bool:
    """Whether the running code serves an HTTP request."""
    return _request_state.get() is not None


def current_scope() -> RowScope:
    """The scope of the code running now: the request's caller, or the system's."""
    state = _request_state.get()
    if state is None:
        return SYSTEM
    if state.get(PUBLIC_ROUTE):
        return SYSTEM
    principal = state.get("principal")
    if isinstance(principal, Principal):
        return scope_of(principal)
    return NOTHING


@contextlib.contextmanager
def system_scope() -> Iterator[None]:
    """Transactions begun in the block take the system's scope, every row, in the ``set_config``
    that rides with their ``BEGIN`` (:func:`across_organisations` lifts an open transaction's
    scope instead, at two round trips). Only where the code itself decides what leaves: a
    read filtered on the verified caller's own identifiers (``GET /v1/me``)."""
    token = _request_state.set(None)
    try:
        yield
    finally:
        _request_state.reset(token)


class RowScopeMiddleware:
    """Pure ASGI middleware: sessions opened while a request is served take its caller's scope.

    It only points at the request's ``state``: the principal is read when a transaction begins,
    after the route's ``Allow`` (or ``Public``) has run, whatever the order of dependencies.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve the request with its ``state`` as the scope sessions read (reset when it ends)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _request_state.set(scope.setdefault("state", {}))
        try:
            await self.app(scope, receive, send)
        finally:
            _request_state.reset(token)


def on_begin(connection: sa.Connection) -> None:
    """Give the transaction that is beginning its scope (PostgreSQL only).

    On the platform's engines (:class:`~cap_shared.db.pgconnection.ScopedConnection`) the
    ``set_config`` goes with the transaction's ``BEGIN``, in the same round trip; in a
    transaction already open (a session joined to an outer one) it is a statement of its own.
    """
    if connection.dialect.name != "postgresql":
        return
    scope = current_scope()
    connection.info[SCOPE_INFO] = scope
    driver = connection.connection.driver_connection
    if isinstance(driver, ScopedConnection) and driver.begin_with(_scope_sql(scope)):
        return
    connection.execute(_SET_SCOPE, scope.params())


def session_settings(scope: RowScope) -> dict[str, str]:
    """``scope`` as settings of a whole database session (not of one transaction): for a
    connection of its own that only ever reads with that scope, given them when it is opened
    (asyncpg's ``server_settings``: in the start-up message, no round trip)."""
    return {"cap.organisations": scope.organisations, "cap.regions": scope.regions}


@functools.lru_cache(maxsize=1024)
def _scope_sql(scope: RowScope) -> str:
    """:data:`_SET_SCOPE` with the scope's values written in, for a simple-query message."""
    return (
        f"SELECT set_config('cap.organisations', {literal(scope.organisations)}, true), "
        f"set_config('cap.regions', {literal(scope.regions)}, true)"
    )


@asynccontextmanager
async def across_organisations(session: AsyncSession) -> AsyncIterator[None]:
    """Lift the row scope for the block, then restore the caller's.

    Only where the service itself decides what leaves: aggregates shown under k-anonymity, the
    full state of a record published as an event. Costs two round trips, none when the
    transaction's scope is the system's already.
    """
    connection = await session.connection()  # begins the transaction: the caller's scope is set
    if connection.dialect.name != "postgresql":
        yield
        return
    info = connection.info
    previous: RowScope = info.get(SCOPE_INFO, NOTHING)
    if previous == SYSTEM:  # lifted already (an admin, the committee, a consumer): no trip
        yield
        return
    await connection.execute(_SET_SCOPE, SYSTEM.params())
    info[SCOPE_INFO] = SYSTEM
    try:
        yield
    except BaseException:
        info[SCOPE_INFO] = previous
        # A failed statement aborted the transaction: nothing more runs in it anyway.
        with contextlib.suppress(DBAPIError):
            await connection.execute(_SET_SCOPE, previous.params())
        raise
    info[SCOPE_INFO] = previous
    await connection.execute(_SET_SCOPE, previous.params())


# --- the policies ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Covered:
    """A table under the policy and the columns that name its organisations."""

    table: str
    nullable: bool
    group_column: str | None
    group_is_jsonb: bool


def covered_tables(metadata: sa.MetaData) -> list[Covered]:
    """Every table of ``metadata`` with an organisation column, in a stable order."""
    out = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        column = table.columns.get(ORGANISATION_COLUMN)
        if column is None:
            continue
        group = table.columns.get(GROUP_COLUMN)
        out.append(
            Covered(
                table=table.name,
                nullable=bool(column.nullable),
                group_column=group.name if group is not None else None,
                group_is_jsonb=group is not None and isinstance(group.type, postgresql.JSONB),
            )
        )
    return out


def _has_regions(metadata: sa.MetaData) -> bool:
    table = metadata.tables.get(ORGANISATION_TABLE)
    return table is not None and {"id", "region"} <= set(table.columns.keys())


def admits(covered: Covered, *, regions: bool) -> str:
    """The policy's condition (USING and WITH CHECK) for ``covered``."""
    orgs = f"string_to_array({_ORGS}, ',')"
    in_regions = (
        f"SELECT o.id FROM {ORGANISATION_TABLE} o "
        "WHERE o.region = ANY (string_to_array(current_setting('cap.regions', true), ','))"
    )
    column = ORGANISATION_COLUMN
    terms = [f"{_ORGS} = '{ALL}'"]
    if covered.nullable:
        terms.append(f"{column} IS NULL")
    terms.append(f"{column} = ANY ({orgs})")
    if regions:
        terms.append(f"{column} IN ({in_regions})")
    if covered.group_column:
        kind = "jsonb" if covered.group_is_jsonb else "json"
        member = f"m.id = ANY ({orgs})" + (f" OR m.id IN ({in_regions})" if regions else "")
        group = covered.group_column
        # CASE: a JSON null or scalar must not make json_array_elements_text raise.
        terms.append(
            f"CASE WHEN {kind}_typeof({group}) = 'array' THEN EXISTS (SELECT 1 FROM "
            f"{kind}_array_elements_text({group}) AS m(id) WHERE {member}) ELSE false END"
        )
    return " OR ".join(f"({t})" for t in terms)


def _fingerprint(sql: str) -> str:
    return "cap:" + hashlib.sha256(sql.encode()).hexdigest()[:32]


def _policies(connection: sa.Connection) -> dict[str, tuple[str | None, bool]]:
    """Tables of the current schema holding :data:`POLICY`: its comment, and whether RLS is on."""
    rows = connection.execute(
        sa.text(
            "SELECT c.relname, obj_description(p.oid, 'pg_policy'), c.relrowsecurity "
            "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND p.polname = :policy"
        ),
        {"policy": POLICY},
    ).all()
    return {name: (comment, enabled) for name, comment, enabled in rows}


def remove(connection: sa.Connection) -> None:
    """Drop every :data:`POLICY` and turn row-level security off where it was (before migrations
    that may change the columns a policy depends on, and on downgrade)."""
    for table in _policies(connection):
        quoted = connection.dialect.identifier_preparer.quote(table)
        connection.exec_driver_sql(f"DROP POLICY {POLICY} ON {quoted}")
        connection.exec_driver_sql(f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY")


def apply_policies(connection: sa.Connection, metadata: sa.MetaData) -> list[str]:
    """Create or refresh the policy of every covered table (idempotent: a table whose policy is
    already the wanted one is not touched, so a migrate with nothing to do takes no lock)."""
    regions = _has_regions(metadata)
    existing = _policies(connection)
    wanted = {c.table: c for c in covered_tables(metadata)}
    changed = []
    quote = connection.dialect.identifier_preparer.quote
    for name, covered in wanted.items():
        condition = admits(covered, regions=regions)
        create = (
            f"CREATE POLICY {POLICY} ON {quote(name)} AS PERMISSIVE FOR ALL "
            f"USING ({condition}) WITH CHECK ({condition})"
        )
        fingerprint = _fingerprint(create)
        if existing.get(name) == (fingerprint, True):
            continue
        if name in existing:
            connection.exec_driver_sql(f"DROP POLICY {POLICY} ON {quote(name)}")
        connection.exec_driver_sql(create)
        connection.exec_driver_sql(
            f"COMMENT ON POLICY {POLICY} ON {quote(name)} IS '{fingerprint}'"
        )
        connection.exec_driver_sql(f"ALTER TABLE {quote(name)} ENABLE ROW LEVEL SECURITY")
        changed.append(name)
    for name in set(existing) - set(wanted):  # a table that lost its organisation column
        connection.exec_driver_sql(f"DROP POLICY {POLICY} ON {quote(name)}")
        connection.exec_driver_sql(f"ALTER TABLE {quote(name)} DISABLE ROW LEVEL SECURITY")
        changed.append(name)
    return changed


# --- the runtime role -----------------------------------------------------------------------
#: What the runtime role may do: data, never schema (no TRUNCATE, REFERENCES, TRIGGER).
TABLE_PRIVILEGES = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})
#: ``Table.info`` key: the runtime role's privileges on that table when not all of
#: :data:`TABLE_PRIVILEGES` (the audit log: never UPDATE).
PRIVILEGES_INFO = "cap_privileges"


def table_privileges(table: sa.Table) -> frozenset[str]:
    """What the runtime role may do on ``table``."""
    return frozenset(table.info.get(PRIVILEGES_INFO, TABLE_PRIVILEGES))


SEQUENCE_PRIVILEGES = frozenset({"USAGE", "SELECT"})


def scram_verifier(password: str, *, iterations: int = 4096) -> str:
    """A SCRAM-SHA-256 verifier of ``password`` (RFC 7677), so the server never sees it in clear."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def ensure_role(connection: sa.Connection, role: str, password: str | None) -> bool:
    """Create the login role ``role`` if it does not exist (True if created); an existing role
    is left as it is (its password is the database administrator's business)."""
    found = connection.execute(
        sa.text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).first()
    if found is not None:
        if found[0]:
            logger.warning(
                "the runtime role %s is a superuser or bypasses row-level security: "
                "tenant isolation has no database backstop",
                role,
            )
        return False
    template = "CREATE ROLE %I LOGIN" + (" PASSWORD %L" if password else "")
    statement = connection.execute(
        sa.text(
            "SELECT format(CAST(:template AS text), CAST(:role AS text), CAST(:password AS text))"
        ),
        {
            "template": template,
            "role": role,
            "password": scram_verifier(password) if password else None,
        },
    ).scalar_one()
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(statement)
    except DBAPIError:  # created meanwhile by another service's migration
        if connection.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first():
            return False
        raise
    logger.info("created the runtime role %s", role)
    return True


def grant(connection: sa.Connection, metadata: sa.MetaData, role: str) -> None:
    """Give ``role`` exactly DML on the tables of ``metadata`` and use of the schema's sequences,
    and nothing on anything else of the schema (idempotent)."""
    quote = connection.dialect.identifier_preparer.quote
    if not connection.execute(
        sa.text("SELECT has_schema_privilege(:role, current_schema(), 'USAGE')"), {"role": role}
    ).scalar_one():
        connection.exec_driver_sql(
            f"GRANT USAGE ON SCHEMA {quote(_schema(connection))} TO {quote(role)}"
        )
    relations = connection.execute(
        sa.text(
            "SELECT c.relname, c.relkind::text, "
            "coalesce(array_agg(a.privilege_type) FILTER (WHERE a.grantee = r.oid), '{}') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN (SELECT oid FROM pg_roles WHERE rolname = :role) r "
            "LEFT JOIN LATERAL aclexplode(c.relacl) a ON true "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "GROUP BY c.relname, c.relkind"
        ),
        {"role": role},
    ).all()
    for name, kind, held in relations:
        if kind == "S":
            wanted, what = SEQUENCE_PRIVILEGES, "SEQUENCE"
        else:
            table = metadata.tables.get(name)
            wanted, what = (table_privileges(table) if table is not None else frozenset()), "TABLE"
        if set(held) == wanted:
            continue
        target = f"{what} {quote(name)}"
        connection.exec_driver_sql(f"REVOKE ALL ON {target} FROM {quote(role)}")
        if wanted:
            connection.exec_driver_sql(
                f"GRANT {', '.join(sorted(wanted))} ON {target} TO {quote(role)}"
            )


def _schema(connection: sa.Connection) -> str:
    return str(connection.execute(sa.text("SELECT current_schema()")).scalar_one())


def apply(
    connection: sa.Connection,
    metadata: sa.MetaData,
    *,
    runtime_role: str | None,
    runtime_password: str | None = None,
) -> None:
    """After the migrations, in their transaction (as the tables' owner): the policies, then the
    runtime role (created if missing) and its grants. ``runtime_role`` None or the owner itself:
    policies only, and a warning (the owner bypasses them)."""
    if connection.dialect.name != "postgresql":
        return
    changed = apply_policies(connection, metadata)
    if changed:
        logger.info("row-level security policies written on %s", ", ".join(sorted(changed)))
    owner = str(connection.execute(sa.text("SELECT current_user")).scalar_one())
    if not runtime_role or runtime_role == owner:
        logger.warning(
            "the services connect as %s, the owner of the tables: row-level security does not "
            "apply to them; set <SERVICE>_MIGRATION_DATABASE_URL to the owner and "
            "<SERVICE>_DATABASE_URL to another role (docs/operations.md)",
            owner,
        )
        return
    ensure_role(connection, runtime_role, runtime_password)
    if connection.execute(
        sa.text("SELECT pg_has_role(:role, current_user, 'MEMBER')"), {"role": runtime_role}
    ).scalar_one():
        logger.warning(
            "the runtime role %s is a member of the owner %s: it can alter or drop the tables",
            runtime_role,
            owner,
        )
    grant(connection, metadata, runtime_role)
