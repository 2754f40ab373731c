"""The gateway's own problems in French for ``Accept-Language: fr``: field errors of an
organisation, a SIRET already registered, a refused sign-in (its RFC 6749 members unchanged), an
invalid bearer token; English answers unchanged."""

from __future__ import annotations

from cap_shared.testing.auth import DEV_ADMIN_EMAIL
from cap_shared.testing.siret import make_siret

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def organisation(**overrides: object) -> dict:
    values: dict = {
        "siret": make_siret(77),
        "name": "Atelier chantier d'insertion du Causse",
        "siae_types": ["ACI"],
        "region": "76",
    }
    values.update(overrides)
    return values


async def test_organisation_field_errors_are_in_french(admin, client) -> None:
    wrong = organisation(
        siret="73282932000075", siae_types=["ACI", "ACI"], region="99", name="", colour="red"
    )
    french = await client.post("/v1/organisations", json=wrong, headers={**admin, **FR})
    english = await client.post("/v1/organisations", json=wrong, headers=admin)

    assert french.status_code == english.status_code == 422
    assert french.headers["content-language"] == "fr"
    problem = french.json()
    assert problem["title"] == "Requête invalide"
    assert problem["detail"] == "Un ou plusieurs champs sont invalides."
    messages = {e["field"]: e["message"] for e in problem["errors"]}
    assert messages == {
        "body.siret": "Clé de contrôle du SIRET invalide",
        "body.name": "Doit contenir au moins 1 caractère",
        "body.siae_types": "Chaque type de SIAE n'est indiqué qu'une fois",
        "body.region": messages["body.region"],
        "body.colour": "Champ non autorisé",
    }
    assert messages["body.region"].startswith("Code de région inconnu ; codes attendus : ")
    assert "76" in messages["body.region"]
    assert {e["field"]: e["message"] for e in english.json()["errors"]}["body.siret"] == (
        "Value error, invalid SIRET check digit"
    )
    assert english.json()["title"] == "Invalid request"
    assert english.headers["content-language"] == "en"


async def test_a_siret_registered_twice_is_a_conflict_in_french(admin, client) -> None:
    assert (
        await client.post("/v1/organisations", json=organisation(), headers=admin)
    ).status_code == 201
    again = await client.post("/v1/organisations", json=organisation(), headers={**admin, **FR})
    assert again.status_code == 409
    assert again.json()["title"] == "SIRET déjà enregistré"
    assert again.json()["detail"] == f"le SIRET {make_siret(77)} est déjà enregistré"


async def test_a_refused_sign_in_is_in_french_but_its_oauth_members_stay_as_rfc_6749_says(
    client,
) -> None:
    form = {"grant_type": "password", "username": DEV_ADMIN_EMAIL, "password": "not the one"}
    french = await client.post("/v1/auth/token", data=form, headers=FR)
    english = await client.post("/v1/auth/token", data=form)
    assert french.status_code == english.status_code == 400
    assert french.json()["title"] == "Demande de jeton refusée"
    assert french.json()["detail"] == "l'adresse e-mail ou le mot de passe est incorrect"
    # Client libraries read these: the same whatever the language.
    assert french.json()["error"] == english.json()["error"] == "invalid_grant"
    assert (
        french.json()["error_description"]
        == english.json()["error_description"]
        == "the e-mail or the password is wrong"
    )
    assert english.json()["title"] == "Token request refused"


async def test_an_invalid_token_is_a_401_in_french(client) -> None:
    headers = {"Authorization": "Bearer not-a-token"}
    french = await client.get("/v1/organisations", headers={**headers, **FR})
    english = await client.get("/v1/organisations", headers=headers)
    assert french.status_code == english.status_code == 401
    assert french.json()["title"] == "Authentification requise"
    assert french.json()["detail"] == "le jeton d'accès est invalide ou expiré"
    assert english.json()["detail"] == "the access token is invalid or expired"
    assert french.headers["www-authenticate"] == english.headers["www-authenticate"]
    assert "accept-language" in french.headers["vary"].lower()
