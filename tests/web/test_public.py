"""The public screens, no sign-in (issue 17, screen 1), in-process: the registry search and its
pages, a recognition and its certificate, verification by code, the complaint form and its
anti-abuse guards — and bad input everywhere (control characters, HTML, over-long codes,
forged tokens)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from itsdangerous import TimestampSigner

from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology
from cap_web.pages import public
from cap_web.testing import ConsoleClient, hidden_fields

from ..journeys.steps import eventually, ok


@dataclass
class Registry:
    """Three CAP RSE labels imported into the registry: one valid, one suspended, one
    withdrawn (number, verification code and holder of each)."""

    numbers: dict[str, str]
    codes: dict[str, str]
    holders: dict[str, str]


HOLDERS = {
    "active": "Jardins de la Montagne Noire",
    "suspended": "Recyclerie du Lauragais",
    "withdrawn": "Atelier Bois du Tarn",
}
STATUT = {"active": "actif", "suspended": "suspendu", "withdrawn": "retiré"}
LEVEL = {"active": "Progression", "suspended": "Initial", "withdrawn": "Confirmé"}


@pytest.fixture
async def registry(standalone: Topology) -> Registry:
    client, admin = standalone.client, standalone.admin
    lines = []
    for index, (status, name) in enumerate(HOLDERS.items()):
        siret = make_siret(9100 + index)
        ok(
            await client.post(
                "/v1/organisations",
                json={"siret": siret, "name": name, "siae_types": ["ACI"], "region": "76"},
                headers=admin,
            ),
            201,
        )
        lines.append(
            {
                "numero": f"CAPRSE-TEST-2026-{index:03d}",
                "siret": siret,
                "dispositif": "CAP_RSE",
                "niveau": LEVEL[status],
                "organisme": "",
                "perimetre": "Ensemble des activités de la structure",
                "date_decision": "2026-01-15",
                "date_effet": "2026-01-15",
                "date_expiration": "2029-01-14",
                "statut": STATUT[status],
            }
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(lines[0]), delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    content = out.getvalue().encode()

    async def imported() -> bool:
        answer = await client.post(
            "/v1/recognitions/imports",
            files={"file": ("registre.csv", content, "text/csv")},
            headers=admin,
        )
        return answer.status_code == 200  # refused while the structures are not known yet

    await eventually(imported, what="the labelling service knows the structures")
    held = ok(await client.get("/v1/recognitions", params={"limit": 200}, headers=admin))["data"]
    by_number = {r["number"]: r for r in held}
    numbers, codes = {}, {}
    for index, status in enumerate(HOLDERS):
        recognition = by_number[f"CAPRSE-TEST-2026-{index:03d}"]
        numbers[status] = recognition["number"]
        codes[status] = recognition["verification_code"]
    return Registry(numbers, codes, dict(HOLDERS))


def main(page: str) -> str:
    """The page's main content (the header and footer left out)."""
    found = re.search(r"<main\b.*?</main>", page, re.S)
    assert found is not None, page[:500]
    return found.group(0)


def secret_key(console: ConsoleClient) -> str:
    app = console.http._transport.app.console  # type: ignore[attr-defined]
    return str(app.state.settings.secret_key)


# -- the registry ----------------------------------------------------------------------------------
async def test_the_registry_lists_what_is_in_force_filters_and_pages_it(
    console: ConsoleClient, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = await console.get("/registre")
    assert page.status_code == 200
    shown = main(page.text)
    assert registry.holders["active"] in shown
    assert registry.holders["suspended"] in shown  # in force: valid and suspended
    assert registry.holders["withdrawn"] not in shown
    assert "2 résultats." in shown

    withdrawn = main((await console.get("/registre", params={"status": "withdrawn"})).text)
    assert registry.holders["withdrawn"] in withdrawn
    assert registry.holders["active"] not in withdrawn
    assert '<option value="withdrawn" selected>' in withdrawn

    by_name = main((await console.get("/registre", params={"q": "montagne noire"})).text)
    assert registry.holders["active"] in by_name
    assert registry.holders["suspended"] not in by_name
    by_level = main((await console.get("/registre", params={"level": "Initial"})).text)
    assert registry.holders["suspended"] in by_level
    assert registry.holders["active"] not in by_level
    elsewhere = main((await console.get("/registre", params={"region": "53"})).text)
    assert "Aucune structure ne correspond" in elsewhere

    # paged with the API's cursor, the filters kept
    monkeypatch.setattr(public, "PAGE_SIZE", 1)
    first = main((await console.get("/registre", params={"scheme": "CAP_RSE"})).text)
    found = re.search(r'href="([^"]+)" rel="next">Suivants<', first)
    assert found is not None
    next_url = found.group(1).replace("&amp;", "&")
    assert "scheme=CAP_RSE" in next_url
    assert "Première page" not in first
    second = main((await console.get(next_url)).text)
    names = [n for n in HOLDERS.values() if n in first] + [
        n for n in HOLDERS.values() if n in second
    ]
    assert sorted(names) == sorted([registry.holders["active"], registry.holders["suspended"]])
    assert "Première page" in second
    assert "Suivants" not in second

    # htmx asks for the results alone (the count swapped out of band)
    answer = await console.get(
        "/registre", params={"q": "recyclerie"}, headers={"hx-request": "true"}
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert registry.holders["suspended"] in answer.text
    assert registry.holders["active"] not in answer.text
    assert '<p id="result-count" class="muted" role="status" hx-swap-oob="true">' in answer.text
    # going back in the browser's history asks for the whole page
    restored = await console.get(
        "/registre",
        params={"q": "recyclerie"},
        headers={"hx-request": "true", "hx-history-restore-request": "true"},
    )
    assert "<html" in restored.text


async def test_bad_input_in_the_search_is_harmless_and_explained(
    console: ConsoleClient, registry: Registry
) -> None:
    for typed in (
        "<script>alert(1)</script>",
        "mon\x00tagne\x1b[31m",
        "=cmd|' /C calc'!A0",
        '"><img src=x onerror=alert(1)>',
    ):
        answer = await console.get("/registre", params={"q": typed})
        assert answer.status_code in (200, 422), typed
        shown = main(answer.text)
        assert "<script>alert" not in shown
        assert "<img src=x" not in shown
        assert "\x00" not in answer.text
        assert "\x1b" not in answer.text
        assert "Erreur inattendue" not in shown
    control = main((await console.get("/registre", params={"q": "mon\x00tagne"})).text)
    assert registry.holders["active"] in control  # the control character is dropped

    short = await console.get("/registre", params={"q": "a"})
    assert short.status_code == 422
    assert "au moins 2 lettres" in short.text
    assert 'aria-invalid="true"' in short.text
    long = await console.get("/registre", params={"q": "x" * 150})
    assert long.status_code == 422
    assert "100 caractères" in long.text

    odd = await console.get(
        "/registre", params={"region": "<b>", "scheme": "X", "status": "gone", "level": "\x01"}
    )
    assert odd.status_code == 200  # unknown filters are ignored
    assert registry.holders["active"] in odd.text
    forged = await console.get("/registre", params={"cursor": "not-a-cursor"})
    assert forged.status_code == 422
    assert 'class="problem"' in forged.text
    assert "Erreur inattendue" not in forged.text


# -- a recognition ---------------------------------------------------------------------------------
async def test_a_recognition_page_its_certificate_and_unknown_numbers(
    console: ConsoleClient, registry: Registry
) -> None:
    number = registry.numbers["suspended"]
    page = await console.get(f"/registre/{number}")
    assert page.status_code == 200
    shown = main(page.text)
    assert f"<h1>{registry.holders['suspended']}</h1>" in shown
    assert "Label CAP RSE" in shown
    assert "Initial" in shown
    assert "Suspendu" in shown
    assert "<caption>Historique du statut</caption>" in shown
    assert "14 janvier 2029" in shown  # expiry date, in French
    assert f"/registre/{number}/certificat.pdf" in shown
    assert f"/verifier/{registry.codes['suspended']}" in shown
    assert f"/reclamation?numero={number}" in shown

    answer = await console.get(f"/registre/{registry.numbers['active']}/certificat.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert registry.numbers["active"] in answer.headers["content-disposition"]
    assert answer.content.startswith(b"%PDF")

    for unknown in ("CAPRSE-NOPE-0000", "%3Cscript%3E", "a" * 200, "x"):
        for path in (f"/registre/{unknown}", f"/registre/{unknown}/certificat.pdf"):
            missing = await console.get(path)
            assert missing.status_code == 404, path
            assert "Reconnaissance introuvable" in missing.text
            assert "<script>" not in main(missing.text)


# -- verification ----------------------------------------------------------------------------------
async def test_a_code_says_plainly_whether_the_label_holds(
    console: ConsoleClient, registry: Registry
) -> None:
    for status, title, verdict in [
        ("active", "Label valide", "Valide."),
        ("suspended", "Label suspendu", "Suspendu."),
        ("withdrawn", "Label retiré", "Retiré."),
    ]:
        page = await console.get(f"/verifier/{registry.codes[status]}")
        assert page.status_code == 200
        shown = main(page.text)
        assert f"<h1>{title}</h1>" in shown
        assert f"<strong>{verdict}</strong>" in shown
        assert registry.holders[status] in shown
        assert registry.numbers[status] in shown

    # typed loosely, read as the certificate prints it
    code = registry.codes["active"]
    answer = await console.get("/verifier", params={"code": f" {code.lower().replace('-', ' ')} "})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/verifier/{code}"
    page = await console.get(f"/verifier/{code.replace('-', '').lower()}")
    assert "<h1>Label valide</h1>" in page.text

    for typed, status, title in [
        ("ZZZZ-ZZZZ-ZZZZ", 404, "Code inconnu"),
        ("A" * 300, 400, "Code non valide"),
        ("%3Cscript%3Ealert(1)%3C", 400, "Code non valide"),
        ("abc%01def", 400, "Code non valide"),
        ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404, "Page introuvable"),
    ]:
        page = await console.get(f"/verifier/{typed}")
        assert page.status_code == status, typed
        assert f"<h1>{title}</h1>" in page.text
        assert "<script>alert" not in page.text
        assert "\x01" not in page.text


async def test_the_verification_form_and_a_forged_receipt(console: ConsoleClient) -> None:
    blank = await console.get("/verifier")
    assert blank.status_code == 200
    assert 'for="f-code"' in blank.text
    empty = await console.get("/verifier", params={"code": "  "})
    assert empty.status_code == 422
    assert "Saisissez le code" in empty.text
    odd = await console.get("/verifier", params={"code": "<b>" + "x" * 80})
    assert odd.status_code == 422
    assert "&lt;b&gt;" in odd.text
    assert "<b>xxx" not in odd.text

    forged = await console.get(
        "/reclamation/recue", params={"recu": "eyJyZWZlcmVuY2UiOiJSLUZBS0UifQ.x"}
    )
    assert forged.status_code == 404
    assert "R-FAKE" not in forged.text


# -- complaints ------------------------------------------------------------------------------------
COMPLAINT = {
    "name": "Lucie Garnier",
    "email": "lucie.garnier@example.org",
    "message": "Le logo du label figure sur des devis alors que le label est suspendu.",
}


async def complaints_of(standalone: Topology) -> list[dict[str, Any]]:
    answer = await standalone.client.get(
        "/v1/complaints", params={"limit": 200}, headers=standalone.admin
    )
    return list(ok(answer)["data"])


async def test_a_complaint_is_sent_once_from_a_recognition_and_gets_its_reference(
    console: ConsoleClient,
    registry: Registry,
    standalone: Topology,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = registry.numbers["suspended"]
    form_page = f"/reclamation?numero={number}"
    page = await console.get(form_page)
    assert page.status_code == 200
    assert registry.holders["suspended"] in page.text
    assert f'value="{number}"' in page.text
    assert 'name="site_web"' in page.text
    assert 'maxlength="254" autocomplete="email"' in page.text

    monkeypatch.setattr(public, "MIN_FILL_S", 0)
    message = "Vu sur <b>leurs devis</b>\x01 : =cmd|' /C calc'!A0\r\nDeuxième ligne."
    fields = {
        **hidden_fields(page.text, "/reclamation"),
        "numero": number,
        **COMPLAINT,
        "message": message,
    }
    answer = await console.http.post("/reclamation", data=fields)
    again = await console.http.post("/reclamation", data=fields)  # a double click
    assert answer.status_code == again.status_code == 303, answer.text
    assert answer.headers["location"] == again.headers["location"]
    receipt = await console.get(answer.headers["location"])
    assert receipt.status_code == 200
    found = re.search(r'<strong class="reference">(R-[^<]+)</strong>', receipt.text)
    assert found is not None
    reference = found.group(1)

    (held,) = await complaints_of(standalone)  # one complaint, not two
    assert held["reference"] == reference
    assert held["number"] == number
    assert held["reporter_email"] == COMPLAINT["email"]
    # the HTML is kept as text, the control character dropped, the lines kept
    assert held["message"] == "Vu sur <b>leurs devis</b> : =cmd|' /C calc'!A0\nDeuxième ligne."


async def test_posts_not_typed_by_a_person_are_refused_and_keep_the_text(
    console: ConsoleClient,
    registry: Registry,
    standalone: Topology,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = registry.numbers["active"]
    form_page = f"/reclamation?numero={number}"

    def kept(text: str) -> None:
        assert COMPLAINT["message"] in text  # nothing typed is lost
        assert f'value="{COMPLAINT["email"]}"' in text
        assert "Message non envoyé" in text

    too_fast = await console.submit(form_page, "/reclamation", {"numero": number, **COMPLAINT})
    assert too_fast.status_code == 422
    assert "trop vite" in too_fast.text
    kept(too_fast.text)

    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - public.MAX_FORM_AGE_S - 60

    old = Yesterday(secret_key(console), salt="cap-web.complaint-form").sign(b"complaint").decode()
    for token, words in [(old, "trop longtemps"), ("complaint.AAAA.BBBB", "pas pu être vérifié")]:
        answer = await console.submit(
            form_page, "/reclamation", {"numero": number, **COMPLAINT, "form_token": token}
        )
        assert answer.status_code == 422
        assert words in answer.text
        kept(answer.text)

    monkeypatch.setattr(public, "MIN_FILL_S", 0)
    trapped = await console.submit(
        form_page,
        "/reclamation",
        {"numero": number, **COMPLAINT, "site_web": "https://spam.example"},
    )
    assert trapped.status_code == 422
    kept(trapped.text)
    assert "spam.example" not in trapped.text  # the trap is empty again

    forged = await console.submit(
        form_page, "/reclamation", {"numero": number, **COMPLAINT, "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    assert "Formulaire refusé" in forged.text
    assert await complaints_of(standalone) == []


async def test_bad_fields_are_explained_in_the_form(
    console: ConsoleClient,
    registry: Registry,
    standalone: Topology,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(public, "MIN_FILL_S", 0)
    answer = await console.submit(
        "/reclamation",
        "/reclamation",
        {"numero": "<b>?", "name": "\x00", "email": "pas-une-adresse", "message": "court"},
    )
    assert answer.status_code == 422
    for name in ("numero", "name", "email", "message"):
        assert f'id="e-{name}"' in answer.text
        assert f'id="f-{name}"' in answer.text
    assert "<b>?" not in main(answer.text)

    long = await console.submit(
        "/reclamation",
        "/reclamation",
        {"numero": registry.numbers["active"], **COMPLAINT, "message": "é" * 4001},
    )
    assert long.status_code == 422
    assert "4 000 au plus" in long.text

    unknown = await console.submit(
        "/reclamation", "/reclamation", {"numero": "CAPRSE-NOPE-0000", **COMPLAINT}
    )
    assert unknown.status_code == 422
    assert "Aucune reconnaissance du registre n&#39;a ce numéro" in unknown.text
    assert COMPLAINT["message"] in unknown.text
    assert await complaints_of(standalone) == []
