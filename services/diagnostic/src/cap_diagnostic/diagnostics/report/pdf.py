"""The restitution report in French, as a PDF: drawn with ReportLab (platypus for the flow, its
own SpiderChart for the radar of the themes), one named part per section.

Every text a person typed (the organisation's name, the session's details, actions, owners,
catalogue entries, referential wording) is escaped for ReportLab's markup by
:mod:`cap_shared.formats`: literal text (our own ``<b>`` is written around escaped text, never
re-enabled inside it). Pure functions: callers run :func:`render_pdf` in a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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

from cap_diagnostic.diagnostics.report.data import ReportData
from cap_diagnostic.plans.exports import ACTION_STATUS_FR, PRIORITY_FR
from cap_shared.formats import pdf_markup, xml_text

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
#: The participants' categories, as the cover counts them.
CATEGORIES_FR = {
    "staff": "salariés permanents",
    "volunteer": "bénévoles",
    "employee_in_pathway": "salariés en parcours",
    "board": "administrateurs",
    "partner": "partenaires",
}
BLUE = colors.HexColor("#1F4E79")
GREY = colors.HexColor("#B0B7C3")


def _fr_date(value: Any) -> str:
    """A date (or ISO text) as the French read it; a dash when there is none."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(value.strftime("%d/%m/%Y"))


def _score(value: Any) -> str:
    """A score out of 1000; a dash when nothing is rated."""
    return "—" if value is None else f"{value} / 1000"


@dataclass(frozen=True)
class _Styles:
    """The report's paragraph styles."""

    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    centre: ParagraphStyle

    @classmethod
    def make(cls) -> _Styles:
        """The styles, derived from ReportLab's sample sheet."""
        sheet = getSampleStyleSheet()
        body = ParagraphStyle("CapBody", parent=sheet["BodyText"], fontSize=9.5, leading=12)
        return cls(
            title=ParagraphStyle(
                "CapTitle", parent=sheet["Title"], fontSize=24, leading=30, spaceAfter=18
            ),
            h1=ParagraphStyle("CapH1", parent=sheet["Heading1"], textColor=BLUE),
            h2=ParagraphStyle("CapH2", parent=sheet["Heading2"], textColor=BLUE),
            body=body,
            small=ParagraphStyle("CapSmall", parent=body, fontSize=8, leading=10),
            centre=ParagraphStyle("CapCentre", parent=body, alignment=TA_CENTER),
        )

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of literal text (user text included: no markup of it is interpreted)."""
        return Paragraph(pdf_markup(text), style or self.body)


def _bold(text: str) -> str:
    """Our own bold markup around ``text`` escaped."""
    return f"<b>{pdf_markup(text)}</b>"


def _table(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    """A grid with banded rows, and a blue header row unless ``header`` is False."""
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, GREY),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F5F9")]),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), BLUE),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    t.setStyle(TableStyle(commands))
    return t


def _cover(s: _Styles, data: ReportData) -> list[Any]:
    """The cover: the structure, the session, the overall score; provisional until completion."""
    d, scores = data.diagnostic, data.scores
    story: list[Any] = [Spacer(1, 3 * cm), Paragraph("Rapport de restitution", s.title)]
    story.append(
        s.p(f"Diagnostic {data.referential_name} — version {data.referential_version}", s.h2)
    )
    story.append(Spacer(1, 0.6 * cm))
    participants: dict[str, int] = {}
    for person in d["participants"]:
        participants[person["category"]] = participants.get(person["category"], 0) + 1
    cover: list[list[Any]] = [
        ["Structure", s.p(data.organisation.name)],
        ["SIRET", s.p(data.organisation.siret)],
        ["Types de SIAE", s.p(", ".join(data.organisation.siae_types))],
        ["Type de diagnostic", KIND_OF_DIAGNOSTIC_FR.get(d["kind"], d["kind"])],
        ["Date de la séance", _fr_date(d["session_date"])],
        ["Animation", s.p(d["facilitator"] or "—")],
        [
            "Participants",
            s.p(
                ", ".join(f"{n} {CATEGORIES_FR.get(k, k)}" for k, n in participants.items()) or "—"
            ),
        ],
        ["Statut", STATUS_FR.get(d["status"], d["status"])],
        [
            "Score global",
            s.p(f"{_score(scores['overall']['score'])} — {scores['overall']['band'] or '—'}"),
        ],
        ["Document édité le", _fr_date(data.generated_on)],
    ]
    story.append(_table([[s.p(str(k)), v] for k, v in cover], [5 * cm, 11 * cm], header=False))
    if d["status"] in ("draft", "scheduled", "in_session"):
        story += [
            Spacer(1, 0.5 * cm),
            Paragraph(
                _bold("Version provisoire")
                + pdf_markup(
                    " : le diagnostic n'est pas terminé ; les scores portent sur les critères "
                    "déjà évalués."
                ),
                s.centre,
            ),
        ]
    if data.referential_draft:
        story += [
            Spacer(1, 0.3 * cm),
            s.p("Référentiel en version de travail, à valider avec la fédération.", s.small),
        ]
    story.append(PageBreak())
    return story


def _radar(themes: list[dict[str, Any]]) -> Drawing:
    """The radar of the themes' scores, with rings at the band thresholds."""
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
    radar.strands[0].strokeColor = BLUE
    radar.strands[0].strokeWidth = 1.5
    for i in range(1, len(rings) + 1):
        radar.strands[i].fillColor = None
        radar.strands[i].strokeColor = GREY
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
    return drawing


def _score_row(s: _Styles, label: str, group: dict[str, Any]) -> list[Any]:
    """One group's line of the scores table."""
    return [
        s.p(label),
        _score(group["score"]),
        s.p(group["band"] or "—"),
        group["rated"],
        group["not_applicable"],
        group["total"],
    ]


def _scores(s: _Styles, data: ReportData) -> list[Any]:
    """The radar, then the scores of every group: overall, themes, frameworks, kinds."""
    scores = data.scores
    themes = list(scores["themes"])
    story: list[Any] = [s.p("Positionnement par thème", s.h1), _radar(themes)]
    rows: list[list[Any]] = [["Groupe", "Score", "Niveau", "Évalués", "N/A", "Critères"]]
    for group in [scores["overall"], *themes]:
        label = "Global" if group["group"] == "overall" else f"{group['code']} — {group['name']}"
        rows.append(_score_row(s, label, group))
    for framework, groups in scores["frameworks"].items():
        for group in groups:
            rows.append(_score_row(s, f"{framework} {group['code']} — {group['name']}", group))
    for group in scores["kinds"]:
        label = "Critères de pratique" if group["code"] == "practice" else "Critères de résultat"
        rows.append(_score_row(s, label, group))
    story.append(_table(rows, [7.2 * cm, 2.4 * cm, 2.6 * cm, 1.4 * cm, 1.1 * cm, 1.5 * cm]))
    return story


def _key_figures(s: _Styles, data: ReportData) -> list[Any]:
    """The structure's key figures, when recorded."""
    if not data.key_figures:
        return []
    kf = data.key_figures
    rate = kf.get("dynamic_exit_rate")
    durable = kf.get("durable_employment_rate")
    return [
        Spacer(1, 0.4 * cm),
        s.p("Chiffres clés", s.h2),
        _table(
            [
                ["Salariés en parcours", kf["employees_in_pathway"]],
                ["Sorties dynamiques", "—" if rate is None else f"{rate * 100:.1f} %"],
                ["Sorties en emploi durable", "—" if durable is None else f"{durable * 100:.1f} %"],
            ],
            [8 * cm, 8 * cm],
            header=False,
        ),
    ]


def _criteria_table(s: _Styles, points: list[dict[str, Any]]) -> Table:
    """Criteria with their level (strengths or weak points)."""
    return _table(
        [["Critère", "Niveau"]]
        + [[s.p(f"{c['code']} — {c['name']}"), f"{c['level']} / {c['max_level']}"] for c in points],
        [13.5 * cm, 2.5 * cm],
    )


def _strengths_and_gaps(s: _Styles, data: ReportData) -> list[Any]:
    """Strengths, improvement areas, and what is missing to reach each band."""
    scores = data.scores
    story: list[Any] = [PageBreak(), s.p("Points forts", s.h1)]
    if scores["strengths"]:
        story.append(_criteria_table(s, scores["strengths"]))
    else:
        story.append(s.p("Aucun critère n'atteint encore les trois quarts de l'échelle."))
    story += [Spacer(1, 0.4 * cm), s.p("Axes d'amélioration", s.h1)]
    if scores["weak_points"]:
        story.append(_criteria_table(s, scores["weak_points"]))
    else:
        story.append(s.p("Aucun critère au plus bas de l'échelle."))
    if scores["gaps"]:
        story += [Spacer(1, 0.4 * cm), s.p("Ce qu'il manque pour atteindre chaque niveau", s.h2)]
        rows: list[list[Any]] = [["Niveau visé", "Points manquants", "Progressions suffisantes"]]
        for gap in scores["gaps"]:
            raises = (
                ", ".join(f"{r['code']} {r['from_level']}→{r['to_level']}" for r in gap["raises"])
                or "—"
            )
            rows.append(
                [
                    s.p(f"{gap['band']} ({gap['min_score']})"),
                    gap["points_missing"],
                    s.p(raises if gap["reachable"] else raises + " (insuffisant)"),
                ]
            )
        story.append(_table(rows, [4 * cm, 3 * cm, 9 * cm]))
    return story


def _plan(s: _Styles, data: ReportData) -> list[Any]:
    """The progress plan's actions."""
    story: list[Any] = [PageBreak(), s.p("Plan de progrès", s.h1)]
    if not data.actions:
        return [*story, s.p("Le plan de progrès n'est pas encore émis.")]
    rows: list[list[Any]] = [["Action", "Critère", "Responsable", "Échéance", "Priorité", "Statut"]]
    for a in data.actions:
        rows.append(
            [
                s.p(a.title),
                s.p(a.criterion_code or "—"),
                s.p(a.owner or "—"),
                _fr_date(a.due_date),
                PRIORITY_FR.get(a.priority, a.priority),
                ACTION_STATUS_FR.get(a.status, a.status) + (" (en retard)" if a.overdue else ""),
            ]
        )
    story.append(_table(rows, [6.6 * cm, 1.6 * cm, 2.6 * cm, 2 * cm, 1.6 * cm, 2.2 * cm]))
    return story


def _resources(s: _Styles, data: ReportData) -> list[Any]:
    """The catalogue's resources recommended for each gap (15 gaps at most)."""
    story: list[Any] = [Spacer(1, 0.5 * cm), s.p("Ressources recommandées", s.h1)]
    gaps = [g for g in data.recommendations.gaps if g.resources]
    if not gaps:
        return [*story, s.p("Pas de recommandation : aucun écart significatif n'a été relevé.")]
    for gap in gaps[:15]:
        block: list[Any] = [
            Paragraph(
                _bold(f"{gap.code} — {gap.name}")
                + f" (niveau {gap.level}, gain attendu {gap.expected_gain:.0f} points)",
                s.body,
            )
        ]
        for r in gap.resources:
            block.append(s.p(f"• {KIND_FR.get(r.kind, r.kind)} : {r.title} — {r.summary}", s.small))
        block.append(Spacer(1, 0.2 * cm))
        story.append(KeepTogether(block))
    return story


def _document(story: list[Any], *, organisation: str) -> bytes:
    """The A4 document of ``story``, each page with the footer naming the structure."""

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


def render_pdf(data: ReportData) -> bytes:
    """The restitution report in French: cover, radar of the themes, scores, strengths and
    improvement areas, gap to each band, the progress plan and the recommended resources."""
    s = _Styles.make()
    story = [
        *_cover(s, data),
        *_scores(s, data),
        *_key_figures(s, data),
        *_strengths_and_gaps(s, data),
        *_plan(s, data),
        *_resources(s, data),
    ]
    return _document(story, organisation=data.organisation.name)
