"""The printable certificate: one A4 page in French, verifiable by its code and QR code."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from pypdf import PdfReader

from cap_labelling.registry.certificate import CertificateView, render_certificate

VERIFY_URL = "https://cap.coorace.org/registre/verifier/K7QH-3M9X-PT2A"


def label(**changes: object) -> CertificateView:
    view = CertificateView(
        number="CAPRSE-2026-0007",
        verification_code="K7QH-3M9X-PT2A",
        scheme="CAP_RSE",
        level="Confirmé",
        holder_name="Ensemblier Solidaire du Tarn",
        holder_siret="12345678900012",
        holder_region_name="Occitanie",
        members=[("Tarn Emploi Services", "98765432100017"), ("Atelier Vert", "11122233300044")],
        scope="Mise à disposition de personnel et chantiers d'insertion",
        certification_body="SGS-TÜV France",
        external_number=None,
        decided_on=date(2026, 3, 5),
        effective_date=date(2026, 3, 9),
        expiry_date=date(2029, 3, 5),
        status="active",
        verify_url=VERIFY_URL,
    )
    return dataclasses.replace(view, **changes)  # type: ignore[arg-type]


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(page.extract_text() for page in reader.pages)


def uris(reader: PdfReader) -> list[str]:
    found = []
    for annotation in reader.pages[0].get("/Annots", []):
        action = annotation.get_object().get("/A", {})
        if action.get("/S") == "/URI":
            found.append(action["/URI"])
    return found


def test_an_active_label_shows_what_17021_asks_and_how_to_verify_it() -> None:
    reader, text = read(render_certificate(label()))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (595, 842)  # A4
    for expected in (
        "ATTESTATION DE LABEL",
        "Label CAP RSE — niveau Confirmé",
        "N° CAPRSE-2026-0007",
        "Ensemblier Solidaire du Tarn",
        "SIRET 123 456 789 00012 — Occitanie, France",
        "Tarn Emploi Services — SIRET 987 654 321 00017",
        "Atelier Vert",
        "Structures membres couvertes (2)",
        "Mise à disposition de personnel et chantiers d'insertion",
        "ISO 26000",
        "05/03/2026",
        "09/03/2026",
        "05/03/2029",
        "Coorace — comité de labellisation CAP RSE",
        "SGS-TÜV France",
        "Code de vérification : K7QH-3M9X-PT2A",
    ):
        assert expected in text, expected
    assert "2026-03-05" not in text  # dates in French format only
    for word in ("SUSPENDU", "RETIRÉ", "EXPIRÉ", "RENOUVELÉ"):
        assert word not in text
    # The QR code and the printed address both link to the verification page.
    assert uris(reader) == [VERIFY_URL, VERIFY_URL]
    assert reader.metadata is not None
    assert reader.metadata.title == "Attestation de label CAPRSE-2026-0007"


def test_an_iso_certificate_names_the_body_and_its_own_number() -> None:
    view = label(
        number="CAPISO-2026-0002",
        scheme="CAP_ISO9001",
        level=None,
        members=[],
        external_number="FR-QMS-4521",
    )
    _, text = read(render_certificate(view))
    for expected in (
        "CERTIFICAT",
        "Certification CAP ISO 9001",
        "ISO 9001:2015",
        "Organisme certificateur",
        "SGS-TÜV France",
        "N° de certificat de l'organisme",
        "FR-QMS-4521",
    ):
        assert expected in text, expected
    assert "niveau" not in text
    assert "Structures membres" not in text


def test_a_suspended_recognition_carries_a_visible_banner() -> None:
    _, text = read(render_certificate(label(status="suspended")))
    assert "SUSPENDU" in text
    assert "temporairement pas valide" in text


@pytest.mark.parametrize(
    ("status", "banner"),
    [
        ("withdrawn", "RETIRÉ"),
        ("expired", "EXPIRÉ"),
        ("renewed", "RENOUVELÉ — voir le certificat en cours"),
    ],
)
def test_every_status_not_in_force_is_printed(status: str, banner: str) -> None:
    _, text = read(render_certificate(label(status=status)))
    assert banner in text


def test_a_large_group_with_a_long_scope_stays_on_one_page_above_the_verification() -> None:
    members = [(f"Structure membre {i}", "98765432100017") for i in range(60)]
    scope = ("Insertion par l'activité économique, mise à disposition de personnel; " * 40)[:2000]
    reader, text = read(render_certificate(label(members=members, scope=scope)))
    assert len(reader.pages) == 1
    assert "Structures membres couvertes (60)" in text
    assert "Structure membre 0 " in text
    assert "Structure membre 59" not in text
    assert "liste complète sur la page de vérification" in text
    assert "Code de vérification : K7QH-3M9X-PT2A" in text
    # Nothing of the body runs into the verification block at the bottom of the page.
    lines: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            lines.append((text.strip(), cm[5] + tm[5]))

    reader.pages[0].extract_text(visitor_text=visit)
    (verification,) = [y for text, y in lines if text.startswith("Vérifier ce document")]
    body = [y for text, y in lines if text.startswith(("Structure membre", "… et"))]
    assert len(body) > 2
    assert min(body) > verification + 12


#: What members and imports may type into a name, a scope or a body's number (issue 15 item 3).
TYPED = [
    "Directrice <b>adjointe",
    "Atelier & Cie <i>",
    "a\u000bb",
    "=1+1",
    "\u0000nul</para>",
]


@pytest.mark.parametrize("typed", TYPED)
def test_typed_text_is_printed_as_it_was_typed(typed: str) -> None:
    view = label(
        holder_name=f"Structure {typed}",
        scope=f"Périmètre {typed}",
        members=[(f"Membre {typed}", "98765432100017")],
        certification_body=f"Organisme {typed}",
        notes=[f"Note {typed}"],
    )
    _, text = read(render_certificate(view))
    visible = typed.replace("\u000b", "").replace("\u0000", "")
    for printed in (f"Structure {visible}", f"Membre {visible}", f"Note {visible}"):
        assert printed in text, (printed, text)
    iso = dataclasses.replace(view, scheme="CAP_ISO9001", level=None, external_number=typed)
    _, text = read(render_certificate(iso))
    assert f"Organisme {visible}" in text
