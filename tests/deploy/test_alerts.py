"""The alert rules (``deploy/prometheus/rules``) pass promtool and agree with the code and the docs.

* ``promtool check rules`` and ``promtool test rules`` (the unit tests of
  ``deploy/prometheus/tests``: every alert fires when it should and stays quiet when it should
  not); ``promtool check config`` on the compose scrape configuration. promtool comes with
  Debian's ``prometheus`` package (``apt-get install prometheus``; ``.ci/run`` installs it): a
  missing promtool fails these tests, it never skips them.
* Every alert has a severity, a summary, a description and a runbook in docs/operations.md.
* The tables the rules hold match the code: the periodic jobs' intervals, the consuming queues,
  the processes Prometheus scrapes in compose.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cap_shared.settings import BaseServiceSettings

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy/prometheus"
RULES = sorted((PROMETHEUS / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
OPERATIONS = ROOT / "docs/operations.md"
DEFINITIONS = ROOT / "deploy/docker/rabbitmq/definitions.json"
COMPOSE = ROOT / "docker-compose.yml"
SEVERITIES = {"warning", "critical"}


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: apt-get install prometheus (Debian's package ships it)"
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )


def _rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in RULES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def _alerts() -> list[dict[str, Any]]:
    return [rule for rule in _rules() if "alert" in rule]


def test_there_are_rules_and_unit_tests() -> None:
    assert RULES
    assert RULE_TESTS
    assert len(_alerts()) >= 10


def test_rules_pass_promtool_check() -> None:
    result = _promtool("check", "rules", *map(str, RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_pass_their_promtool_unit_tests() -> None:
    result = _promtool("test", "rules", *map(str, RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_broken_rule_fails_its_unit_tests(tmp_path: Path) -> None:
    """A control: the unit tests do catch a rule that no longer fires (threshold raised)."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    text = RULES[0].read_text()
    broken = text.replace(
        "max by (service) (cap_outbox_lag_seconds) > 60",
        "max by (service) (cap_outbox_lag_seconds) > 6000",
    )
    assert broken != text
    (tmp_path / "rules" / RULES[0].name).write_text(broken)
    for path in RULE_TESTS:
        (tmp_path / "tests" / path.name).write_text(path.read_text())
    result = _promtool("test", "rules", *(str(tmp_path / "tests" / p.name) for p in RULE_TESTS))
    assert result.returncode != 0
    assert "CapOutboxStale" in result.stdout + result.stderr


def test_the_compose_prometheus_configuration_passes_promtool() -> None:
    result = _promtool("check", "config", "--syntax-only", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for heading in re.findall(r"^#+ +(.+?) *$", markdown, flags=re.MULTILINE):
        text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
        anchors.add(text.replace(" ", "-"))
    return anchors


def test_every_alert_has_a_severity_and_a_runbook_in_the_operations_guide() -> None:
    anchors = _anchors(OPERATIONS.read_text())
    for alert in _alerts():
        name = alert["alert"]
        assert re.fullmatch(r"Cap[A-Z]\w+", name), name
        assert alert["labels"]["severity"] in SEVERITIES, name
        annotations = alert["annotations"]
        assert annotations["summary"], name
        assert annotations["description"], name
        runbook = annotations["runbook_url"]
        path, _, anchor = runbook.partition("#")
        assert path == "docs/operations.md", name
        assert anchor in anchors, f"{name}: no heading #{anchor} in docs/operations.md"
        assert name in OPERATIONS.read_text(), f"{name} is not named in docs/operations.md"


def test_every_alert_has_unit_tests_that_fire_it_and_keep_it_quiet() -> None:
    fired: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (fired if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {alert["alert"] for alert in _alerts()}
    assert names - fired == set(), "alerts never shown firing"
    assert names - quiet == set(), "alerts never shown quiet"


def _declared_job_intervals() -> dict[str, float]:
    """Every periodic job of the code and its declared interval (seconds)."""
    jobs: dict[str, float] = {}
    gateway = importlib.import_module("cap_gateway.runtime")
    declared = list(gateway.JOBS)
    for package in ("diagnostic", "audit", "labelling", "notifications"):
        declared += list(importlib.import_module(f"cap_{package}.main").SERVICE.jobs)
    for job in declared:
        assert jobs.setdefault(job.name, job.interval_s) == job.interval_s, job.name
    # Every service's audit trail: anchored and purged at the settings' default pace.
    fields = BaseServiceSettings.model_fields
    jobs["audit-anchor"] = fields["audit_anchor_interval_s"].default
    jobs["audit-purge"] = fields["audit_purge_interval_s"].default
    return jobs


def test_the_rules_know_every_periodic_job_and_its_interval() -> None:
    table = {}
    for rule in _rules():
        if rule.get("record") == "cap_job_interval_seconds":
            interval = re.fullmatch(r"vector\((\d+)\)", rule["expr"])
            assert interval, rule
            table[rule["labels"]["job"]] = float(interval[1])
    assert table == _declared_job_intervals()


def test_the_rules_watch_every_consuming_queue() -> None:
    queues = {
        queue["name"].removeprefix("cap.")
        for queue in json.loads(DEFINITIONS.read_text())["queues"]
        if re.fullmatch(r"cap\.[a-z]+", queue["name"])
    }
    assert queues == {"diagnostic", "audit", "labelling", "notifications"}
    (absent,) = [a for a in _alerts() if a["alert"] == "CapQueueConsumersAbsent"]
    watched = set(re.findall(r'absent\(cap_event_consumers\{queue="(\w+)"\}\)', absent["expr"]))
    assert watched == queues


def test_prometheus_scrapes_every_process_of_the_compose_topology() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    processes = {
        name
        for name, service in services.items()
        if service.get("command") in (["api"], ["worker"], ["relay"])
    }
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    cap = jobs["cap-processes"]
    (dns,) = cap["dns_sd_configs"]
    assert set(dns["names"]) == processes
    assert dns["port"] == 9000  # the ops port (<PREFIX>_PROBE_PORT) of every process
    for name in processes:
        prefix = name.split("-")[0].upper()
        assert services[name]["environment"][f"{prefix}_PROBE_PORT"] == "9000", name
    # The processes' `job` label (cap_job_*) must survive the scrape: the rules group by it.
    assert cap["honor_labels"] is True
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["rabbitmq:15692"]
    alerts = {a["alert"]: a for a in _alerts()}
    assert 'job=~"cap-.*"' in alerts["CapProcessDown"]["expr"]


def test_the_kubernetes_scrape_job_follows_the_pods_annotations() -> None:
    """Debian's promtool cannot check it (built without Kubernetes discovery): its shape, here."""
    config = yaml.safe_load((PROMETHEUS / "prometheus-kubernetes.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"cap-pods", "rabbitmq"}
    # The broker is scraped as compose scrapes it: the queue series the rules read.
    compose = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    (rabbitmq,) = [j for j in compose["scrape_configs"] if j["job_name"] == "rabbitmq"]
    assert jobs["rabbitmq"] == rabbitmq
    job = jobs["cap-pods"]
    assert job["honor_labels"] is True
    assert job["kubernetes_sd_configs"] == [{"role": "pod"}]
    relabel = {tuple(r["source_labels"]): r for r in job["relabel_configs"]}
    scrape = relabel[("__meta_kubernetes_pod_annotation_prometheus_io_scrape",)]
    assert (scrape["action"], scrape["regex"]) == ("keep", "true")
    port = relabel[("__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port")]
    assert re.fullmatch(port["regex"], "10.1.2.3:8001;9000")
    assert re.sub(port["regex"], port["replacement"].replace("$", "\\"), "10.1.2.3:8001;9000") == (
        "10.1.2.3:9000"
    )
    assert relabel[("__meta_kubernetes_pod_annotation_prometheus_io_path",)]["target_label"] == (
        "__metrics_path__"
    )


@pytest.mark.parametrize("path", [*RULES, *RULE_TESTS], ids=lambda p: p.name)
def test_rule_files_are_plain_yaml(path: Path) -> None:
    assert isinstance(yaml.safe_load(path.read_text()), dict)
