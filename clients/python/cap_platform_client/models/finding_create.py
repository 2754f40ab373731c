from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.finding_create_type import FindingCreateType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.evidence import Evidence


T = TypeVar("T", bound="FindingCreate")


@_attrs_define
class FindingCreate:
    """A finding to record at an audit.

    Attributes:
        title (str):
        type_ (FindingCreateType):
        clause (None | str | Unset):
        criterion_urn (None | str | Unset):
        description (str | Unset):  Default: ''.
        evidence (list[Evidence] | Unset):
        site_id (None | str | Unset): The group member (site) it was found at; null: the audited organisation itself
            (the central function)
    """

    title: str
    type_: FindingCreateType
    clause: None | str | Unset = UNSET
    criterion_urn: None | str | Unset = UNSET
    description: str | Unset = ""
    evidence: list[Evidence] | Unset = UNSET
    site_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        type_ = self.type_.value

        clause: None | str | Unset
        if isinstance(self.clause, Unset):
            clause = UNSET
        else:
            clause = self.clause

        criterion_urn: None | str | Unset
        if isinstance(self.criterion_urn, Unset):
            criterion_urn = UNSET
        else:
            criterion_urn = self.criterion_urn

        description = self.description

        evidence: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.evidence, Unset):
            evidence = []
            for evidence_item_data in self.evidence:
                evidence_item = evidence_item_data.to_dict()
                evidence.append(evidence_item)

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "type": type_,
            }
        )
        if clause is not UNSET:
            field_dict["clause"] = clause
        if criterion_urn is not UNSET:
            field_dict["criterion_urn"] = criterion_urn
        if description is not UNSET:
            field_dict["description"] = description
        if evidence is not UNSET:
            field_dict["evidence"] = evidence
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.evidence import Evidence  # noqa: PLC0415

        d = dict(src_dict)
        title = d.pop("title")

        type_ = FindingCreateType(d.pop("type"))

        def _parse_clause(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        clause = _parse_clause(d.pop("clause", UNSET))

        def _parse_criterion_urn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        criterion_urn = _parse_criterion_urn(d.pop("criterion_urn", UNSET))

        description = d.pop("description", UNSET)

        _evidence = d.pop("evidence", UNSET)
        evidence: list[Evidence] | Unset = UNSET
        if _evidence is not UNSET:
            evidence = []
            for evidence_item_data in _evidence:
                evidence_item = Evidence.from_dict(evidence_item_data)

                evidence.append(evidence_item)

        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))

        finding_create = cls(
            title=title,
            type_=type_,
            clause=clause,
            criterion_urn=criterion_urn,
            description=description,
            evidence=evidence,
            site_id=site_id,
        )

        return finding_create
