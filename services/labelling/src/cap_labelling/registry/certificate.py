"""The printable certificate of a recognition: one A4 page in French, drawn with ReportLab.

It shows what ISO/IEC 17021-1 (§8.2.2) asks of a certification document: the certified
structure and where it is (a group's member structures too), the scheme and referential, the
scope, the dates of the decision, of effect and of expiry, the unique number, and who issued it
(the certification body for CAP ISO 9001, with its own certificate number; the Coorace
labelling committee for the CAP RSE label). Anyone can check it: the verification code and a QR
code lead to the public registry's page for it (``verify_url``), also a clickable link.

A recognition that is not active carries a red banner and a watermark (SUSPENDU, RETIRÉ,
EXPIRÉ, RENOUVELÉ): a printed copy never passes for a valid one.

:func:`render_certificate` is pure and synchronous (about 20 ms): callers run it in a worker
thread. Text uses ReportLab's standard Helvetica (WinAnsi encoding covers French), as the
diagnostic service's reports do.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cap_shared.formats import pdf_markup, xml_text

SCHEME_NAMES = {"CAP_RSE": "Label CAP RSE", "CAP_ISO9001": "Certification CAP ISO 9001"}
#: The referential printed when the view names none (standard and edition, as 17021-1 asks).
DEFAULT_REFERENTIALS = {
    "CAP_RSE": "Référentiel CAP RSE de Coorace, fondé sur les lignes directrices ISO 26000:2010",
    "CAP_ISO9001": "NF EN ISO 9001:2015 et référentiel CAP ISO 9001 de Coorace",
}
#: Banner of a recognition that is not (or no longer) in force: word, explanation.
STATUS_BANNERS = {
    "suspended": (
        "SUSPENDU",
        "Suspendu : ce document n'est temporairement pas valide et ne doit pas être utilisé.",
    ),
    "withdrawn": ("RETIRÉ", "Retiré : ce document n'est plus valide et ne doit plus être utilisé."),
    "expired": ("EXPIRÉ", "Expiré : ce document n'est plus valide depuis sa date d'expiration."),
    "renewed": (
        "RENOUVELÉ",
        "RENOUVELÉ — voir le certificat en cours : ce cycle a été remplacé par le suivant.",
    ),
}
BLUE = "#1F4E79"
GREY = "#5A6475"
RED = "#B00020"
#: Members listed on the page at most; the verification page lists them all.
MAX_MEMBERS = 24


@dataclass(frozen=True)
class CertificateView:
    """What a certificate shows (gathered by the caller; dates are printed dd/mm/yyyy)."""

    number: str
    verification_code: str
    scheme: str
    level: str | None
    holder_name: str
    holder_siret: str
    holder_region_name: str
    members: list[tuple[str, str]]
    scope: str
    certification_body: str | None
    external_number: str | None
    decided_on: date
    effective_date: date
    expiry_date: date
    status: str
    verify_url: str
    #: The standard and edition certified against; defaults to the scheme's referential.
    referential: str | None = None
    #: Extra lines under the issuer (e.g. the previous cycle's number), optional.
    notes: list[str] = field(default_factory=list)
    #: When it was reissued (a scope reduction), if after the effective date.
    issued_on: date | None = None

    @property
    def scheme_name(self) -> str:
        """The scheme's printed name."""
        return SCHEME_NAMES.get(self.scheme, self.scheme)

    @property
    def is_label(self) -> bool:
        """Whether it is a CAP RSE label (the committee's) rather than a certificate."""
        return self.scheme == "CAP_RSE"


def fr_date(day: date) -> str:
    """``31/12/2026``."""
    return day.strftime("%d/%m/%Y")


def format_siret(siret: str) -> str:
    """``123 456 789 00012`` (SIREN then establishment number), as printed in France."""
    if len(siret) == 14 and siret.isdigit():
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    return siret


def _escape(text: str) -> str:
    """Typed text (names, scopes, numbers) as literal text in ReportLab's paragraph markup."""
    return pdf_markup(text)


@dataclass
class _Page:
    """The page being drawn: its canvas, geometry and the styles every part shares."""

    canvas: Any
    width: float
    height: float
    margin: float
    inner: float
    body: Any
    centre: Any

    def paragraph(
        self, text: str, style: Any, top: float, avail: float | None = None, *, left: bool = False
    ) -> float:
        """Draw ``text`` with its top at ``top`` (centred in the page, or at the left margin);
        the y below it."""
        from reportlab.platypus import Paragraph

        avail = self.inner if avail is None else avail
        p = Paragraph(text, style)
        _, h = p.wrapOn(self.canvas, avail, self.height)
        p.drawOn(
            self.canvas, self.margin if left else self.margin + (self.inner - avail) / 2, top - h
        )
        return top - h

    def centred(self, text: str, font: str, size: float, y: float, colour: Any = None) -> None:
        """One line centred in the page (blue unless ``colour``)."""
        from reportlab.lib import colors

        self.canvas.setFont(font, size)
        self.canvas.setFillColor(colors.HexColor(BLUE) if colour is None else colour)
        self.canvas.drawCentredString(self.width / 2, y, text)


def render_certificate(view: CertificateView) -> bytes:
    """The certificate as a one-page A4 PDF."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    width, height = A4
    margin = 1.6 * cm
    body = ParagraphStyle("CertBody", fontName="Helvetica", fontSize=9.5, leading=12.5)
    centre = ParagraphStyle("CertCentre", parent=body, alignment=TA_CENTER)

    buffer = io.BytesIO()
    title = ("Attestation de label" if view.is_label else "Certificat") + f" {view.number}"
    canvas = Canvas(buffer, pagesize=A4, lang="fr-FR", invariant=True)
    canvas.setTitle(title)
    canvas.setAuthor("Coorace — plateforme CAP")
    canvas.setSubject(view.scheme_name)
    canvas.setCreator("cap-labelling")
    page = _Page(canvas, width, height, margin, width - 2 * margin, body, centre)

    banner = STATUS_BANNERS.get(view.status)
    _frame(page, banner)
    y = _heading(page, view, banner)
    y = _holder(page, view, y)
    # the verification block is anchored at the bottom; the details, then the members, fill
    # the space above it (a long scope is printed smaller rather than on a second page)
    qr_size = 3.5 * cm
    bottom = 1.9 * cm
    block_top = bottom + qr_size
    y = _details(page, _entries(view), y, block_top, 2.2 * cm if view.members else 0.4 * cm)
    if view.members:
        _members(page, view.members, y, block_top)
    _verification(page, view, bottom, qr_size)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _frame(page: _Page, banner: tuple[str, str] | None) -> None:
    """The double border, and the watermark of a certificate not in force."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    canvas, width, height = page.canvas, page.width, page.height
    canvas.setStrokeColor(colors.HexColor(BLUE))
    canvas.setLineWidth(2.2)
    canvas.rect(0.9 * cm, 0.9 * cm, width - 1.8 * cm, height - 1.8 * cm)
    canvas.setLineWidth(0.6)
    canvas.rect(1.1 * cm, 1.1 * cm, width - 2.2 * cm, height - 2.2 * cm)
    if banner is not None:
        word, _explanation = banner
        # A watermark across the page, then a band everyone reads first.
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.69, 0, 0.13, alpha=0.12))
        canvas.setFont("Helvetica-Bold", 96)
        canvas.translate(width / 2, height / 2 - 1 * cm)
        canvas.rotate(40)
        canvas.drawCentredString(0, 0, word)
        canvas.restoreState()


def _heading(page: _Page, view: CertificateView, banner: tuple[str, str] | None) -> float:
    """The federation, the status band, the kind of document, the scheme and the number; the
    y below them."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    canvas, grey = page.canvas, colors.HexColor(GREY)
    y = page.height - 2.3 * cm
    page.centred("COORACE — PLATEFORME CAP", "Helvetica-Bold", 9, y, grey)
    y -= 0.55 * cm
    page.centred(
        "Fédération nationale de l'économie sociale et solidaire",
        "Helvetica",
        7.5,
        y,
        grey,
    )
    if banner is not None:
        band = 1.35 * cm
        y -= band + 0.3 * cm
        canvas.setFillColor(colors.HexColor(RED))
        canvas.rect(page.margin, y, page.inner, band, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawCentredString(page.width / 2, y + band - 0.62 * cm, banner[0])
        canvas.setFont("Helvetica", 8.5)
        canvas.drawCentredString(page.width / 2, y + 0.3 * cm, banner[1])
    y -= 1.35 * cm
    page.centred("ATTESTATION DE LABEL" if view.is_label else "CERTIFICAT", "Helvetica-Bold", 26, y)
    y -= 0.85 * cm
    # Drawn as is (not markup): only the characters a PDF string cannot show are dropped.
    heading = xml_text(view.scheme_name + (f" — niveau {view.level}" if view.level else ""))
    page.centred(heading, "Helvetica-Bold", 15, y)
    y -= 0.65 * cm
    page.centred(f"N° {view.number}", "Helvetica", 11, y, colors.black)
    y -= 1.0 * cm
    page.centred(
        "est attribué à" if view.is_label else "est délivré à", "Helvetica-Oblique", 10, y, grey
    )
    return y


def _holder(page: _Page, view: CertificateView, y: float) -> float:
    """The holder's name, SIRET and region; the y below them."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm

    y -= 0.95 * cm
    holder = ParagraphStyle(
        "CertHolder",
        parent=page.centre,
        fontName="Helvetica-Bold",
        fontSize=18,
        leading=22,
        textColor=colors.black,
    )
    y = page.paragraph(_escape(view.holder_name), holder, y + 0.5 * cm, page.inner - 2 * cm)
    y -= 0.15 * cm
    where = f"{view.holder_region_name}, France"
    if view.holder_siret:
        where = f"SIRET {format_siret(view.holder_siret)} — {where}"
    if view.members:
        where += " — fonction centrale du groupe"
    return page.paragraph(_escape(where), page.centre, y)


def _entries(view: CertificateView) -> list[tuple[str, str]]:
    """The certified scope and referential, the dates and the issuer, as label and markup."""
    entries: list[tuple[str, str]] = [
        ("Référentiel", _escape(view.referential or DEFAULT_REFERENTIALS.get(view.scheme, "—")))
    ]
    if view.level:
        entries.append(("Niveau", f"<b>{_escape(view.level)}</b>"))
    entries += [
        ("Périmètre", _escape(view.scope.strip() or "—")),
        ("Date de décision", fr_date(view.decided_on)),
        ("Date d'effet", fr_date(view.effective_date)),
        *(
            [("Réémis le", fr_date(view.issued_on))]
            if view.issued_on and view.issued_on > view.effective_date
            else []
        ),
        ("Date d'expiration", f"<b>{fr_date(view.expiry_date)}</b>"),
    ]
    if view.is_label:
        entries.append(("Délivré par", "Coorace — comité de labellisation CAP RSE"))
        if view.certification_body:
            entries.append(("Évaluation réalisée par", _escape(view.certification_body)))
    else:
        entries.append(("Organisme certificateur", _escape(view.certification_body or "—")))
        if view.external_number:
            entries.append(("N° de certificat de l'organisme", _escape(view.external_number)))
    entries += [("Note", _escape(note)) for note in view.notes]
    return entries


def _details(
    page: _Page, entries: list[tuple[str, str]], y: float, block_top: float, reserve: float
) -> float:
    """The details table, in the largest print that leaves ``reserve`` above the verification
    block; the y below it."""
    from reportlab.lib.units import cm

    y -= 0.45 * cm
    for size in (9.5, 8.5, 7.5, 6.5, 5.5):
        details = _details_table(entries, size, page.inner)
        _, h = details.wrapOn(page.canvas, page.inner, page.height)
        if y - h >= block_top + reserve:
            break
    details.drawOn(page.canvas, page.margin, y - h)
    below: float = y - h
    return below


def _members(page: _Page, members: list[tuple[str, str]], y: float, block_top: float) -> None:
    """The group's member structures, as many as fit above the verification block."""
    from reportlab.lib.units import cm

    y -= 0.4 * cm
    y = page.paragraph(f"<b>Structures membres couvertes ({len(members)})</b>", page.body, y)
    y -= 0.1 * cm
    space = y - block_top - 0.5 * cm
    members = list(members)
    for size in (8.5, 7.5, 6.5):
        shown = members[:MAX_MEMBERS]
        table = _members_table(shown, len(members) - len(shown), size, page.inner)
        _, h = table.wrapOn(page.canvas, page.inner, page.height)
        while h > space and shown:
            shown = shown[:-2]
            table = _members_table(shown, len(members) - len(shown), size, page.inner)
            _, h = table.wrapOn(page.canvas, page.inner, page.height)
        if len(shown) == min(len(members), MAX_MEMBERS) or size == 6.5:
            break
    table.drawOn(page.canvas, page.margin, y - h)


def _verification(page: _Page, view: CertificateView, bottom: float, qr_size: float) -> None:
    """The verification block: QR code, verification code, link, and the registry's notice."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm

    canvas, margin = page.canvas, page.margin
    block_top = bottom + qr_size
    qr = QrCodeWidget(view.verify_url, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(
        qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0]
    )
    drawing.add(qr)
    qr_x = page.width - margin - qr_size
    renderPDF.draw(drawing, canvas, qr_x, bottom)
    canvas.linkURL(view.verify_url, (qr_x, bottom, qr_x + qr_size, block_top), relative=0)
    text_width = page.inner - qr_size - 0.5 * cm
    verify = ParagraphStyle("CertVerify", parent=page.body, fontSize=9, leading=11.5)
    small = ParagraphStyle(
        "CertSmall", parent=page.body, fontSize=7, leading=8.5, textColor=colors.HexColor(GREY)
    )
    top = page.paragraph(
        "<b>Vérifier ce document</b> : scannez le code QR ou saisissez le code de vérification "
        "dans le registre public de Coorace.",
        verify,
        block_top,
        text_width,
        left=True,
    )
    canvas.setFont("Helvetica-Bold", 13)
    canvas.setFillColor(colors.black)
    canvas.drawString(margin, top - 0.6 * cm, f"Code de vérification : {view.verification_code}")
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(colors.HexColor(BLUE))
    url_y = top - 1.15 * cm
    url = view.verify_url if len(view.verify_url) <= 80 else view.verify_url[:77] + "..."
    canvas.drawString(margin, url_y, url)
    url_width = min(canvas.stringWidth(url, "Helvetica", 8), text_width)
    canvas.linkURL(view.verify_url, (margin, url_y - 2, margin + url_width, url_y + 9), relative=0)
    owner = "Coorace" if view.is_label else "l'organisme certificateur"
    page.paragraph(
        "Le statut en vigueur (actif, suspendu, retiré, expiré) est celui du registre public. "
        f"Ce document reste la propriété de {owner} ; il est valide jusqu'à sa date "
        "d'expiration, sous réserve des audits de surveillance.",
        small,
        url_y - 0.25 * cm,
        text_width,
        left=True,
    )


def _details_table(entries: list[tuple[str, str]], size: float, inner: float) -> Any:
    """Label and value rows (referential, level, scope, dates, issuer) at font ``size``."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Table, TableStyle

    body = ParagraphStyle("CertBody", fontName="Helvetica", fontSize=size, leading=size * 1.3)
    label = ParagraphStyle(
        "CertLabel", parent=body, fontSize=size - 1, textColor=colors.HexColor(GREY)
    )
    table = Table(
        [[Paragraph(k, label), Paragraph(v, body)] for k, v in entries],
        colWidths=[4.6 * cm, inner - 4.6 * cm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#C9D1DC")),
                ("TOPPADDING", (0, 0), (-1, -1), 3 if size > 8 else 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 if size > 8 else 1.5),
            ]
        )
    )
    return table


def _members_table(members: list[tuple[str, str]], hidden: int, size: float, inner: float) -> Any:
    """The member structures in two columns (name, SIRET), smallest print first to go."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    style = ParagraphStyle("CertMember", fontName="Helvetica", fontSize=size, leading=size * 1.25)
    cells = [
        Paragraph(f"{_escape(name)} — SIRET {format_siret(siret)}", style)
        for name, siret in members
    ]
    if hidden:
        cells.append(
            Paragraph(
                f"… et {hidden} autre(s) structure(s) : liste complète sur la page de vérification.",
                style,
            )
        )
    if len(cells) % 2:
        cells.append(Paragraph("", style))
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[inner / 2, inner / 2])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.black),
            ]
        )
    )
    return table
