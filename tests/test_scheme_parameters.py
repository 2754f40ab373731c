"""One source of scheme parameters: the audit and labelling services read the same values, and
compute the same surveillance dates from them (docs/schemes.md)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from cap_audit.config import Settings as AuditSettings
from cap_audit.programmes import rules as audit_rules
from cap_labelling import rules as labelling_rules
from cap_labelling.config import Settings as LabellingSettings
from cap_shared.contracts import schemes

DECIDED = date(2026, 3, 31)


def _copy_with(tmp_path: Path, scheme: str, **changes: object) -> Path:
    """The packaged files in ``tmp_path``, one scheme's values changed."""
    for name in schemes.SCHEMES:
        data = yaml.safe_load((schemes.PACKAGED / f"{name}.yaml").read_text(encoding="utf-8"))
        if name == scheme:
            data.update(changes)
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def _surveillance_due_dates(
    audit: AuditSettings, scheme: str, cycle_start: date = DECIDED
) -> list[date]:
    """What the audit programme expects in a cycle starting on ``cycle_start`` (the decision of
    a first grant, the previous expiry of a renewal), surveillance or follow-up."""
    items = audit_rules.schedule(
        audit_rules.Scheme(scheme),
        audit.scheme_parameters(scheme),
        accepted_on=date(2025, 10, 1),
        cycle_start=cycle_start,
        audits=[],
        today=DECIDED,
    )
    return [
        i.due_by
        for i in items
        if i.type in (audit_rules.AuditType.SURVEILLANCE, audit_rules.AuditType.FOLLOW_UP)
    ]


def _agree(audit: AuditSettings, labelling: LabellingSettings) -> None:
    assert audit.all_scheme_parameters() == labelling.all_scheme_parameters()
    for scheme in schemes.SCHEMES:
        expected = labelling_rules.surveillance_dates(
            labelling_rules.Scheme(scheme), DECIDED, labelling.lifecycle
        )
        assert _surveillance_due_dates(audit, scheme) == expected
        # Validity: the audit programme's renewal is due ahead of the labelling service's expiry.
        parameters = audit.scheme_parameters(scheme)
        expiry = labelling_rules.initial_cycle(DECIDED, labelling.scheme_parameters(scheme))
        renewal = audit_rules.schedule(
            audit_rules.Scheme(scheme),
            parameters,
            accepted_on=date(2025, 10, 1),
            cycle_start=DECIDED,
            audits=[],
            today=DECIDED,
        )[-1]
        assert renewal.type is audit_rules.AuditType.RENEWAL
        assert (expiry.expiry_date - renewal.due_by).days == parameters.renewal_lead_days
        # The next cycle, renewed 60 days before expiry, starts at that expiry (the labelling
        # service publishes it as cycle_start): both count its surveillance from there.
        renewed = labelling_rules.renewal_cycle(
            labelling_rules.RecognitionStatus.ACTIVE,
            expiry.expiry_date,
            expiry.expiry_date - timedelta(days=60),
            labelling.scheme_parameters(scheme),
        )
        assert renewed.start == expiry.expiry_date
        assert _surveillance_due_dates(audit, scheme, renewed.start) == (
            labelling_rules.surveillance_dates(
                labelling_rules.Scheme(scheme), renewed.start, labelling.lifecycle
            )
        )


def test_both_services_read_the_packaged_parameters() -> None:
    audit, labelling = AuditSettings(), LabellingSettings()
    _agree(audit, labelling)
    assert audit.scheme_parameters("CAP_RSE").follow_up_months == 18
    assert audit.scheme_parameters("CAP_ISO9001").surveillance == "calendar_year"


def test_one_variable_moves_both_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-scheme validity and intervals changed in one place change both services."""
    directory = _copy_with(tmp_path, "CAP_RSE", validity_months=48, follow_up_months=24)
    monkeypatch.setenv("CAP_SCHEME_PARAMETERS_DIR", str(directory))
    audit, labelling = AuditSettings(), LabellingSettings()
    _agree(audit, labelling)
    assert labelling.scheme_parameters("CAP_RSE").validity_months == 48
    assert labelling.scheme_parameters("CAP_ISO9001").validity_months == 36
    assert _surveillance_due_dates(audit, "CAP_RSE") == [date(2028, 3, 31)]


def test_a_bad_file_stops_the_service_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = _copy_with(tmp_path, "CAP_ISO9001", validity_months=6)
    monkeypatch.setenv("CAP_SCHEME_PARAMETERS_DIR", str(directory))
    for settings in (AuditSettings, LabellingSettings):
        with pytest.raises(ValidationError, match=r"CAP_ISO9001\.yaml: validity_months"):
            settings()


def test_an_unknown_parameter_is_refused(tmp_path: Path) -> None:
    directory = _copy_with(tmp_path, "CAP_RSE", validity_month=36)
    with pytest.raises(schemes.SchemeParametersError, match="validity_month"):
        schemes.load(directory)
