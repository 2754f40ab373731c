"""Field errors in French: the message of a pydantic validation error for ``Accept-Language: fr``.

Pydantic writes its messages in English. :func:`message_fr` writes the French one from the
error's ``type`` and ``ctx`` (``min_length``, ``le``, ``expected``...). A validator of ours
raises :class:`FieldError` to give its own message in both languages; a plain ``ValueError``
keeps its English message in a French answer (nothing better can be said without it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class FieldError(ValueError):
    """A validator's refusal worded in English (``str(exc)``, unchanged) and in French."""

    def __init__(self, message: str, message_fr: str) -> None:
        super().__init__(message)
        self.message_fr = message_fr


def _plural(count: Any, word: str) -> str:
    try:
        many = int(count) > 1
    except (TypeError, ValueError):
        many = True
    return f"{count} {word}{'s' if many else ''}"


def _number(value: Any) -> str:
    """A bound as French writes it: ``1`` for ``1.0``, ``0,5`` for ``0.5``."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return str(value)


def _expected(ctx: Mapping[str, Any]) -> str:
    """Pydantic's ``'a', 'b' or 'c'`` in French (``'a', 'b' ou 'c'``)."""
    expected = str(ctx.get("expected", ""))
    head, sep, tail = expected.rpartition(" or ")
    return f"{head} ou {tail}" if sep else expected


_Message = Callable[[Mapping[str, Any]], str]


def _fixed(text: str) -> _Message:
    return lambda _ctx: text


_MESSAGES: dict[str, _Message] = {
    "missing": _fixed("Champ obligatoire"),
    "extra_forbidden": _fixed("Champ non autorisé"),
    "not_null": _fixed("Ne peut pas être null : omettez le champ pour le laisser inchangé"),
    "string_type": _fixed("Une chaîne de caractères est attendue"),
    "string_unicode": _fixed("Une chaîne Unicode valide est attendue"),
    "string_too_short": lambda c: (
        "Doit contenir au moins " + _plural(c.get("min_length"), "caractère")
    ),
    "string_too_long": lambda c: (
        "Doit contenir au plus " + _plural(c.get("max_length"), "caractère")
    ),
    "string_pattern_mismatch": lambda c: f"Doit respecter le motif « {c.get('pattern')} »",
    "int_type": _fixed("Un nombre entier est attendu"),
    "int_parsing": _fixed("Un nombre entier est attendu"),
    "int_parsing_size": _fixed("Nombre entier hors des limites"),
    "int_from_float": _fixed("Un nombre entier est attendu (sans partie décimale)"),
    "float_type": _fixed("Un nombre est attendu"),
    "float_parsing": _fixed("Un nombre est attendu"),
    "decimal_type": _fixed("Un nombre décimal est attendu"),
    "decimal_parsing": _fixed("Un nombre décimal est attendu"),
    "decimal_max_digits": lambda c: "Au plus " + _plural(c.get("max_digits"), "chiffre"),
    "decimal_max_places": lambda c: (
        "Au plus " + _plural(c.get("decimal_places"), "chiffre") + " après la virgule"
    ),
    "finite_number": _fixed("Un nombre fini est attendu"),
    "bool_type": _fixed("Un booléen (true ou false) est attendu"),
    "bool_parsing": _fixed("Un booléen (true ou false) est attendu"),
    "greater_than": lambda c: f"Doit être supérieur à {_number(c.get('gt'))}",
    "greater_than_equal": lambda c: f"Doit être supérieur ou égal à {_number(c.get('ge'))}",
    "less_than": lambda c: f"Doit être inférieur à {_number(c.get('lt'))}",
    "less_than_equal": lambda c: f"Doit être inférieur ou égal à {_number(c.get('le'))}",
    "multiple_of": lambda c: f"Doit être un multiple de {_number(c.get('multiple_of'))}",
    "too_short": lambda c: "Doit contenir au moins " + _plural(c.get("min_length"), "élément"),
    "too_long": lambda c: "Doit contenir au plus " + _plural(c.get("max_length"), "élément"),
    "list_type": _fixed("Une liste est attendue"),
    "tuple_type": _fixed("Une liste est attendue"),
    "set_type": _fixed("Une liste de valeurs distinctes est attendue"),
    "frozen_set_type": _fixed("Une liste de valeurs distinctes est attendue"),
    "dict_type": _fixed("Un objet est attendu"),
    "model_type": _fixed("Un objet est attendu"),
    "model_attributes_type": _fixed("Un objet est attendu"),
    "dataclass_type": _fixed("Un objet est attendu"),
    "enum": lambda c: f"Valeur inconnue : {_expected(c)} attendu",
    "literal_error": lambda c: f"Valeur inconnue : {_expected(c)} attendu",
    "union_tag_invalid": lambda c: f"Type inconnu : {_expected(c)} attendu",
    "union_tag_not_found": lambda c: f"Le champ « {c.get('discriminator')} » est obligatoire",
    "json_invalid": _fixed("JSON invalide"),
    "json_type": _fixed("Un document JSON est attendu"),
    "uuid_type": _fixed("Un UUID est attendu"),
    "uuid_parsing": _fixed("Un UUID est attendu"),
    "uuid_version": _fixed("Version d'UUID inattendue"),
    "datetime_type": _fixed("Une date et heure est attendue (RFC 3339)"),
    "datetime_parsing": _fixed("Une date et heure valide est attendue (RFC 3339)"),
    "datetime_from_date_parsing": _fixed("Une date et heure valide est attendue (RFC 3339)"),
    "datetime_object_invalid": _fixed("Date et heure invalide"),
    "date_type": _fixed("Une date est attendue (AAAA-MM-JJ)"),
    "date_parsing": _fixed("Une date valide est attendue (AAAA-MM-JJ)"),
    "date_from_datetime_parsing": _fixed("Une date valide est attendue (AAAA-MM-JJ)"),
    "date_from_datetime_inexact": _fixed("Une date sans heure est attendue (AAAA-MM-JJ)"),
    "time_type": _fixed("Une heure est attendue (HH:MM:SS)"),
    "time_parsing": _fixed("Une heure valide est attendue (HH:MM:SS)"),
    "timedelta_type": _fixed("Une durée est attendue"),
    "timedelta_parsing": _fixed("Une durée valide est attendue"),
    "timezone_aware": _fixed("La date et heure doit indiquer son fuseau horaire"),
    "timezone_naive": _fixed("La date et heure ne doit pas indiquer de fuseau horaire"),
    "date_past": _fixed("La date doit être passée"),
    "date_future": _fixed("La date doit être future"),
    "datetime_past": _fixed("La date et heure doit être passée"),
    "datetime_future": _fixed("La date et heure doit être future"),
    "url_type": _fixed("Une URL est attendue"),
    "url_parsing": _fixed("URL invalide"),
    "url_syntax_violation": _fixed("URL invalide"),
    "url_too_long": lambda c: (
        "URL trop longue : au plus " + _plural(c.get("max_length"), "caractère")
    ),
    "url_scheme": lambda c: f"Schéma d'URL non autorisé : {_expected(c)} attendu",
    "bytes_type": _fixed("Des octets sont attendus"),
    "bytes_too_short": lambda c: "Au moins " + _plural(c.get("min_length"), "octet"),
    "bytes_too_long": lambda c: "Au plus " + _plural(c.get("max_length"), "octet"),
    "none_required": _fixed("Doit être null"),
    "frozen_field": _fixed("Champ non modifiable"),
    "frozen_instance": _fixed("Objet non modifiable"),
}


def message_fr(error: Mapping[str, Any]) -> str | None:
    """The French message of one pydantic error (``errors()`` item), or ``None`` when none is
    known (a ``ValueError`` of ours without a French wording): the caller keeps the English."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in {"value_error", "assertion_error"}:
        cause = ctx.get("error")
        if isinstance(cause, FieldError):
            return cause.message_fr
        message = str(cause) if isinstance(cause, BaseException) else str(error.get("msg", ""))
        if "valid email address" in message:
            return "Adresse e-mail invalide"
        return None
    known = _MESSAGES.get(kind)
    return known(ctx) if known else "Valeur invalide"
