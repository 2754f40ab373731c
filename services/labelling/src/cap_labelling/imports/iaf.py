"""Export of CAP ISO 9001 certificates in the field format of IAF CertSearch.

IAF CertSearch is the IAF's database of accredited certifications; under IAF MD 28 accredited
certification bodies upload their certificates at least monthly (``docs/domain/domain.md`` §6). This export
gives a body (or Coorace, checking what the bodies published) the platform's certificates under
the column names of the *Certification Template for Certification Body*, version 2.1 — source:
the IAF CertSearch support site, "Field Name Glossary" (certification data fields, certified
entity data fields, certification standard & scheme), support.iafcertsearch.org, as stored in
our reference library (cited in ``docs/domain/domain.md`` [C79][C80]). The columns:

===================================  =======================================================
Certification Identity Number        mandatory, ≤ 60: the CB-internal id that keeps a
                                     certificate's record across uploads — here the number of
                                     the chain's *first* cycle, stable across renewals
Certificate Number                   mandatory, ≤ 60: as printed on the certificate — the
                                     body's own number when known, else the platform's
Certification Status                 mandatory: Active, Suspended, Withdrawn, Expired
                                     (``docs/domain/domain.md`` §7.6 F; CertSearch also knows Inactive,
                                     Cancelled, Draft, which the platform has no use for)
Accreditation Status                 mandatory: Accredited / Unaccredited (see below)
Certification Type                   mandatory: "Management System"
Certification Scope                  optional in the template; always filled here
Certification Original Issue Date    optional, YYYYMMDD: the first cycle's effective date
Certification Issue Date             mandatory, YYYYMMDD: the current cycle's effective date
                                     (17021-1 §8.2.2: the effective date of granting or
                                     renewing, never before the decision)
Certification Expiry Date            mandatory, YYYYMMDD
Certified Entity Unique ID           mandatory, ≤ 45: the holder's SIRET
Certified Entity Name                mandatory, ≤ 300: the holder's registered name
Certified Entity Country/Economy,    the registered address (mandatory under MD 28): France
Certified Entity State,              and the region; street, city and postcode are **left
Certified Entity Street,             empty** — the labelling service's read model of a
Certified Entity City,               structure (``identity.organisation.registered.v1``) has no
Certified Entity Zipcode/Postcode    postal address: complete them before uploading
Scheme Name                          mandatory: "Quality Management Systems"
Standard Name                        mandatory: "ISO 9001:2015"
===================================  =======================================================

Choices to confirm with the bodies:

* A renewal is a new recognition (new number) on the platform; in CertSearch a certificate
  keeps its record across cycles. So one row per *chain* of cycles: the current cycle's state
  and dates, the first cycle's number as the identity number and its date as the original issue
  date; a ``renewed`` cycle is never a row of its own.
* CAP ISO 9001 certificates are issued by accredited bodies: "Accredited". CAP RSE labels are
  not certifications (Coorace's own label, no accreditation, no CertSearch obligation); they are
  exported only on request (``include_labels``), marked "Unaccredited", certification type
  "Label (non-accredited)", scheme "Label CAP RSE (Coorace)", so nobody mistakes them for
  accredited certificates.
* A group's member structures (the template's separate *Certification Sites* sheet) are not in
  this single-table export.
* The file is CSV, UTF-8 with a BOM and ``;``-separated like the platform's other exports, as
  spreadsheet software in French opens it; CertSearch itself takes Excel, XML or its API: paste
  the rows into the template.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date

from cap_labelling.models import Organisation, Recognition
from cap_labelling.rules import RecognitionStatus, Scheme
from cap_shared.formats import spreadsheet_row

COLUMNS = (
    "Certification Identity Number",
    "Certificate Number",
    "Certification Status",
    "Accreditation Status",
    "Certification Type",
    "Certification Scope",
    "Certification Original Issue Date",
    "Certification Issue Date",
    "Certification Expiry Date",
    "Certified Entity Unique ID",
    "Certified Entity Name",
    "Certified Entity Country/Economy",
    "Certified Entity State",
    "Certified Entity Street",
    "Certified Entity City",
    "Certified Entity Zipcode/Postcode",
    "Scheme Name",
    "Standard Name",
)
#: Recognition status -> CertSearch status (``docs/domain/domain.md`` §7.6 F).
STATUSES = {
    RecognitionStatus.ACTIVE.value: "Active",
    RecognitionStatus.SUSPENDED.value: "Suspended",
    RecognitionStatus.WITHDRAWN.value: "Withdrawn",
    RecognitionStatus.EXPIRED.value: "Expired",
}
_KIND = {
    Scheme.CAP_ISO9001.value: (
        "Accredited",
        "Management System",
        "Quality Management Systems",
        "ISO 9001:2015",
    ),
    Scheme.CAP_RSE.value: (
        "Unaccredited",
        "Label (non-accredited)",
        "Label CAP RSE (Coorace)",
        "Référentiel CAP RSE (ISO 26000)",
    ),
}


def _yyyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


def schemes(*, include_labels: bool) -> list[str]:
    """The schemes exported: CAP ISO 9001, and CAP RSE labels on request."""
    return [Scheme.CAP_ISO9001.value] + ([Scheme.CAP_RSE.value] if include_labels else [])


def heads(
    recognitions: Iterable[Recognition], *, certification_body_id: str | None
) -> list[Recognition]:
    """The recognitions that are a row: the current cycle of each chain (not ``renewed``),
    optionally of one certification body."""
    return [
        r
        for r in recognitions
        if r.status in STATUSES
        and (certification_body_id is None or r.certification_body_id == certification_body_id)
    ]


def rows(
    chain_heads: list[Recognition],
    *,
    everything: Mapping[str, Recognition],
    holders: Mapping[str, Organisation],
) -> list[list[str]]:
    """One row per certificate chain (see the module docstring), by identity number;
    ``everything`` holds the earlier cycles by id, ``holders`` the structures by id."""
    out: list[list[str]] = []
    for head in chain_heads:
        first, seen = head, {head.id}
        while (previous := everything.get(first.previous_id or "")) and previous.id not in seen:
            first = previous
            seen.add(first.id)
        accreditation, kind, scheme_name, standard = _KIND[head.scheme]
        holder = holders.get(head.organisation_id)
        scope = head.scope.strip()
        if head.level:
            scope = f"Niveau {head.level}" + (f" — {scope}" if scope else "")
        out.append(
            [
                first.number,
                head.external_number or head.number,
                STATUSES[head.status],
                accreditation,
                kind,
                scope,
                _yyyymmdd(first.effective_date),
                _yyyymmdd(head.effective_date),
                _yyyymmdd(head.expiry_date),
                holder.siret if holder else head.organisation_id,
                holder.name if holder else "",
                "France",
                holder.region_name if holder else "",
                "",
                "",
                "",
                scheme_name,
                standard,
            ]
        )
    out.sort(key=lambda row: row[0])
    return out


def to_csv(data: list[list[str]]) -> bytes:
    """The rows under the template's column names (UTF-8 with BOM, ``;``-separated); every cell
    goes through OWASP's CSV-injection rule (names, scopes and the bodies' numbers are typed
    text: a cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(spreadsheet_row(list(row)) for row in data)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
