"""Reports that leave the tool: the restitution report (PDF, French) and the action plan
(CSV and XLSX).

Data is gathered asynchronously (:func:`gather`), then rendered by pure functions that callers
run in a worker thread, so a 300 ms PDF never blocks the event loop. The PDF is drawn with
ReportLab (platypus for the flow, its own SpiderChart for the radar of the themes); the XLSX is
written with openpyxl; the CSV uses ``;`` and a BOM so spreadsheet software in French opens it
as expected.

Every text a person typed (the organisation's name, the session's details, actions, owners,
descriptions, catalogue entries, referential wording) is escaped for the format it is written
into by :mod:`cap_shared.formats`: literal text in ReportLab's markup (our own ``<b>`` is written
around escaped text, never re-enabled inside it), OWASP's formula triggers neutralised and
characters XML cannot carry dropped in every CSV and XLSX cell.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic import catalogue, diagnostics, plans
from cap_diagnostic.models import Organisation
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.repository import OrganisationRepository, PlanRepository
from cap_diagnostic.schemas import ActionOut, Recommendations
from cap_shared.formats import pdf_markup, spreadsheet_cell, spreadsheet_row, xml_text
from cap_shared.security import Principal

STATUS_FR = {
    "draft": "Brouillon",
    "scheduled": "Planifié",
    "in_session": "En séance",
    "rated": "Évalué",
    "plan_issued": "Plan émis",
    "follow_up": "Suivi",
    "closed": "Clos",
    "renewed": "Renouvelé",
}
ACTION_STATUS_FR = {
    "proposed": "Proposée",
    "planned": "Planifiée",
    "in_progress": "En cours",
    "done": "Réalisée",
    "verified": "Vérifiée",
    "cancelled": "Annulée",
}
PRIORITY_FR = {"low": "Basse", "medium": "Moyenne", "high": "Haute"}
KIND_OF_DIAGNOSTIC_FR = {
    "cap_session": "Journée CAP accompagnée",
    "self_assessment": "Auto-évaluation",
    "audit_evaluation": "Évaluation de l'auditeur (audit CAP RSE)",
}
KIND_FR = {
    "guide": "Guide",
    "training": "Formation",
    "tool": "Outil",
    "contact": "Contact",
    "event": "Événement",
}
PLAN_COLUMNS = (
    "Action",
    "Critère",
    "Thème",
    "Responsable",
    "Échéance",
    "Priorité",
    "Statut",
    "En retard",
    "Origine",
    "Gain attendu (points)",
    "Description",
)


@dataclass
class ReportData:
    """Everything the restitution report shows."""

    organisation: Organisation
    diagnostic: dict[str, Any]
    referential_name: str
    referential_version: int
    referential_draft: bool
    scores: dict[str, Any]
    key_figures: dict[str, Any] | None
    actions: list[ActionOut]
    recommendations: Recommendations
    generated_on: date
    criterion_names: dict[str, str] = field(default_factory=dict)


async def gather(
    session: AsyncSession, principal: Principal, diagnostic_id: str, today: date
) -> ReportData:
    """Read what the report needs (the caller's access rules apply)."""
    diagnostic = await diagnostics.get(session, principal, diagnostic_id)
    out = await diagnostics.to_out(session, diagnostic)
    referential = await referentials.resolved(session, diagnostic.referential_id)
    organisation = await OrganisationRepository(session).get(
        organisation_id=diagnostic.organisation_id
    )
    assert organisation is not None  # visible diagnostics have their organisation
    scores = await diagnostics.live_scores(session, principal, diagnostic_id)
    plan = await PlanRepository(session).plan_of(diagnostic.organisation_id)
    actions = (
        [plans.action_out(a, today) for a in await PlanRepository(session).actions(plan.id)]
        if plan
        else []
    )
    actions = [a for a in actions if a.status != "cancelled"]
    return ReportData(
        organisation=organisation,
        diagnostic=out.model_dump(mode="json"),
        referential_name=referential.document.name,
        referential_version=referential.version,
        referential_draft=referential.document.status.value == "draft",
        scores=scores,
        key_figures=out.key_figures,
        actions=actions,
        recommendations=await catalogue.recommendations(session, principal, diagnostic_id),
        generated_on=today,
        criterion_names={c.code: c.name for c in referential.criteria.values()},
    )


async def gather_plan(
    session: AsyncSession, principal: Principal, plan_id: str, today: date
) -> tuple[str, list[ActionOut]]:
    """The plan's organisation name and its actions (the caller's access rules apply)."""
    plan = await plans.get_plan(session, principal, plan_id, today, status=None, overdue_only=False)
    organisation = await OrganisationRepository(session).get(organisation_id=plan.organisation_id)
    return (organisation.name if organisation else plan.organisation_id), plan.actions


# action plan: CSV and XLSX -----------------------------------------------------------------------
def _plan_row(a: ActionOut) -> list[Any]:
    return [
        a.title,
        a.criterion_code or "",
        a.theme_code or "",
        a.owner or "",
        a.due_date,
        PRIORITY_FR.get(a.priority, a.priority),
        ACTION_STATUS_FR.get(a.status, a.status),
        "oui" if a.overdue else "non",
        {"diagnostic": "Diagnostic", "audit": "Audit", "manual": "Saisie"}.get(a.source, a.source),
        a.expected_gain if a.expected_gain is not None else "",
        a.description,
    ]


def plan_csv(actions: list[ActionOut]) -> bytes:
    """The action plan as CSV (UTF-8 with BOM, ``;`` separated, ISO dates)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(PLAN_COLUMNS)
    for a in actions:
        row = _plan_row(a)
        row[4] = a.due_date.isoformat() if a.due_date else ""
        writer.writerow(spreadsheet_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def plan_xlsx(organisation: str, actions: list[ActionOut]) -> bytes:
    """The action plan as an XLSX workbook (one sheet, header frozen, filters on)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Plan d'actions"
    sheet.append([spreadsheet_cell(f"Plan de progrès — {organisation}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(list(PLAN_COLUMNS))
    for cell in sheet[3]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for a in actions:
        sheet.append(spreadsheet_row(_plan_row(a)))
        if a.due_date:
            sheet.cell(row=sheet.max_row, column=5).number_format = "DD/MM/YYYY"
    widths = (48, 10, 10, 20, 12, 10, 12, 10, 12, 12, 60)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for row in sheet.iter_rows(min_row=4, min_col=11, max_col=11):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(PLAN_COLUMNS))}{max(sheet.max_row, 3)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# restitution report: PDF -----------------------------------------------------------------------
def _fr_date(value: Any) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(value.strftime("%d/%m/%Y"))


def _score(value: Any) -> str:
    return "—" if value is None else f"{value} / 1000"


def render_pdf(data: ReportData) -> bytes:
    """The restitution report in French: cover, radar of the themes, scores, strengths and
    improvement areas, gap to each band, the progress plan and the recommended resources."""
    from reportlab.graphics.charts.spider import SpiderChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    title = ParagraphStyle(
        "CapTitle", parent=styles["Title"], fontSize=24, leading=30, spaceAfter=18
    )
    h1 = ParagraphStyle("CapH1", parent=styles["Heading1"], textColor=colors.HexColor("#1F4E79"))
    h2 = ParagraphStyle("CapH2", parent=styles["Heading2"], textColor=colors.HexColor("#1F4E79"))
    body = ParagraphStyle("CapBody", parent=styles["BodyText"], fontSize=9.5, leading=12)
    small = ParagraphStyle("CapSmall", parent=body, fontSize=8, leading=10)
    centre = ParagraphStyle("CapCentre", parent=body, alignment=TA_CENTER)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        """A paragraph of literal text (user text included: no markup of it is interpreted)."""
        return Paragraph(pdf_markup(text), style)

    def bold(text: str) -> str:
        """Our own bold markup around ``text`` escaped."""
        return f"<b>{pdf_markup(text)}</b>"

    def table(rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
        t = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        commands: list[tuple[Any, ...]] = [
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B7C3")),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F5F9")]),
        ]
        if header:
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F4E79")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ]
        t.setStyle(TableStyle(commands))
        return t

    d = data.diagnostic
    scores = data.scores
    completed = d["status"] not in ("draft", "scheduled", "in_session")
    story: list[Any] = []

    # cover
    story += [Spacer(1, 3 * cm), Paragraph("Rapport de restitution", title)]
    story.append(p(f"Diagnostic {data.referential_name} — version {data.referential_version}", h2))
    story.append(Spacer(1, 0.6 * cm))
    participants: dict[str, int] = {}
    for person in d["participants"]:
        participants[person["category"]] = participants.get(person["category"], 0) + 1
    categories = {
        "staff": "salariés permanents",
        "volunteer": "bénévoles",
        "employee_in_pathway": "salariés en parcours",
        "board": "administrateurs",
        "partner": "partenaires",
    }
    cover: list[list[Any]] = [
        ["Structure", p(data.organisation.name)],
        ["SIRET", p(data.organisation.siret)],
        ["Types de SIAE", p(", ".join(data.organisation.siae_types))],
        [
            "Type de diagnostic",
            KIND_OF_DIAGNOSTIC_FR.get(d["kind"], d["kind"]),
        ],
        ["Date de la séance", _fr_date(d["session_date"])],
        ["Animation", p(d["facilitator"] or "—")],
        [
            "Participants",
            p(", ".join(f"{n} {categories.get(k, k)}" for k, n in participants.items()) or "—"),
        ],
        ["Statut", STATUS_FR.get(d["status"], d["status"])],
        [
            "Score global",
            p(f"{_score(scores['overall']['score'])} — {scores['overall']['band'] or '—'}"),
        ],
        ["Document édité le", _fr_date(data.generated_on)],
    ]
    story.append(table([[p(str(k)), v] for k, v in cover], [5 * cm, 11 * cm], header=False))
    if not completed:
        story += [
            Spacer(1, 0.5 * cm),
            Paragraph(
                bold("Version provisoire")
                + pdf_markup(
                    " : le diagnostic n'est pas terminé ; les scores portent sur les critères "
                    "déjà évalués."
                ),
                centre,
            ),
        ]
    if data.referential_draft:
        story += [
            Spacer(1, 0.3 * cm),
            p("Référentiel en version de travail, à valider avec la fédération.", small),
        ]
    story.append(PageBreak())

    # radar and scores
    story.append(p("Positionnement par thème", h1))
    themes = list(scores["themes"])
    drawing = Drawing(16 * cm, 9 * cm)
    radar = SpiderChart()
    radar.x, radar.y = round(4.5 * cm), round(0.7 * cm)
    radar.width = radar.height = round(7 * cm)
    # The chart scales to its largest value: a ring at 1000 fixes the scale, and rings at the
    # band thresholds (300, 500, 700) show where each level starts.
    rings = [0.3, 0.5, 0.7, 1.0]
    radar.data = [[(t["score"] or 0) / 1000 for t in themes]] + [[r] * len(themes) for r in rings]
    radar.labels = [
        f"{t['code']} ({t['score'] if t['score'] is not None else '—'})" for t in themes
    ]
    radar.strands[0].fillColor = colors.Color(0.12, 0.31, 0.47, alpha=0.35)
    radar.strands[0].strokeColor = colors.HexColor("#1F4E79")
    radar.strands[0].strokeWidth = 1.5
    for i in range(1, len(rings) + 1):
        radar.strands[i].fillColor = None
        radar.strands[i].strokeColor = colors.HexColor("#B0B7C3")
        radar.strands[i].strokeWidth = 0.5
        radar.strands[i].strokeDashArray = (2, 2)
    radar.spokeLabels.fontSize = 8
    drawing.add(radar)
    drawing.add(
        String(
            0,
            8.6 * cm,
            "Scores sur 1000 ; cercles : 300 (Initial), 500 (Progression), 700 (Confirmé), 1000",
            fontSize=7,
        )
    )
    story.append(drawing)

    rows: list[list[Any]] = [["Groupe", "Score", "Niveau", "Évalués", "N/A", "Critères"]]
    for group in [scores["overall"], *themes]:
        label = "Global" if group["group"] == "overall" else f"{group['code']} — {group['name']}"
        rows.append(
            [
                p(label),
                _score(group["score"]),
                p(group["band"] or "—"),
                group["rated"],
                group["not_applicable"],
                group["total"],
            ]
        )
    for framework, groups in scores["frameworks"].items():
        for group in groups:
            rows.append(
                [
                    p(f"{framework} {group['code']} — {group['name']}"),
                    _score(group["score"]),
                    p(group["band"] or "—"),
                    group["rated"],
                    group["not_applicable"],
                    group["total"],
                ]
            )
    for group in scores["kinds"]:
        rows.append(
            [
                p(
                    "Critères de pratique"
                    if group["code"] == "practice"
                    else "Critères de résultat"
                ),
                _score(group["score"]),
                p(group["band"] or "—"),
                group["rated"],
                group["not_applicable"],
                group["total"],
            ]
        )
    story.append(table(rows, [7.2 * cm, 2.4 * cm, 2.6 * cm, 1.4 * cm, 1.1 * cm, 1.5 * cm]))

    if data.key_figures:
        kf = data.key_figures
        rate = kf.get("dynamic_exit_rate")
        story += [Spacer(1, 0.4 * cm), p("Chiffres clés", h2)]
        story.append(
            table(
                [
                    ["Salariés en parcours", kf["employees_in_pathway"]],
                    ["Sorties dynamiques", "—" if rate is None else f"{rate * 100:.1f} %"],
                    [
                        "Sorties en emploi durable",
                        "—"
                        if kf.get("durable_employment_rate") is None
                        else f"{kf['durable_employment_rate'] * 100:.1f} %",
                    ],
                ],
                [8 * cm, 8 * cm],
                header=False,
            )
        )

    # strengths and improvement areas
    story += [PageBreak(), p("Points forts", h1)]
    strengths = scores["strengths"]
    if strengths:
        story.append(
            table(
                [["Critère", "Niveau"]]
                + [
                    [p(f"{s['code']} — {s['name']}"), f"{s['level']} / {s['max_level']}"]
                    for s in strengths
                ],
                [13.5 * cm, 2.5 * cm],
            )
        )
    else:
        story.append(p("Aucun critère n'atteint encore les trois quarts de l'échelle."))
    story += [Spacer(1, 0.4 * cm), p("Axes d'amélioration", h1)]
    weak = scores["weak_points"]
    if weak:
        story.append(
            table(
                [["Critère", "Niveau"]]
                + [
                    [p(f"{w['code']} — {w['name']}"), f"{w['level']} / {w['max_level']}"]
                    for w in weak
                ],
                [13.5 * cm, 2.5 * cm],
            )
        )
    else:
        story.append(p("Aucun critère au plus bas de l'échelle."))
    if scores["gaps"]:
        story += [Spacer(1, 0.4 * cm), p("Ce qu'il manque pour atteindre chaque niveau", h2)]
        rows = [["Niveau visé", "Points manquants", "Progressions suffisantes"]]
        for gap in scores["gaps"]:
            raises = (
                ", ".join(f"{r['code']} {r['from_level']}→{r['to_level']}" for r in gap["raises"])
                or "—"
            )
            rows.append(
                [
                    p(f"{gap['band']} ({gap['min_score']})"),
                    gap["points_missing"],
                    p(raises if gap["reachable"] else raises + " (insuffisant)"),
                ]
            )
        story.append(table(rows, [4 * cm, 3 * cm, 9 * cm]))

    # progress plan
    story += [PageBreak(), p("Plan de progrès", h1)]
    if data.actions:
        rows = [["Action", "Critère", "Responsable", "Échéance", "Priorité", "Statut"]]
        for a in data.actions:
            rows.append(
                [
                    p(a.title),
                    p(a.criterion_code or "—"),
                    p(a.owner or "—"),
                    _fr_date(a.due_date),
                    PRIORITY_FR.get(a.priority, a.priority),
                    ACTION_STATUS_FR.get(a.status, a.status)
                    + (" (en retard)" if a.overdue else ""),
                ]
            )
        story.append(table(rows, [6.6 * cm, 1.6 * cm, 2.6 * cm, 2 * cm, 1.6 * cm, 2.2 * cm]))
    else:
        story.append(p("Le plan de progrès n'est pas encore émis."))

    # resources
    story += [Spacer(1, 0.5 * cm), p("Ressources recommandées", h1)]
    gaps = [g for g in data.recommendations.gaps if g.resources]
    if gaps:
        for gap in gaps[:15]:
            block: list[Any] = [
                Paragraph(
                    bold(f"{gap.code} — {gap.name}")
                    + f" (niveau {gap.level}, gain attendu {gap.expected_gain:.0f} points)",
                    body,
                )
            ]
            for r in gap.resources:
                block.append(p(f"• {KIND_FR.get(r.kind, r.kind)} : {r.title} — {r.summary}", small))
            block.append(Spacer(1, 0.2 * cm))
            story.append(KeepTogether(block))
    else:
        story.append(p("Pas de recommandation : aucun écart significatif n'a été relevé."))

    organisation = data.organisation.name

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#5A6475"))
        canvas.drawString(1.8 * cm, 1.2 * cm, xml_text(f"Coorace — CAP — {organisation}")[:110])
        canvas.drawRightString(A4[0] - 1.8 * cm, 1.2 * cm, f"Page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=xml_text(f"Rapport de restitution — {organisation}"),
        author="Coorace — plateforme CAP",
        lang="fr-FR",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
