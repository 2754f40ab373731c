"""The Grafana dashboards, the alert rules' queries and the observability profile.

* Every query of the dashboards (``deploy/grafana/dashboards``) and of the alert rules uses only
  the platform's metrics (``METRICS``: the agreed names and labels, checked against the code's
  registry), Prometheus' own series and functions, and labels those metrics have.
* The dashboards are valid JSON with unique uids, titles and panel ids; Grafana's provisioning
  reaches them and the Prometheus of compose.
* Compose runs Prometheus, Grafana, the OpenTelemetry collector and Jaeger in the opt-in profile
  ``observability``; every process takes its telemetry settings from ``CAP_TELEMETRY_ENABLED``
  and ``OTEL_EXPORTER_OTLP_ENDPOINT``. Kubernetes gets the rules and the dashboards as
  ConfigMaps made from the same files.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import cap_shared.metrics  # noqa: F401  (registers the platform's metrics)

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy/grafana/dashboards").glob("*.json"))
RULES = sorted((ROOT / "deploy/prometheus/rules").glob("*.yml"))
PROVISIONING = ROOT / "deploy/grafana/provisioning"
COLLECTOR = ROOT / "deploy/otel/collector.yaml"
COMPOSE = ROOT / "docker-compose.yml"
OVERRIDE = ROOT / "compose.override.yml"
PACKAGES = {
    "gateway": "GATEWAY",
    "diagnostic": "DIAGNOSTIC",
    "audit": "AUDIT",
    "labelling": "LABELLING",
    "notifications": "NOTIFICATIONS",
}
OBSERVABILITY = {"prometheus", "grafana", "otel-collector", "jaeger"}

#: The platform's metrics (prefix cap_) and their labels, as agreed for the operability work;
#: histograms also have <name>_bucket (with le), _sum and _count.
METRICS: dict[str, tuple[str, frozenset[str]]] = {
    name: (kind, frozenset(labels.split(",")))
    for name, kind, labels in (
        ("cap_http_requests_total", "counter", "service,method,route,status"),
        ("cap_http_request_seconds", "histogram", "service,method,route"),
        ("cap_events_published_total", "counter", "service"),
        ("cap_events_publish_failed_total", "counter", "service"),
        ("cap_events_consumed_total", "counter", "queue,outcome"),
        ("cap_events_dead_lettered_total", "counter", "service"),
        ("cap_event_handler_seconds", "histogram", "queue"),
        ("cap_job_runs_total", "counter", "service,job,outcome"),
        ("cap_outbox_pending", "gauge", "service"),
        ("cap_outbox_lag_seconds", "gauge", "service"),
        ("cap_event_consumers", "gauge", "queue"),
        ("cap_dead_letters_pending", "gauge", "service"),
        ("cap_webhook_attempts_total", "counter", "service,subscriber,outcome"),
        ("cap_webhook_attempt_seconds", "histogram", "service,subscriber"),
        ("cap_webhook_abandoned_total", "counter", "service,subscriber"),
        ("cap_emails_total", "counter", "service,outcome"),
        ("cap_connector_calls_total", "counter", "body,outcome"),
        ("cap_connector_call_seconds", "histogram", "body"),
        ("cap_breaker_state", "gauge", "service,breaker"),
        ("cap_job_last_success_timestamp_seconds", "gauge", "service,job"),
        ("cap_job_duration_seconds", "histogram", "service,job"),
        ("cap_rate_limit_refusals_total", "counter", "service,limit"),
        ("cap_db_pool_connections", "gauge", "service,state"),
        ("cap_db_pool_size", "gauge", "service"),
    )
}
#: Labels Prometheus adds to every scraped series (deploy/prometheus/prometheus*.yml).
TARGET_LABELS = frozenset({"instance", "job", "process", "namespace", "pod"})
#: Series that are not the platform's: Prometheus' own, RabbitMQ's exporter, our recording rule.
OTHER_SERIES: dict[str, frozenset[str]] = {
    "up": frozenset(),
    "ALERTS": frozenset({"alertname", "alertstate", "severity", "service", "queue", "job"}),
    "rabbitmq_detailed_queue_messages_ready": frozenset({"vhost", "queue"}),
    "rabbitmq_detailed_queue_consumers": frozenset({"vhost", "queue"}),
    "cap_job_interval_seconds": frozenset({"job"}),
}
#: PromQL's functions and aggregation operators (Prometheus 2.x), and its keywords.
FUNCTIONS = frozenset(
    [
        "abs",
        "absent",
        "absent_over_time",
        "avg_over_time",
        "ceil",
        "changes",
        "clamp",
        "clamp_max",
        "clamp_min",
        "count_over_time",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "days_in_month",
        "delta",
        "deriv",
        "exp",
        "floor",
        "histogram_count",
        "histogram_fraction",
        "histogram_quantile",
        "histogram_sum",
        "holt_winters",
        "hour",
        "idelta",
        "increase",
        "irate",
        "label_join",
        "label_replace",
        "last_over_time",
        "ln",
        "log10",
        "log2",
        "max_over_time",
        "min_over_time",
        "minute",
        "month",
        "predict_linear",
        "present_over_time",
        "quantile_over_time",
        "rate",
        "resets",
        "round",
        "scalar",
        "sgn",
        "sort",
        "sort_desc",
        "sqrt",
        "stddev_over_time",
        "stdvar_over_time",
        "sum_over_time",
        "time",
        "timestamp",
        "vector",
        "year",
        "sum",
        "min",
        "max",
        "avg",
        "group",
        "stddev",
        "stdvar",
        "count",
        "count_values",
        "bottomk",
        "topk",
        "quantile",
    ]
)
KEYWORDS = frozenset(
    [
        "and",
        "or",
        "unless",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "offset",
    ]
)


def _series_labels() -> dict[str, frozenset[str]]:
    known: dict[str, frozenset[str]] = {}
    for name, (kind, labels) in METRICS.items():
        known[name] = labels | TARGET_LABELS
        if kind == "histogram":
            known[f"{name}_bucket"] = labels | {"le"} | TARGET_LABELS
            known[f"{name}_sum"] = known[f"{name}_count"] = labels | TARGET_LABELS
    for name, labels in OTHER_SERIES.items():
        known[name] = labels | TARGET_LABELS
    return known


SERIES = _series_labels()


def problems(expr: str) -> list[str]:
    """What in ``expr`` is not a known series, function, or label of the series it selects."""
    found: list[str] = []
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    bare = re.sub(r"\$\{?\w+\}?", "", bare)  # Grafana variables ($service, $__rate_interval)
    selected: set[str] = set()
    for name, matchers in re.findall(r"([A-Za-z_:][\w:]*)\s*\{([^}]*)\}", bare):
        if name in KEYWORDS:
            continue
        for label in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers):
            if name in SERIES and label not in SERIES[name]:
                found.append(f"{name} has no label {label}")
    bare = re.sub(r"\{[^}]*\}", "", bare)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    grouping = re.findall(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", bare
    )
    bare = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare)
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?", bare):
        token, call = match[1], match[2]
        if call:
            if token not in FUNCTIONS:
                found.append(f"unknown function {token}")
        elif token not in KEYWORDS and not re.fullmatch(r"e\d*|Inf|NaN", token):
            if token in SERIES:
                selected.add(token)
            else:
                found.append(f"unknown series {token}")
    labels = set().union(*(SERIES[name] for name in selected)) if selected else set(TARGET_LABELS)
    for group in grouping:
        for label in filter(None, (part.strip() for part in group.split(","))):
            if label not in labels:
                found.append(f"label {label} is on none of {sorted(selected)}")
    return found


def test_the_checker_rejects_unknown_names_and_labels() -> None:
    """A control: typos in a metric, a function or a label are caught."""
    assert problems('sum by (service) (rate(cap_http_requests_total{status=~"5.."}[5m]))') == []
    assert problems("rate(cap_http_request_total[5m])") == ["unknown series cap_http_request_total"]
    assert problems("rates(cap_http_requests_total[5m])") == ["unknown function rates"]
    assert problems('cap_outbox_pending{queue="x"}') == ["cap_outbox_pending has no label queue"]
    assert problems("sum by (queue) (cap_outbox_pending)") != []
    assert (
        problems(
            "histogram_quantile(0.99, sum by (le) (rate(cap_event_handler_seconds_bucket[5m])))"
        )
        == []
    )


def test_the_agreed_metrics_have_the_labels_the_code_gives_them() -> None:
    """Each agreed metric the code registers has exactly the agreed labels (and kind)."""
    registered = {
        name: collector
        for name, collector in REGISTRY._names_to_collectors.items()
        if name.startswith("cap_")
    }
    scraped = _scrape_time_series()
    for name, (kind, labels) in METRICS.items():
        collector = registered.get(name)
        if collector is None or not hasattr(collector, "_labelnames"):
            # A collector read at scrape time (pools, breakers): its series say what it gives.
            assert name in scraped, f"{name} is agreed but the code does not give it"
            continue
        assert set(collector._labelnames) == labels, name
        assert collector._type == kind, name


def _scrape_time_series() -> set[str]:
    """The metric names the scrape-time collectors give (the pool and breaker gauges)."""
    import inspect

    from cap_shared.metrics import collectors

    return set(re.findall(r'"(cap_[a-z_]+)"', inspect.getsource(collectors)))


def _dashboards() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in DASHBOARDS:
        yield path, json.loads(path.read_text())


def _panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def test_the_three_dashboards_exist_with_unique_uids_and_titles() -> None:
    names = {path.stem for path in DASHBOARDS}
    assert names == {"platform-overview", "event-pipeline", "integrations"}
    boards = [board for _, board in _dashboards()]
    uids = [board["uid"] for board in boards]
    titles = [board["title"] for board in boards]
    assert len(set(uids)) == len(uids)
    assert len(set(titles)) == len(titles)
    for board in boards:
        assert re.fullmatch(r"[a-z0-9-]{1,40}", board["uid"]), board["uid"]
        assert board["title"].startswith("CAP / ")


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_every_panel_queries_known_metrics(path: Path) -> None:
    board = json.loads(path.read_text())
    ids = [panel["id"] for panel in _panels(board)]
    assert len(set(ids)) == len(ids), "panel ids are unique"
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["query"] == "prometheus"
    queries = 0
    for panel in _panels(board):
        position = panel["gridPos"]
        assert position["x"] >= 0, panel["title"]
        assert position["x"] + position["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], f"{panel['title']}: no query"
        for target in panel["targets"]:
            assert problems(target["expr"]) == [], f"{panel['title']}: {target['expr']}"
            queries += 1
    for variable in variables.values():
        if variable["type"] == "query":
            query = variable["query"]["query"]
            match = re.fullmatch(r"label_values\((\w+), *(\w+)\)", query)
            assert match, query
            assert match[2] in SERIES.get(match[1], ()), query
    for annotation in board["annotations"]["list"]:
        assert problems(annotation["expr"]) == [], annotation["expr"]
    assert queries >= 10


def test_every_alert_rule_queries_known_metrics() -> None:
    for path in RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                assert problems(rule["expr"]) == [], f"{rule.get('alert')}: {rule['expr']}"


def test_grafana_provisioning_reaches_the_dashboards_and_prometheus() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    (source,) = yaml.safe_load((PROVISIONING / "datasources/prometheus.yml").read_text())[
        "datasources"
    ]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    assert "prometheus" in compose
    (provider,) = yaml.safe_load((PROVISIONING / "dashboards/cap.yml").read_text())["providers"]
    mounts = dict(v.split(":")[:2] for v in compose["grafana"]["volumes"] if v.startswith("./"))
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning/datasources"].endswith("/datasources")
    assert mounts["./deploy/grafana/provisioning/dashboards"].endswith("/dashboards")


def test_compose_runs_the_observability_stack_only_in_its_profile() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name, service in services.items():
        assert (service.get("profiles") == ["observability"]) == (name in OBSERVABILITY), name
    prometheus = services["prometheus"]
    assert (
        "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
        in prometheus["volumes"]
    )
    assert "./deploy/prometheus/rules:/etc/prometheus/rules:ro" in prometheus["volumes"]
    assert services["otel-collector"]["image"].startswith("otel/opentelemetry-collector-contrib:")
    collector = yaml.safe_load(COLLECTOR.read_text())
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"] == "0.0.0.0:4318"
    (exporter,) = collector["service"]["pipelines"]["traces"]["exporters"]
    assert collector["exporters"][exporter]["endpoint"] == "jaeger:4317"
    assert services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    # Development ports, on this machine only: the UIs, and OTLP for `make up`'s processes.
    override = yaml.safe_load(OVERRIDE.read_text())["services"]
    published = {name: override[name]["ports"] for name in OBSERVABILITY}
    assert published == {
        "prometheus": ["127.0.0.1:${PROMETHEUS_PUBLISHED_PORT:-9090}:9090"],
        "grafana": ["127.0.0.1:${GRAFANA_PUBLISHED_PORT:-3000}:3000"],
        "otel-collector": ["127.0.0.1:${OTLP_HTTP_PUBLISHED_PORT:-4318}:4318"],
        "jaeger": ["127.0.0.1:${JAEGER_UI_PUBLISHED_PORT:-16686}:16686"],
    }


def test_every_process_takes_its_telemetry_settings_from_the_environment() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name, service in services.items():
        package = name.removeprefix("migrate-").split("-")[0]
        if package not in PACKAGES:
            continue
        env = service["environment"]
        assert env[f"{PACKAGES[package]}_TELEMETRY_ENABLED"] == "${CAP_TELEMETRY_ENABLED:-false}", (
            name
        )
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "${OTEL_EXPORTER_OTLP_ENDPOINT:-}", name
        # Tracing on keeps one trace in a hundred unless told otherwise: what its cost was
        # measured at (docs/benchmarks.md, tracing on / off).
        assert env["OTEL_TRACES_SAMPLER"] == "${OTEL_TRACES_SAMPLER:-parentbased_traceidratio}"
        assert env["OTEL_TRACES_SAMPLER_ARG"] == "${OTEL_TRACES_SAMPLER_ARG:-0.01}", name


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is missing"
    documents = {}
    for overlay in ("dev", "prod"):
        result = subprocess.run(
            [kubectl, "kustomize", str(ROOT / "deploy/k8s/overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        documents[overlay] = [d for d in yaml.safe_load_all(result.stdout) if d]
    return documents


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubernetes_gets_the_rules_and_dashboards_from_the_same_files(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    maps = {d["metadata"]["name"]: d for d in rendered[overlay] if d["kind"] == "ConfigMap"}
    dashboards = {
        name: config
        for name, config in maps.items()
        if config["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    }
    files = {key: text for config in dashboards.values() for key, text in config["data"].items()}
    assert files == {path.name: path.read_text() for path in DASHBOARDS}
    rules = maps["cap-prometheus-rules"]["data"]
    for path in RULES:
        assert rules[path.name] == path.read_text()
    scrape = (ROOT / "deploy/prometheus/prometheus-kubernetes.yml").read_text()
    assert rules["prometheus-kubernetes.yml"] == scrape
    # Every scraped Deployment names its port and path, as the scrape job reads them.
    for doc in rendered[overlay]:
        if doc["kind"] == "Deployment" and doc["metadata"]["name"].startswith("cap-"):
            annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
            if annotations.get("prometheus.io/scrape") == "true":
                ports = {
                    p["containerPort"]
                    for p in doc["spec"]["template"]["spec"]["containers"][0]["ports"]
                }
                assert int(annotations["prometheus.io/port"]) in ports, doc["metadata"]["name"]
                assert annotations["prometheus.io/path"] == "/metrics"
