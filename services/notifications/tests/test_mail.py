"""E-mail: the wording of every notified event, its templates, and sending each message once
over a real SMTP server started here (retries with backoff, refusals, template failures, the
operators' mail log and retry, the .eml file transport), on a controllable clock."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from markupsafe import escape

from cap_notifications import catalogue
from cap_notifications.fanout.messages import wording as messages
from cap_notifications.fanout.messages.wording import UnknownEventType, describe
from cap_notifications.mail import sender as mail
from cap_notifications.mail.render import TemplateFailure, render
from cap_notifications.models import EmailMessage
from cap_shared.contracts.audit import (
    AuditPlannedV1,
    AuditReportSubmittedV1,
    AuditRequestedV1,
    CertificationDecidedV1,
    FindingAppealDecidedV1,
    FindingAppealLodgedV1,
    FindingResponseDueV1,
    FindingStatusChangedV1,
    FindingV1,
    Stage2RequiredV1,
)
from cap_shared.contracts.diagnostic import (
    ActionDueSoonV1,
    ActionOverdueV1,
    DiagnosticCompletedV1,
    GroupScoreV1,
    ReferentialRef,
)
from cap_shared.contracts.labelling import (
    ApplicationAcceptedV1,
    ComplaintReceivedV1,
    DecisionAppealDecidedV1,
    DecisionAppealLodgedV1,
    DecisionHeldV1,
    DecisionOpenedV1,
    DecisionTakenV1,
    GroupInvitationSentV1,
    LabelExpiringV1,
    LabelSurveillanceDueV1,
    RecognitionStatusChangedV1,
)
from cap_shared.contracts.registry import EventModel, event_type_of
from cap_shared.jobs import JobContext, PeriodicJob, run_once
from cap_shared.testing.metrics import ops_port
from cap_shared.testing.net import free_port

from .conftest import Service, ok

ORG = "Atelier du Val"
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# sample events, built from the contract models ---------------------------------------------------
def _id() -> str:
    return str(uuid.uuid4())


def _score(group: str, code: str, name: str, score: int | None, band: str | None) -> GroupScoreV1:
    return GroupScoreV1(
        group=group,
        code=code,
        name=name,
        score=score,
        band=band,
        rated=20 if score is not None else 0,
        not_applicable=2,
        total=22,
    )


def _recognition(
    status: str,
    previous: str | None,
    *,
    scheme: str = "CAP_RSE",
    reason: str | None = None,
    scope: str | None = None,
) -> RecognitionStatusChangedV1:
    return RecognitionStatusChangedV1(
        recognition_id=_id(),
        number="CAP-RSE-2026-0042" if scheme == "CAP_RSE" else "CAP-ISO-2026-0007",
        organisation_id=_id(),
        scheme=scheme,
        level="Confirmé" if scheme == "CAP_RSE" else None,
        status=status,
        previous_status=previous,
        effective_date=date(2026, 3, 2),
        expiry_date=date(2029, 3, 1),
        changed_at=NOW,
        reason=reason,
        scope=scope,
    )


def _finding_change(
    status: str,
    previous: str,
    *,
    kind: str = "major_nc",
    previous_type: str | None = None,
    reason: str | None = None,
) -> FindingStatusChangedV1:
    return FindingStatusChangedV1(
        finding_id=_id(),
        audit_id=_id(),
        organisation_id=_id(),
        scheme="CAP_ISO9001",
        type=kind,
        status=status,
        previous_status=previous,
        response_due=date(2027, 2, 24) if status == "open" else None,
        changed_at=NOW,
        previous_type=previous_type,
        reason=reason,
    )


@dataclass(frozen=True)
class Case:
    """One sample event and what its title/body and its e-mail must say."""

    name: str
    event: EventModel
    #: In the title or the body (describe).
    says: tuple[str, ...]
    #: In both e-mail parts (the event's specific fields).
    details: tuple[str, ...] = ()

    @property
    def event_type(self) -> str:
        return event_type_of(type(self.event))

    @property
    def data(self) -> dict[str, Any]:
        return self.event.model_dump(mode="json")


def cases() -> list[Case]:
    org = _id()
    audit = _id()
    return [
        Case(
            "diagnostic completed",
            DiagnosticCompletedV1(
                diagnostic_id=_id(),
                organisation_id=org,
                kind="cap_session",
                referential=ReferentialRef(urn="urn:coorace:cap", code="CAP", version=2),
                completed_at=NOW,
                session_date=date(2026, 11, 20),
                overall=_score("overall", "CAP", "CAP", 640, "Confirmé"),
                themes=[
                    _score("theme", "T1", "Gouvernance", 700, "Confirmé"),
                    _score("theme", "T2", "Accompagnement", None, None),
                ],
                criteria=[],
                dynamic_exit_rate=0.45,
            ),
            says=("Diagnostic CAP terminé", "26/11/2026", "640/1000", "Confirmé"),
            details=("20/11/2026", "Gouvernance", "700/1000", "45 %", "version 2"),
        ),
        Case(
            "self assessment without a score",
            DiagnosticCompletedV1(
                diagnostic_id=_id(),
                organisation_id=org,
                kind="self_assessment",
                referential=ReferentialRef(urn="urn:coorace:rse", code="CAP_RSE", version=1),
                completed_at=NOW,
                overall=_score("overall", "CAP_RSE", "CAP RSE", None, None),
                themes=[],
                criteria=[],
            ),
            says=("Autodiagnostic CAP RSE terminé", "Aucun critère n'a été évalué"),
            details=("non évalué",),
        ),
        Case(
            "the auditor's evaluation",
            DiagnosticCompletedV1(
                diagnostic_id=_id(),
                organisation_id=org,
                kind="audit_evaluation",
                audit_id=audit,
                referential=ReferentialRef(urn="urn:coorace:rse", code="CAP_RSE", version=1),
                completed_at=NOW,
                overall=_score("overall", "CAP_RSE", "CAP RSE", 624, "Confirmé"),
                themes=[],
                criteria=[],
            ),
            says=("Évaluation de l'auditeur enregistrée (CAP RSE)", "624/1000", "comité"),
        ),
        Case(
            "action overdue",
            ActionOverdueV1(
                action_id=_id(),
                plan_id=_id(),
                organisation_id=org,
                title="Formaliser l'accueil des salariés en insertion",
                criterion_code="C2.1",
                owner="Claire Martin",
                priority="high",
                due_date=date(2026, 11, 1),
                detected_on=date(2026, 11, 26),
                days_overdue=25,
            ),
            says=("Action en retard", "01/11/2026", "25 jours", "haute"),
            details=("C2.1", "Claire Martin", "01/11/2026"),
        ),
        Case(
            "action due soon",
            ActionDueSoonV1(
                action_id=_id(),
                plan_id=_id(),
                organisation_id=org,
                title="Formaliser l'accueil des salariés en insertion",
                criterion_code="C2.1",
                owner="Claire Martin",
                priority="medium",
                due_date=date(2026, 12, 3),
                days_left=7,
            ),
            says=("Action à réaliser dans 7 jours", "03/12/2026", "moyenne"),
            details=("C2.1", "Claire Martin", "03/12/2026"),
        ),
        Case(
            "audit requested",
            AuditRequestedV1(
                audit_id=audit,
                programme_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                audit_type="surveillance",
                certification_body_id="sgs-tuv",
                due_by=date(2027, 1, 15),
                requested_at=NOW,
            ),
            says=("Audit de surveillance demandé", "sgs-tuv", "15/01/2027", "label CAP RSE"),
            details=("15/01/2027", "26/11/2026", "sgs-tuv"),
        ),
        Case(
            "audit planned",
            AuditPlannedV1(
                audit_id=audit,
                organisation_id=org,
                scheme="CAP_ISO9001",
                audit_type="stage2",
                certification_body_id="sgs-tuv",
                start_date=date(2027, 1, 12),
                end_date=date(2027, 1, 13),
                auditor_ids=[_id(), _id()],
            ),
            says=("planifié du 12/01/2027 au 13/01/2027", "2 auditeurs", "ISO 9001"),
            details=("du 12/01/2027 au 13/01/2027", "2 auditeurs", "étape 2"),
        ),
        Case(
            "audit report submitted",
            AuditReportSubmittedV1(
                audit_id=audit,
                organisation_id=org,
                scheme="CAP_RSE",
                audit_type="renewal",
                submitted_at=NOW,
                findings=[
                    FindingV1(
                        finding_id=_id(),
                        type="major_nc",
                        title="Pas de revue de direction",
                        clause="9.3",
                        response_due=date(2026, 12, 26),
                    ),
                    FindingV1(finding_id=_id(), type="strength", title="Accueil soigné"),
                ],
                summary={"major_nc": 1, "strength": 1},
                last_day=date(2026, 11, 24),
            ),
            says=("Rapport d'audit déposé", "1 non-conformité majeure", "1 point fort"),
            details=("Pas de revue de direction", "26/12/2026", "24/11/2026", "exigence 9.3"),
        ),
        Case(
            "finding response reminder",
            FindingResponseDueV1(
                finding_id=_id(),
                audit_id=audit,
                organisation_id=org,
                type="minor_nc",
                title="Registre des formations incomplet",
                response_due=date(2026, 12, 3),
                stage="reminder",
                days=7,
            ),
            says=("Réponse attendue avant le 03/12/2026", "dans 7 jours", "mineure"),
            details=("Délai restant", "7 jours", "03/12/2026"),
        ),
        Case(
            "finding response overdue",
            FindingResponseDueV1(
                finding_id=_id(),
                audit_id=audit,
                organisation_id=org,
                type="major_nc",
                title="Pas de revue de direction",
                response_due=date(2026, 11, 20),
                stage="overdue",
                days=6,
            ),
            says=("Réponse en retard", "6 jours de retard", "suspension"),
            details=("Retard", "6 jours", "20/11/2026", "non-conformité majeure"),
        ),
        Case(
            "application accepted",
            ApplicationAcceptedV1(
                application_id=_id(),
                organisation_id=org,
                group_member_ids=[_id(), _id()],
                scheme="CAP_RSE",
                certification_body_id="sgs-tuv",
                accepted_at=NOW,
            ),
            says=("Candidature au label CAP RSE acceptée", "2 autres structures", "sgs-tuv"),
            details=("3 (candidature de groupe)", "26/11/2026"),
        ),
        Case(
            "group invitation, its name typed with markup",
            GroupInvitationSentV1(
                invitation_id=_id(),
                application_id=_id(),
                organisation_id=org,
                applicant_organisation_id=_id(),
                applicant_name="Réseau <b>Sud</b> & co",
                scheme="CAP_ISO9001",
                certification_body_id="sgs-tuv",
                invited_at=NOW,
            ),
            says=("Invitation à rejoindre un groupe", "Réseau <b>Sud</b> & co", "refuser"),
            details=("26/11/2026", "sgs-tuv"),
        ),
        Case(
            "recognition granted",
            _recognition("active", None, reason="granted"),
            says=("Label CAP RSE attribué (niveau Confirmé)", "02/03/2026", "01/03/2029"),
            details=("CAP-RSE-2026-0042", "en vigueur", "01/03/2029"),
        ),
        Case(
            "certification granted",
            _recognition("active", None, scheme="CAP_ISO9001", reason="granted"),
            says=("Certification CAP ISO 9001 attribuée", "CAP-ISO-2026-0007"),
            details=("CAP-ISO-2026-0007", "en vigueur"),
        ),
        Case(
            "recognition suspended",
            _recognition("suspended", "active", reason="surveillance_overdue"),
            says=("Label CAP RSE suspendu", "l'audit de surveillance n'a pas eu lieu"),
            details=("suspendu", "Statut précédent", "en vigueur"),
        ),
        Case(
            "certification suspended",
            _recognition("suspended", "active", scheme="CAP_ISO9001", reason="major_nc_overdue"),
            says=("Certification CAP ISO 9001 suspendue", "non-conformité majeure", "rétablie"),
            details=("suspendue",),
        ),
        Case(
            "recognition withdrawn",
            _recognition("withdrawn", "suspended", reason="suspension_period_ended"),
            says=("Label CAP RSE retiré", "durée maximale de suspension"),
            details=("retiré", "suspendu"),
        ),
        Case(
            "recognition expired",
            _recognition("expired", "active", reason="expired"),
            says=("Label CAP RSE arrivé à échéance", "01/03/2029"),
            details=("arrivé à échéance",),
        ),
        Case(
            "recognition renewed",
            _recognition("renewed", "active", reason="renewed"),
            says=("Label CAP RSE renouvelé", "nouveau numéro"),
            details=("renouvelé",),
        ),
        Case(
            "recognition renewed after expiry",
            _recognition("renewed", "expired", scheme="CAP_ISO9001", reason="restored"),
            says=("Certification CAP ISO 9001 renouvelée", "rétablie après son échéance"),
            details=("renouvelée", "arrivée à échéance"),
        ),
        Case(
            "recognition restored",
            _recognition("active", "suspended", reason="major_nc_closed"),
            says=("de nouveau en vigueur", "La suspension du label CAP RSE", "levée"),
            details=("en vigueur", "suspendu"),
        ),
        Case(
            "label expiring",
            LabelExpiringV1(
                recognition_id=_id(),
                number="CAP-RSE-2026-0042",
                organisation_id=org,
                scheme="CAP_RSE",
                level="Confirmé",
                expiry_date=date(2026, 12, 26),
                days_before=30,
            ),
            says=("échéance le 26/12/2026", "dans 30 jours", "renouvellement"),
            details=("26/12/2026", "30 jours", "Confirmé"),
        ),
        Case(
            "surveillance upcoming",
            LabelSurveillanceDueV1(
                recognition_id=_id(),
                number="CAP-RSE-2026-0042",
                organisation_id=org,
                scheme="CAP_RSE",
                due_date=date(2027, 2, 1),
                stage="upcoming",
                days=67,
            ),
            says=("à prévoir avant le 01/02/2027", "dans 67 jours"),
            details=("01/02/2027", "Délai restant", "67 jours"),
        ),
        Case(
            "surveillance overdue",
            LabelSurveillanceDueV1(
                recognition_id=_id(),
                number="CAP-ISO-2026-0007",
                organisation_id=org,
                scheme="CAP_ISO9001",
                due_date=date(2026, 11, 1),
                stage="overdue",
                days=25,
            ),
            says=("Audit de surveillance en retard", "25 jours de retard", "suspendue"),
            details=("Retard", "25 jours", "01/11/2026"),
        ),
        Case(
            "complaint received",
            ComplaintReceivedV1(
                complaint_id=_id(),
                recognition_id=_id(),
                number="CAP-RSE-2026-0042",
                organisation_id=org,
                received_at=datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
            ),
            # 23:30 UTC is already the 26th in Paris.
            says=("Réclamation reçue sur le n° CAP-RSE-2026-0042", "26/11/2026", "registre public"),
            details=("26/11/2026 à 00:30", "registre public"),
        ),
        Case(
            "decision opened",
            DecisionOpenedV1(
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                kind="renewal",
                audit_id=audit,
                computed_level="Exemplaire",
            ),
            says=("Dossier de décision ouvert", "renouvellement", "Exemplaire", "comité"),
            details=("Exemplaire", "comité de labellisation", "renouvellement"),
        ),
        Case(
            "decision held",
            DecisionHeldV1(
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_ISO9001",
                audit_id=audit,
                certification_body_id="sgs-tuv",
                open_major_nc=2,
                held_until=date(2027, 5, 19),
            ),
            says=(
                "Décision en attente : 2 non-conformités majeures à lever",
                "ne prend pas effet",
                "ne sont pas encore vérifiées et closes",
                "19/05/2027",
                "nouvel audit d'étape 2",
            ),
            details=("2", "sgs-tuv", "19/05/2027", "certification CAP ISO 9001"),
        ),
        Case(
            "decision held on one major",
            DecisionHeldV1(
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                audit_id=audit,
                open_major_nc=1,
            ),
            says=("1 non-conformité majeure à lever", "n'est pas encore vérifiée et close"),
            details=("label CAP RSE",),
        ),
        Case(
            "new stage 2 required",
            Stage2RequiredV1(
                audit_id=audit,
                programme_id=_id(),
                organisation_id=org,
                scheme="CAP_ISO9001",
                audit_type="stage2",
                certification_body_id="sgs-tuv",
                last_day=date(2026, 5, 20),
                deadline=date(2026, 11, 20),
                open_major_nc=1,
            ),
            says=(
                "Nouvel audit d'étape 2 requis (certification CAP ISO 9001)",
                "20/05/2026",
                "20/11/2026",
                "n'a pas été vérifiée et close",
                "sgs-tuv",
            ),
            details=("20/05/2026", "20/11/2026", "étape 2", "sgs-tuv"),
        ),
        Case(
            "new evaluation required",
            Stage2RequiredV1(
                audit_id=audit,
                programme_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                audit_type="initial",
                certification_body_id="sgs-tuv",
                last_day=date(2026, 5, 20),
                deadline=date(2026, 11, 20),
                open_major_nc=2,
            ),
            says=("Nouvelle évaluation requise", "de l'évaluation initiale", "demandée"),
            details=("évaluation initiale",),
        ),
        Case(
            "verification overdue",
            FindingResponseDueV1(
                finding_id=_id(),
                audit_id=audit,
                organisation_id=org,
                type="major_nc",
                title="Pas de revue de direction",
                response_due=date(2026, 11, 16),
                stage="verification_overdue",
                days=10,
            ),
            says=(
                "Vérification en retard d'une non-conformité majeure",
                "16/11/2026",
                "10 jours de retard",
                "suspendu",
            ),
            details=("Vérification attendue avant le", "16/11/2026", "Retard", "10 jours"),
        ),
        Case(
            "minor escalated to major",
            _finding_change(
                "open",
                "response_submitted",
                previous_type="minor_nc",
                reason="Mineure non levée à l'audit de surveillance",
            ),
            says=(
                "Non-conformité mineure requalifiée en majeure",
                "devient une non-conformité majeure le 26/11/2026",
                "24/02/2027",
                "Motif : Mineure non levée",
            ),
            details=("non-conformité majeure", "non-conformité mineure", "à traiter"),
        ),
        Case(
            "finding appealed",
            _finding_change("appealed", "open"),
            says=("Non-conformité majeure en recours : délais suspendus", "26/11/2026"),
            details=("en recours", "à traiter"),
        ),
        Case(
            "finding appeal upheld",
            _finding_change("open", "appealed", kind="minor_nc", reason="Constat étayé."),
            says=("Recours rejeté : la non-conformité mineure est maintenue", "reprennent"),
            details=("à traiter", "en recours", "Constat étayé."),
        ),
        Case(
            "finding withdrawn",
            _finding_change("withdrawn", "appealed", reason="Exigence hors périmètre"),
            says=("Non-conformité majeure retirée après recours", "ne compte plus"),
            details=("retirée après recours",),
        ),
        Case(
            "finding downgraded",
            _finding_change(
                "open", "appealed", kind="minor_nc", previous_type="major_nc", reason="Partiel"
            ),
            says=("requalifiée en mineure après recours", "Motif : Partiel."),
            details=("non-conformité mineure", "non-conformité majeure"),
        ),
        Case(
            "finding verified",
            _finding_change("verified_closed", "plan_accepted"),
            says=("Non-conformité majeure : vérifiée et close", "26/11/2026"),
            details=("vérifiée et close", "plan d'actions accepté"),
        ),
        Case(
            "finding appeal lodged",
            FindingAppealLodgedV1(
                appeal_id=_id(),
                finding_id=_id(),
                audit_id=audit,
                organisation_id=org,
                scheme="CAP_ISO9001",
                certification_body_id="sgs-tuv",
                finding_type="major_nc",
                lodged_by="user:claire",
                lodged_at=NOW,
            ),
            says=(
                "Recours contre une non-conformité majeure",
                "26/11/2026",
                "sgs-tuv",
                "délais sont suspendus",
            ),
            details=("26/11/2026 à 10:30", "non-conformité majeure", "sgs-tuv"),
        ),
        Case(
            "finding appeal decided",
            FindingAppealDecidedV1(
                appeal_id=_id(),
                finding_id=_id(),
                audit_id=audit,
                organisation_id=org,
                scheme="CAP_ISO9001",
                outcome="downgraded",
                decided_by="user:bureau",
                decided_at=NOW,
                reason="Écart ponctuel, pas systémique",
            ),
            says=("la non-conformité majeure devient mineure", "Écart ponctuel"),
            details=("requalifiée en mineure", "26/11/2026 à 10:30", "Écart ponctuel"),
        ),
        Case(
            "decision appeal lodged",
            DecisionAppealLodgedV1(
                appeal_id=_id(),
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                decision_status="refused",
                lodged_by="user:claire",
                lodged_at=NOW,
            ),
            says=("Recours contre la décision de refus (label CAP RSE)", "comité de labellisation"),
            details=("refus", "26/11/2026 à 10:30"),
        ),
        Case(
            "decision appeal decided",
            DecisionAppealDecidedV1(
                appeal_id=_id(),
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                outcome="overturned",
                decided_by="user:comite",
                decided_at=NOW,
                reason="Le niveau ne tenait pas compte de l'évaluation du site",
            ),
            says=("Recours accepté : la décision est annulée", "de nouveau soumis au comité"),
            details=("décision annulée", "Le niveau ne tenait pas compte"),
        ),
        Case(
            "certification refused by the body",
            CertificationDecidedV1(
                audit_id=audit,
                organisation_id=org,
                audit_type="stage2",
                certification_body_id="sgs-tuv",
                outcome="refused",
                decided_on=date(2026, 11, 26),
                decided_by="Comité de certification SGS",
                reason="Non-conformité majeure (8.5.1) non levée",
                open_major_nc=1,
            ),
            says=(
                "Certification CAP ISO 9001 refusée par l'organisme certificateur",
                "sgs-tuv a refusé le 26/11/2026 la certification CAP ISO 9001",
                "Motif : Non-conformité majeure (8.5.1) non levée.",
                "peut faire appel de cette décision",
            ),
            details=("refus", "sgs-tuv", "26/11/2026", "audit initial (étape 2)", "8.5.1"),
        ),
        Case(
            "label refused by the committee",
            DecisionTakenV1(
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                kind="initial",
                outcome="refused",
                computed_level=None,
                reason="Évaluation des critères de santé et sécurité insuffisante",
                decided_on=date(2026, 11, 26),
                appeal_until=date(2026, 12, 26),
            ),
            says=(
                "Label CAP RSE refusé par le comité de labellisation",
                "a refusé le 26/11/2026 le label CAP RSE",
                "Motif : Évaluation des critères de santé et sécurité insuffisante.",
                "peut faire appel de cette décision sur la plateforme jusqu'au 26/12/2026",
            ),
            details=("refus", "26/11/2026", "26/12/2026", "santé et sécurité"),
        ),
        Case(
            "label decision deferred",
            DecisionTakenV1(
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                kind="renewal",
                outcome="deferred",
                reason="En attente de l'évaluation complète de l'auditeur",
                decided_on=date(2026, 11, 26),
            ),
            says=(
                "Décision reportée",
                "a reporté le 26/11/2026 sa décision sur le renouvellement du label CAP RSE",
                "Motif : En attente de l'évaluation complète de l'auditeur.",
            ),
            details=("report", "26/11/2026", "évaluation complète"),
        ),
        Case(
            "label granted by the committee",
            DecisionTakenV1(
                decision_id=_id(),
                organisation_id=org,
                scheme="CAP_RSE",
                kind="initial",
                outcome="granted",
                level="Progression",
                computed_level="Confirmé",
                reason="Plan d'action santé et sécurité à consolider",
                decided_on=date(2026, 11, 26),
                appeal_until=date(2026, 12, 26),
            ),
            says=(
                "Label CAP RSE accordé au niveau Progression",
                "jusqu'au 26/12/2026",
            ),
            details=("attribution", "Progression", "26/12/2026"),
        ),
        Case(
            "renewal granted by the body",
            CertificationDecidedV1(
                audit_id=audit,
                organisation_id=org,
                audit_type="renewal",
                certification_body_id="sgs-tuv",
                outcome="granted",
                decided_on=date(2026, 11, 26),
                decided_by="Comité de certification SGS",
                certificate_number="FR26/9100",
                open_major_nc=2,
            ),
            says=(
                "Renouvellement de la certification CAP ISO 9001 accordé",
                "(certificat n° FR26/9100)",
                "prend effet quand 2 non-conformités majeures de l'audit seront vérifiées",
            ),
            details=("attribution", "FR26/9100", "audit de renouvellement"),
        ),
        Case(
            "certification scope reduced",
            _recognition(
                "active",
                "active",
                scheme="CAP_ISO9001",
                reason="scope_reduced",
                scope="Mise à disposition de personnel (hors chantiers d'insertion)",
            ),
            says=(
                "Certification CAP ISO 9001 : périmètre réduit",
                "au lieu d'une suspension",
                "Mise à disposition de personnel",
                "01/03/2029",
            ),
            details=("réduction du périmètre certifié", "Périmètre", "Mise à disposition"),
        ),
    ]


CASES = cases()


def event_context(case: Case, organisation_name: str | None = ORG) -> dict[str, Any]:
    """The context the fan-out stores on an event e-mail."""
    message = describe(case.event_type, case.data, organisation_name=organisation_name)
    return {
        "event": case.data,
        "event_type": case.event_type,
        "title": message.title,
        "body": message.body,
        "link": message.link,
        "organisation_name": organisation_name,
        "recipient_name": "Claire Martin",
    }


def digest_context(*picked: Case) -> dict[str, Any]:
    items = []
    for case in picked:
        message = describe(case.event_type, case.data, organisation_name=ORG)
        items.append(
            {
                "event_type": case.event_type,
                "title": message.title,
                "body": message.body,
                "link": message.link,
                "created_at": NOW.isoformat(),
            }
        )
    return {"recipient_name": "Claire Martin", "items": items, "date": "2026-11-26"}


def flat(text: str) -> str:
    return " ".join(text.split())


# wording ---------------------------------------------------------------------------------------------
def test_every_notified_event_type_has_a_sample_and_one_list_of_types() -> None:
    assert messages.EVENT_TYPES is catalogue.EVENT_TYPES
    assert {case.event_type for case in CASES} == set(catalogue.EVENT_TYPES)
    assert len(set(catalogue.EVENT_TYPES)) == len(catalogue.EVENT_TYPES) == 23


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_describe_words_each_event_in_french(case: Case) -> None:
    message = describe(case.event_type, case.data, organisation_name=ORG)

    assert 0 < len(message.title) <= 300
    assert message.body.endswith(".")
    said = f"{message.title} {message.body}"
    for fragment in case.says:
        assert fragment in said, (fragment, said)
    assert ORG in said
    assert not ISO_DATE.search(said), said
    assert message.link is not None
    assert re.fullmatch(r"/[a-z-]+/[0-9a-f-]{36}", message.link)


def test_describe_without_an_organisation_name_and_with_a_long_title() -> None:
    case = next(c for c in CASES if c.name == "action overdue")
    data = {**case.data, "title": "Former l'équipe " * 40}

    message = describe(case.event_type, data, organisation_name=None)

    assert len(message.title) == 300
    assert message.title.endswith("…")
    assert "—" not in message.title
    assert "None" not in message.body
    assert "du plan de progrès de la structure devait" in message.body


def test_describe_refuses_an_event_type_it_does_not_notify() -> None:
    with pytest.raises(UnknownEventType):
        describe("identity.user.changed.v1", {}, organisation_name=ORG)


# templates -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_event_template_renders_text_and_html(case: Case) -> None:
    context = event_context(case)

    rendered = render("event", case.event_type, context, public_url="https://cap.coorace.org/")

    assert rendered.subject == context["title"]
    text, page = flat(rendered.text), flat(rendered.html)
    assert context["body"] in text
    assert escape(context["title"]) in page
    assert escape(context["body"]) in page
    for fragment in case.details:
        assert fragment in text, (fragment, text)
        assert escape(fragment) in page, fragment
    for part in (text, page):
        assert "Bonjour Claire Martin," in part
        assert "Plateforme CAP — Coorace" in part
        assert "https://cap.coorace.org/preferences" in part
        assert f"https://cap.coorace.org{context['link']}" in part
        assert ORG in part
        assert not ISO_DATE.search(part.replace(context["link"], ""))
    assert page.startswith('<!DOCTYPE html> <html lang="fr">')


def test_the_digest_lists_every_item() -> None:
    context = digest_context(*CASES)
    context["items"][0]["link"] = None

    rendered = render("digest", None, context, public_url="https://cap.coorace.org")

    assert rendered.subject == f"Votre récapitulatif CAP du 26/11/2026 : {len(CASES)} notifications"
    text, page = flat(rendered.text), flat(rendered.html)
    assert "Votre récapitulatif du 26/11/2026" in text
    for item in context["items"]:
        assert item["title"] in text
        assert item["body"] in text
        assert escape(item["title"]) in page
        if item["link"]:
            assert f"https://cap.coorace.org{item['link']}" in text
            assert f'href="https://cap.coorace.org{item["link"]}"' in page
    assert "26/11/2026 à 10:30" in text  # 09:30 UTC, Paris time
    assert "récapitulatif quotidien" in text
    assert "https://cap.coorace.org/preferences" in page


def test_one_item_digest_is_singular() -> None:
    rendered = render("digest", None, digest_context(CASES[0]))
    assert rendered.subject == "Votre récapitulatif CAP du 26/11/2026 : 1 notification"
    assert "1 notification depuis" in rendered.text


def test_html_is_escaped_and_text_is_not() -> None:
    case = next(c for c in CASES if c.name == "action overdue")
    name = "<script>alert(1)</script> & Cie"
    context = event_context(case, organisation_name=name)

    rendered = render("event", case.event_type, context)

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in rendered.html
    assert name in rendered.text


#: What a member or a body may type into a structure's name, a title, a reason...
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"' & "
#: Event fields that carry text people typed (ids, dates and codes the wording looks up are
#: not poisoned: the wording needs them).
TYPED = {
    "title",
    "reason",
    "summary",
    "scope",
    "decided_by",
    "lodged_by",
    "name",
    "comment",
    "description",
    "certificate_number",
}


def poisoned(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: poisoned(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(v, key) for v in value]
    return HOSTILE + value if isinstance(value, str) and key in TYPED else value


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_e_mail_escapes_what_people_typed_and_links_only_to_http(case: Case) -> None:
    """Issue 15 item 3 (e-mail): every template, with markup in every typed field, the
    structure's and the person's names; a link that is not http(s) is a path of the platform,
    never a scheme a mail client would run (``javascript:...//://`` was written as is)."""
    data = poisoned(case.data)
    organisation = HOSTILE + ORG
    message = describe(case.event_type, data, organisation_name=organisation)
    link = "javascript:alert(3)//://x"
    context = {
        **event_context(case, organisation_name=organisation),
        "event": data,
        "title": message.title,
        "body": message.body,
        "link": link,
        "recipient_name": HOSTILE + "Claire",
    }
    digest = {
        "recipient_name": HOSTILE + "Claire",
        "items": [{**digest_context(case)["items"][0], "title": message.title, "link": link}],
        "date": "2026-11-26",
    }
    for rendered in (render("event", case.event_type, context), render("digest", None, digest)):
        page = rendered.html
        assert "<script" not in page, case.name
        assert "<img" not in page, case.name
        assert 'href="javascript:' not in page, case.name
        assert str(escape(HOSTILE + "Claire")) in page
        assert not {"\n", "\r"} & set(rendered.subject)
    assert str(escape(organisation)) in render("event", case.event_type, context).html


def broken_contexts() -> list[tuple[str, Any, str | None, dict[str, Any]]]:
    planned = next(c for c in CASES if c.name == "audit planned")
    event = event_context(planned)
    digest = digest_context(planned)
    return [
        ("unknown event type", "event", "identity.user.changed.v1", event),
        ("no event type", "event", None, event),
        ("undefined variable", "event", planned.event_type, {**event, "title": None}),
        (
            "missing event field",
            "event",
            planned.event_type,
            {**event, "event": {k: v for k, v in event["event"].items() if k != "end_date"}},
        ),
        (
            "bad date",
            "event",
            planned.event_type,
            {**event, "event": {**event["event"], "start_date": "pas une date"}},
        ),
        ("incomplete digest item", "digest", None, {**digest, "items": [{"title": "seul"}]}),
        ("bad digest date", "digest", None, {**digest, "date": "hier"}),
        ("unknown kind", "weekly", None, digest),
    ]


@pytest.mark.parametrize(
    ("kind", "event_type", "context"),
    [case[1:] for case in broken_contexts()],
    ids=[case[0] for case in broken_contexts()],
)
def test_a_template_failure_is_reported_as_such(
    kind: Any, event_type: str | None, context: dict[str, Any]
) -> None:
    context = {k: v for k, v in context.items() if v is not None}

    with pytest.raises(TemplateFailure):
        render(kind, event_type, context)


# sending over SMTP -----------------------------------------------------------------------------------
@dataclass
class Mailbox:
    """An aiosmtpd handler: keeps what it accepts; answers the queued refusals first."""

    received: list[MimeMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, MimeMessage)
        self.received.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a port chosen free; started and stopped at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[MimeMessage]:
        return self.mailbox.received


@pytest.fixture
def smtp(service: Service) -> Iterator[SmtpServer]:
    """An SMTP server the service is pointed at, not started yet."""
    server = SmtpServer()
    service.settings.mail_transport = "smtp"
    service.settings.smtp_host = "127.0.0.1"
    service.settings.smtp_port = server.port
    service.settings.smtp_timeout_s = 5
    service.settings.mail_retry_delays_s = [30, 120]
    service.settings.public_base_url = "https://cap.coorace.org"
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def running(smtp: SmtpServer) -> SmtpServer:
    """The same server, started (``smtp`` stops it)."""
    smtp.start()
    return smtp


async def add_email(
    service: Service,
    context: dict[str, Any],
    *,
    kind: str = "event",
    event_type: str | None = None,
    to: str = "claire@coorace.example",
    status: str = "pending",
    next_attempt_at: datetime | None = None,
) -> EmailMessage:
    now = service.runtime.clock.now()
    row = EmailMessage(
        id=str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        to_address=to,
        kind=kind,
        event_id=str(uuid.uuid4()) if kind == "event" else None,
        event_type=event_type if kind == "event" else None,
        context=context,
        status=status,
        next_attempt_at=next_attempt_at or now,
        message_id=f"<{uuid.uuid4().hex}@cap.coorace>",
        created_at=now,
    )
    async with service.runtime.db.session() as session:
        session.add(row)
    return row


async def add_event_email(service: Service, name: str, **kwargs: Any) -> EmailMessage:
    case = next(c for c in CASES if c.name == name)
    return await add_email(
        service, event_context(case), event_type=case.event_type, kind="event", **kwargs
    )


async def reload(service: Service, row: EmailMessage) -> EmailMessage:
    async with service.runtime.db.session() as session:
        fresh = await session.get(EmailMessage, row.id)
    assert fresh is not None
    return fresh


async def run_job(service: Service) -> tuple[int, datetime]:
    """The mail job once, as the worker runs it (one transaction, the advisory lock)."""
    now = service.runtime.clock.now()

    async def body(session: Any, context: JobContext) -> int:
        return await mail.send_due(session, context.now, service.settings)

    sent = await run_once(
        service.runtime.db,
        PeriodicJob("mail-test", body),
        "notifications",
        JobContext(today=now.date(), now=now, settings=service.settings),
    )
    return sent, now


def parts(message: MimeMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    page = message.get_body(preferencelist=("html",))
    assert text is not None
    assert page is not None
    return str(text.get_content()), str(page.get_content())


async def test_event_and_digest_mails_are_sent_once_with_both_parts(
    service: Service, running: SmtpServer
) -> None:
    event_row = await add_event_email(service, "audit planned")
    digest_row = await add_email(
        service, digest_context(*CASES[:3]), kind="digest", to="bruno@coorace.example"
    )

    sent, now = await run_job(service)

    assert sent == 2
    assert len(running.received) == 2
    by_id = {m["Message-ID"]: m for m in running.received}
    event_mail, digest_mail = by_id[event_row.message_id], by_id[digest_row.message_id]
    assert event_mail["Subject"] == event_row.context["title"]
    assert "planifié du 12/01/2027 au 13/01/2027" in event_mail["Subject"]
    assert event_mail["From"] == service.settings.mail_from
    assert event_mail["To"] == "Claire Martin <claire@coorace.example>"
    assert event_mail["Date"].datetime == now.replace(microsecond=0)
    text, page = parts(event_mail)
    assert event_row.context["body"] in flat(text)
    assert "du 12/01/2027 au 13/01/2027" in text
    assert escape(event_row.context["title"]) in page
    assert f"https://cap.coorace.org{event_row.context['link']}" in page

    assert digest_mail["Subject"] == "Votre récapitulatif CAP du 26/11/2026 : 3 notifications"
    assert digest_mail["To"] == "Claire Martin <bruno@coorace.example>"
    text, page = parts(digest_mail)
    for item in digest_row.context["items"]:
        assert item["title"] in text
        assert escape(item["title"]) in page
    assert ("no-reply@cap.coorace.example", ["bruno@coorace.example"]) in running.mailbox.envelopes

    for row in (event_row, digest_row):
        fresh = await reload(service, row)
        assert (fresh.status, fresh.attempts, fresh.sent_at) == ("sent", 1, now)

    # Sent once: later runs find nothing to send.
    assert (await run_job(service))[0] == 0
    service.runtime.clock.advance(timedelta(days=2))
    assert (await run_job(service))[0] == 0
    assert len(running.received) == 2


async def test_smtp_down_is_retried_with_backoff_then_sent_exactly_once(
    service: Service, smtp: SmtpServer
) -> None:
    row = await add_event_email(service, "label expiring")
    other = await add_event_email(service, "decision opened")

    sent, first = await run_job(service)

    assert sent == 0
    for each in (row, other):
        fresh = await reload(service, each)
        assert (fresh.status, fresh.attempts) == ("pending", 1)
        assert fresh.next_attempt_at == first + timedelta(seconds=30)
        assert fresh.last_error is not None
        assert f"127.0.0.1:{smtp.port} injoignable" in fresh.last_error
    log = ok(await service.client.get("/v1/notifications/emails", headers=service.admin))["data"]
    assert {(e["id"], e["status"], e["attempts"]) for e in log} >= {
        (row.id, "pending", 1),
        (other.id, "pending", 1),
    }
    line = next(e for e in log if e["id"] == row.id)
    assert "injoignable" in line["last_error"]
    assert line["to_address"] == "claire@coorace.example"
    assert line["kind"] == "event"
    assert line["event_type"] == "label.expiring.v1"
    assert line["subject"] == row.context["title"]
    assert line["sent_at"] is None

    # Not due yet: nothing is tried.
    assert (await run_job(service))[0] == 0
    assert (await reload(service, row)).attempts == 1

    smtp.start()
    service.runtime.clock.advance(timedelta(seconds=20))
    assert (await run_job(service))[0] == 0
    assert smtp.received == []
    service.runtime.clock.advance(timedelta(seconds=15))
    sent, now = await run_job(service)

    assert sent == 2
    assert sorted(m["Message-ID"] for m in smtp.received) == sorted(
        [row.message_id, other.message_id]
    )
    fresh = await reload(service, row)
    assert (fresh.status, fresh.attempts, fresh.sent_at) == ("sent", 2, now)
    service.runtime.clock.advance(timedelta(hours=1))
    assert (await run_job(service))[0] == 0
    assert len(smtp.received) == 2
    log = ok(
        await service.client.get(
            "/v1/notifications/emails", params={"status": "sent"}, headers=service.admin
        )
    )["data"]
    assert {e["id"] for e in log} == {row.id, other.id}


async def test_a_refusing_server_is_retried_until_it_accepts(
    service: Service, running: SmtpServer
) -> None:
    running.mailbox.refusals = ["451 4.3.0 Réessayez plus tard", "554 5.7.1 Refusé"]
    row = await add_event_email(service, "finding response overdue")

    assert (await run_job(service))[0] == 0
    fresh = await reload(service, row)
    assert (fresh.status, fresh.attempts) == ("pending", 1)
    assert fresh.last_error is not None
    assert "451" in fresh.last_error

    service.runtime.clock.advance(timedelta(seconds=30))
    _, second = await run_job(service)
    fresh = await reload(service, row)
    assert (fresh.status, fresh.attempts) == ("pending", 2)
    assert fresh.last_error is not None
    assert "554" in fresh.last_error
    assert fresh.next_attempt_at == second + timedelta(seconds=120)

    service.runtime.clock.advance(timedelta(seconds=120))
    assert (await run_job(service))[0] == 1
    assert [m["Message-ID"] for m in running.received] == [row.message_id]
    assert (await reload(service, row)).status == "sent"


async def test_a_template_failure_fails_that_message_only(
    service: Service, running: SmtpServer
) -> None:
    before = await add_event_email(service, "recognition suspended")
    case = next(c for c in CASES if c.name == "recognition granted")
    broken_context = event_context(case)
    del broken_context["title"]
    broken = await add_email(service, broken_context, event_type=case.event_type)
    unknown = await add_email(service, event_context(case), event_type="audit.cancelled.v1")
    after = await add_email(service, digest_context(case), kind="digest")

    assert (await run_job(service))[0] == 2

    assert sorted(m["Message-ID"] for m in running.received) == sorted(
        [before.message_id, after.message_id]
    )
    for row, error in ((broken, "title"), (unknown, "audit.cancelled.v1")):
        fresh = await reload(service, row)
        assert (fresh.status, fresh.attempts, fresh.sent_at) == ("failed", 0, None)
        assert fresh.last_error is not None
        assert error in fresh.last_error
    # Never retried on its own.
    service.runtime.clock.advance(timedelta(days=1))
    assert (await run_job(service))[0] == 0
    assert (await reload(service, broken)).status == "failed"
    assert len(running.received) == 2


async def test_exhausted_schedule_fails_and_an_operator_retries_it(
    service: Service, smtp: SmtpServer
) -> None:
    row = await add_event_email(service, "complaint received")

    await run_job(service)  # 1st attempt, then 30 s
    service.runtime.clock.advance(timedelta(seconds=30))
    await run_job(service)  # 2nd, then 120 s
    service.runtime.clock.advance(timedelta(seconds=120))
    await run_job(service)  # 3rd: the schedule is exhausted
    fresh = await reload(service, row)
    assert (fresh.status, fresh.attempts) == ("failed", 3)
    service.runtime.clock.advance(timedelta(days=1))
    await run_job(service)
    assert (await reload(service, row)).attempts == 3

    failed = ok(
        await service.client.get(
            "/v1/notifications/emails", params={"status": "failed"}, headers=service.admin
        )
    )["data"]
    assert [(e["id"], e["attempts"]) for e in failed] == [(row.id, 3)]

    url = f"/v1/notifications/emails/{row.id}/retry"
    member = service.headers({"role": "member", "organisation_id": str(uuid.uuid4())})
    assert (await service.client.post(url, headers=member)).status_code == 403
    assert (await service.client.post(url)).status_code == 401
    retried = ok(await service.client.post(url, headers=service.admin))
    assert (retried["status"], retried["attempts"]) == ("pending", 0)
    assert retried["message_id"] == row.message_id

    smtp.start()
    assert (await run_job(service))[0] == 1
    assert [m["Message-ID"] for m in smtp.received] == [row.message_id]

    again = await service.client.post(url, headers=service.admin)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert (again.json()["status"], again.json()["current_status"]) == (409, "sent")
    missing = await service.client.post(
        f"/v1/notifications/emails/{uuid.uuid4()}/retry", headers=service.admin
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_the_mail_log_is_newest_first_and_for_admins_only(
    service: Service, smtp: SmtpServer
) -> None:
    first = await add_event_email(service, "audit requested")
    service.runtime.clock.advance(timedelta(minutes=1))
    second = await add_event_email(service, "audit planned")
    service.runtime.clock.advance(timedelta(minutes=1))
    third = await add_email(service, digest_context(CASES[0]), kind="digest")

    log = ok(await service.client.get("/v1/notifications/emails", headers=service.admin))["data"]
    assert [e["id"] for e in log] == [third.id, second.id, first.id]
    assert log[0]["subject"] is None
    assert log[0]["event_type"] is None
    limited = ok(
        await service.client.get(
            "/v1/notifications/emails", params={"limit": 1}, headers=service.admin
        )
    )
    assert [e["id"] for e in limited["data"]] == [third.id]
    rest = ok(
        await service.client.get(
            "/v1/notifications/emails",
            params={"limit": 2, "cursor": limited["next_cursor"]},
            headers=service.admin,
        )
    )
    assert ([e["id"] for e in rest["data"]], rest["next_cursor"]) == ([second.id, first.id], None)

    member = service.headers({"role": "member", "organisation_id": str(uuid.uuid4())})
    assert (await service.client.get("/v1/notifications/emails", headers=member)).status_code == 403
    bad = await service.client.get(
        "/v1/notifications/emails", params={"status": "lost"}, headers=service.admin
    )
    assert bad.status_code == 422


async def test_a_message_left_sending_is_taken_again_once_stale(
    service: Service, running: SmtpServer
) -> None:
    now = service.runtime.clock.now()
    stale = await add_event_email(
        service, "label expiring", status="sending", next_attempt_at=now - timedelta(minutes=20)
    )
    recent = await add_event_email(
        service, "label expiring", status="sending", next_attempt_at=now - timedelta(minutes=1)
    )

    assert (await run_job(service))[0] == 1

    assert [m["Message-ID"] for m in running.received] == [stale.message_id]
    assert (await reload(service, stale)).status == "sent"
    assert (await reload(service, recent)).status == "sending"


async def test_the_file_transport_writes_a_parseable_eml(service: Service, tmp_path: Path) -> None:
    service.settings.mail_transport = "file"
    service.settings.mail_dir = str(tmp_path / "mail")
    row = await add_event_email(service, "recognition restored")

    assert (await run_job(service))[0] == 1
    assert (await run_job(service))[0] == 0

    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1
    assert files[0].suffix == ".eml"
    written = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert isinstance(written, MimeMessage)
    assert written["Message-ID"] == row.message_id
    assert written["Subject"] == row.context["title"]
    text, page = parts(written)
    assert row.context["body"] in flat(text)
    assert "<h1" in page
    assert (await reload(service, row)).status == "sent"


async def test_sent_deferred_and_failed_mails_are_counted_on_the_ops_port(
    service: Service, running: SmtpServer
) -> None:
    running.mailbox.refusals = ["451 4.3.0 Réessayez plus tard"]
    await add_event_email(service, "finding response overdue")
    case = next(c for c in CASES if c.name == "recognition granted")
    broken = event_context(case)
    del broken["title"]
    await add_email(service, broken, event_type=case.event_type)
    async with ops_port() as scrape:

        async def counts() -> dict[str, float]:
            return {
                outcome: await scrape.value(
                    "cap_emails_total", service="notifications", outcome=outcome
                )
                for outcome in ("sent", "deferred", "failed")
            }

        before = await counts()
        assert (await run_job(service))[0] == 0  # refused once: deferred; the broken one failed
        service.runtime.clock.advance(timedelta(seconds=30))
        assert (await run_job(service))[0] == 1
        after = await counts()
    assert {k: after[k] - before[k] for k in after} == {"sent": 1, "deferred": 1, "failed": 1}
