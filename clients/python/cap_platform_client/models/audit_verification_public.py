from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_anchor_public import AuditAnchorPublic
    from ..models.audit_checkpoint_public import AuditCheckpointPublic
    from ..models.audit_problem_public import AuditProblemPublic


T = TypeVar("T", bound="AuditVerificationPublic")


@_attrs_define
class AuditVerificationPublic:
    """The verification of a service's chain, now.

    Attributes:
        anchors_checked (int): Anchors compared with an entry kept
        chain (None | str): The chain's identity: its first entry's hash ever
        checkpoint (AuditCheckpointPublic | None):
        entries (int):
        first_bad (AuditProblemPublic | None): The problem of the lowest seq
        first_seq (int | None):
        foreign_anchors (int): Anchors of this service for another chain (a log replaced whole)
        head_hash (None | str):
        intact (bool): No problem found
        last_seq (int | None):
        latest_anchor (AuditAnchorPublic | None):
        problems (list[AuditProblemPublic]):
        service (str):
        unreadable_anchors (int): Anchor lines that could not be read
    """

    anchors_checked: int
    chain: None | str
    checkpoint: AuditCheckpointPublic | None
    entries: int
    first_bad: AuditProblemPublic | None
    first_seq: int | None
    foreign_anchors: int
    head_hash: None | str
    intact: bool
    last_seq: int | None
    latest_anchor: AuditAnchorPublic | None
    problems: list[AuditProblemPublic]
    service: str
    unreadable_anchors: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_anchor_public import AuditAnchorPublic  # noqa: PLC0415
        from ..models.audit_checkpoint_public import AuditCheckpointPublic  # noqa: PLC0415
        from ..models.audit_problem_public import AuditProblemPublic  # noqa: PLC0415

        anchors_checked = self.anchors_checked

        chain: None | str
        chain = self.chain

        checkpoint: dict[str, Any] | None
        if isinstance(self.checkpoint, AuditCheckpointPublic):
            checkpoint = self.checkpoint.to_dict()
        else:
            checkpoint = self.checkpoint

        entries = self.entries

        first_bad: dict[str, Any] | None
        if isinstance(self.first_bad, AuditProblemPublic):
            first_bad = self.first_bad.to_dict()
        else:
            first_bad = self.first_bad

        first_seq: int | None
        first_seq = self.first_seq

        foreign_anchors = self.foreign_anchors

        head_hash: None | str
        head_hash = self.head_hash

        intact = self.intact

        last_seq: int | None
        last_seq = self.last_seq

        latest_anchor: dict[str, Any] | None
        if isinstance(self.latest_anchor, AuditAnchorPublic):
            latest_anchor = self.latest_anchor.to_dict()
        else:
            latest_anchor = self.latest_anchor

        problems = []
        for problems_item_data in self.problems:
            problems_item = problems_item_data.to_dict()
            problems.append(problems_item)

        service = self.service

        unreadable_anchors = self.unreadable_anchors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "anchors_checked": anchors_checked,
                "chain": chain,
                "checkpoint": checkpoint,
                "entries": entries,
                "first_bad": first_bad,
                "first_seq": first_seq,
                "foreign_anchors": foreign_anchors,
                "head_hash": head_hash,
                "intact": intact,
                "last_seq": last_seq,
                "latest_anchor": latest_anchor,
                "problems": problems,
                "service": service,
                "unreadable_anchors": unreadable_anchors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_anchor_public import AuditAnchorPublic  # noqa: PLC0415
        from ..models.audit_checkpoint_public import AuditCheckpointPublic  # noqa: PLC0415
        from ..models.audit_problem_public import AuditProblemPublic  # noqa: PLC0415

        d = dict(src_dict)
        anchors_checked = d.pop("anchors_checked")

        def _parse_chain(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        chain = _parse_chain(d.pop("chain"))

        def _parse_checkpoint(data: object) -> AuditCheckpointPublic | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                checkpoint_type_0 = AuditCheckpointPublic.from_dict(data)

                return checkpoint_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditCheckpointPublic | None, data)

        checkpoint = _parse_checkpoint(d.pop("checkpoint"))

        entries = d.pop("entries")

        def _parse_first_bad(data: object) -> AuditProblemPublic | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                first_bad_type_0 = AuditProblemPublic.from_dict(data)

                return first_bad_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditProblemPublic | None, data)

        first_bad = _parse_first_bad(d.pop("first_bad"))

        def _parse_first_seq(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        first_seq = _parse_first_seq(d.pop("first_seq"))

        foreign_anchors = d.pop("foreign_anchors")

        def _parse_head_hash(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        head_hash = _parse_head_hash(d.pop("head_hash"))

        intact = d.pop("intact")

        def _parse_last_seq(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_seq = _parse_last_seq(d.pop("last_seq"))

        def _parse_latest_anchor(data: object) -> AuditAnchorPublic | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                latest_anchor_type_0 = AuditAnchorPublic.from_dict(data)

                return latest_anchor_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditAnchorPublic | None, data)

        latest_anchor = _parse_latest_anchor(d.pop("latest_anchor"))

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = AuditProblemPublic.from_dict(problems_item_data)

            problems.append(problems_item)

        service = d.pop("service")

        unreadable_anchors = d.pop("unreadable_anchors")

        audit_verification_public = cls(
            anchors_checked=anchors_checked,
            chain=chain,
            checkpoint=checkpoint,
            entries=entries,
            first_bad=first_bad,
            first_seq=first_seq,
            foreign_anchors=foreign_anchors,
            head_hash=head_hash,
            intact=intact,
            last_seq=last_seq,
            latest_anchor=latest_anchor,
            problems=problems,
            service=service,
            unreadable_anchors=unreadable_anchors,
        )

        audit_verification_public.additional_properties = d
        return audit_verification_public

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
