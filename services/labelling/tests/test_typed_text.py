"""Issue 15 items 3-4: text people typed (a structure's name, a scope, a body's certificate
number) reaches the certificate PDF, the registry's HTML page and the IAF CertSearch CSV as
literal text — never markup, never a spreadsheet formula, never a 500."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from pypdf import PdfReader

from cap_labelling.models import Organisation
from cap_shared.contracts.audit import CertificationDecidedV1
from cap_shared.formats import FORMULA_TRIGGERS

from .conftest import Service
from .test_decisions import granted_label

#: Names as a structure could be registered under (markup, an ampersand, a control character).
NAMES = ["Directrice <b>adjointe", "Atelier & Cie <script>alert(1)</script>", "a\u000bb"]
#: Cells a spreadsheet would evaluate (OWASP's triggers, TAB and CR included).
FORMULAS = ["=1+1", "\r=1+1", "\t=1+1", "@SUM(A1)", "+33 1 23", "-2+3"]


async def rename(service: Service, key: str, name: str) -> None:
    async with service.runtime.db.session() as session:
        organisation = await session.get(Organisation, service.organisations[key].id)
        assert organisation is not None
        organisation.name = name


@pytest.mark.parametrize("name", NAMES)
async def test_the_certificate_and_the_verification_page_print_names_as_typed(
    service: Service, name: str
) -> None:
    await rename(service, "a", name)
    label = await granted_label(service)
    pdf = await service.client.get(f"/v1/registry/recognitions/{label['number']}/certificate.pdf")
    assert pdf.status_code == 200, pdf.text
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert name.replace("\u000b", "") in text
    page = await service.client.get(
        f"/v1/registry/verify/{label['verification_code']}", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert "<b>" not in page.text
    assert "<script>" not in page.text
    assert "\u000b" not in page.text
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"<strong>{escaped.replace(chr(11), '')}</strong>" in page.text


async def test_the_iaf_export_neutralises_every_formula(service: Service) -> None:
    for i, formula in enumerate(FORMULAS):
        key = f"f{i}"
        await service.add_organisation(key)
        await rename(service, key, formula)
        await service.deliver(
            CertificationDecidedV1(
                audit_id=str(uuid.uuid4()),
                organisation_id=service.organisations[key].id,
                audit_type="stage2",
                certification_body_id="sgs-tuv",
                outcome="granted",
                decided_on=service.runtime.clock.today(),
                decided_by="Comité",
                certificate_number=formula,
                scope=formula,
            )
        )
    export = await service.client.get(
        "/v1/recognitions/exports/iaf-certsearch", headers=service.committee()
    )
    assert export.status_code == 200, export.text
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert len(data) == len(FORMULAS)
    for row in data:
        for column, cell in zip(header, row, strict=True):
            assert not cell.startswith(FORMULA_TRIGGERS), (column, cell)
    names = {row[header.index("Certified Entity Name")] for row in data}
    assert names == {"'" + f for f in FORMULAS}
    scopes = {row[header.index("Certification Scope")] for row in data}
    assert scopes == {"'" + f.strip() for f in FORMULAS}  # scopes are trimmed first
    numbers = {row[header.index("Certificate Number")] for row in data}
    assert numbers == {"'" + f for f in FORMULAS}
