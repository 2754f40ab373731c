"""Events of one audit arriving out of order (docs/domain/reliability.md O6): a report whose
first delivery failed comes back after a status change of one of its nonconformities; the
newer status is kept, not reset to "open" by the late report. And a nonconformity's changes,
versioned per finding, are applied newest-wins: an older change retried late changes
nothing."""

from __future__ import annotations

from datetime import timedelta

from cap_labelling.events import handlers
from cap_labelling.models import Nonconformity
from cap_shared.clock import using
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import FindingStatusChangedV1

from .conftest import Service


def change(service: Service, report, status: str, previous: str) -> FindingStatusChangedV1:
    service.runtime.clock.advance(timedelta(seconds=1))
    return FindingStatusChangedV1(
        finding_id=report.findings[0].finding_id,
        audit_id=report.audit_id,
        organisation_id=report.organisation_id,
        scheme=report.scheme,
        type="major_nc",
        status=status,
        previous_status=previous,
        changed_at=service.runtime.clock.now(),
    )


async def deliver(service: Service, event, *, version: int | None = None) -> None:
    envelope = new_event(event, source="/cap/audit", subject=getattr(event, "finding_id", None))
    envelope = envelope.model_copy(update={"subjectversion": version})
    with using(service.runtime.clock):
        async with service.runtime.db.session() as session:
            await handlers.HANDLERS[envelope.type](session, envelope, event)


async def status_of(service: Service, finding_id: str) -> str:
    async with service.runtime.db.session() as session:
        found = await session.get(Nonconformity, finding_id)
        assert found is not None
        return found.status


async def test_a_late_report_does_not_reopen_a_nonconformity_changed_since(
    service: Service,
) -> None:
    report = await service.report("a", "CAP_ISO9001", "initial", majors=1, deliver=False)
    closed = change(service, report, "verified_closed", "response_submitted")
    await deliver(service, closed, version=1)
    await deliver(service, report)  # the report's retry, after the change
    assert await status_of(service, report.findings[0].finding_id) == "verified_closed"


async def test_an_older_change_retried_late_changes_nothing(service: Service) -> None:
    report = await service.report("a", "CAP_ISO9001", "initial", majors=1)
    answered = change(service, report, "response_submitted", "open")
    closed = change(service, report, "verified_closed", "response_submitted")
    await deliver(service, closed, version=2)
    await deliver(service, answered, version=1)  # its first delivery failed
    assert await status_of(service, report.findings[0].finding_id) == "verified_closed"
    # A newer version applies, even with the same timestamp as the last change.
    reopened = closed.model_copy(update={"status": "open", "previous_status": "verified_closed"})
    await deliver(service, reopened, version=3)
    assert await status_of(service, report.findings[0].finding_id) == "open"
