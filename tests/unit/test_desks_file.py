"""The desks file: the bundled seed desks, and clear errors for malformed files."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path

import pytest

from ticketing.container import load_desks
from ticketing.domain.desks import RecurringClosure, parse_desks
from ticketing.domain.errors import ConfigError
from ticketing.domain.tickets import Channel, Language, RequestType
from ticketing.settings import BUNDLED_DESKS


def test_bundled_seed_desks() -> None:
    desks = load_desks(BUNDLED_DESKS)
    relia, rcs = desks["relia"], desks["rext-cs"]
    assert relia.language is Language.EN and rcs.language is Language.JA
    assert relia.reference_prefix == "REL" and rcs.reference_prefix == "RCS"
    assert relia.inbox == "privacy@relia-group.com" and rcs.inbox == "privacy-rcs@rext-cs.jp"
    assert [(w.start, w.end) for w in relia.hours[0]] == [(time(9, 30), time(12)), (time(13), time(17))]
    assert [(w.start, w.end) for w in rcs.hours[4]] == [(time(10), time(18))]
    assert 5 not in relia.hours and 6 not in rcs.hours
    assert relia.closures == (RecurringClosure((12, 29), (1, 3)),)
    assert relia.manager_title.startswith("CPO")
    assert rcs.manager_title == "コンプライアンス関連部門 部門長"
    assert rcs.accredited_org is not None and rcs.accredited_org.short_name == "JUAS"
    assert relia.accredited_org is None
    assert relia.request_types[RequestType.DISCLOSURE].fee_yen == 1000
    assert rcs.request_types[RequestType.DISCLOSURE].fee_yen == 1500
    assert rcs.request_types[RequestType.CORRECTION].fee_yen == 0
    assert rcs.request_types[RequestType.DISCLOSURE].channels == frozenset({Channel.POST})
    assert rcs.joint_use["responsible_company"] == "レクストホールディングス株式会社"


def base_desk() -> dict[str, object]:
    return {
        "name": "Desk",
        "language": "en",
        "timezone": "Asia/Tokyo",
        "reference_prefix": "DSK",
        "inbox": "privacy@desk.test",
        "manager_title": "CPO",
        "hours": {"mon": ["09:00-17:00"]},
    }


BAD = [
    ({"language": "fr"}, "desks.d.language"),
    ({"timezone": "Mars/Olympus"}, "desks.d.timezone"),
    ({"reference_prefix": "rel"}, "desks.d.reference_prefix"),
    ({"inbox": "not-an-address"}, "desks.d.inbox"),
    ({"hours": {"mon": ["17:00-09:00"]}}, "desks.d.hours.mon"),
    ({"hours": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "desks.d.hours.mon"),
    ({"hours": {"funday": ["09:00-12:00"]}}, "desks.d.hours.funday"),
    ({"hours": {"mon": ["9-5"]}}, "desks.d.hours.mon"),
    ({"hours": {"mon": ["09:00-25:00"]}}, "desks.d.hours.mon"),
    ({"hours": {}}, "desks.d.hours"),
    ({"closures": ["12-29..13-03"]}, "desks.d.closures"),
    ({"request_types": {"telepathy": {}}}, "desks.d.request_types.telepathy"),
    ({"request_types": {"correction": {"fee_yen": 500}}}, "desks.d.request_types.correction.fee_yen"),
    ({"request_types": {"disclosure": {"fee_yen": -1}}}, "desks.d.request_types.disclosure.fee_yen"),
    ({"request_types": {"disclosure": {"channels": ["pigeon"]}}}, "desks.d.request_types.disclosure.channels"),
    ({"documents": {"identity": "ninety"}}, "desks.d.documents.identity"),
]


@pytest.mark.parametrize(("change", "where"), BAD, ids=[w + ":" + next(iter(c)) for c, w in BAD])
def test_bad_desk_values_name_the_key(change: dict[str, object], where: str) -> None:
    desk = base_desk() | change
    with pytest.raises(ConfigError) as info:
        parse_desks({"desks": {"d": desk}}, "x.toml")
    assert info.value.where.startswith(f"x.toml: {where}"), str(info.value)


REQUIRED_KEYS = ["name", "language", "timezone", "reference_prefix", "inbox", "manager_title", "hours"]


@pytest.mark.parametrize("missing", REQUIRED_KEYS)
def test_missing_keys_are_named(missing: str) -> None:
    desk = base_desk()
    del desk[missing]
    with pytest.raises(ConfigError, match=missing):
        parse_desks({"desks": {"d": desk}}, "x.toml")


def test_duplicate_prefix_is_refused() -> None:
    with pytest.raises(ConfigError, match="reference_prefix"):
        parse_desks({"desks": {"a": base_desk(), "b": base_desk() | {"inbox": "b@desk.test"}}}, "x.toml")


def test_bad_slug_and_empty_file() -> None:
    with pytest.raises(ConfigError, match="slug"):
        parse_desks({"desks": {"Bad Slug": base_desk()}}, "x.toml")
    with pytest.raises(ConfigError, match="at least one"):
        parse_desks({}, "x.toml")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_desks(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[desks.relia\nname = 1\n")
    with pytest.raises(ConfigError) as info:
        load_desks(broken)
    assert str(broken) in str(info.value) and "TOML" in str(info.value)


def test_bundled_file_is_valid_toml_with_default_closures() -> None:
    data = tomllib.loads(BUNDLED_DESKS.read_text())
    desk = base_desk()
    parsed = parse_desks({"desks": {"d": desk}}, "x")
    assert parsed["d"].closures == (RecurringClosure((12, 29), (1, 3)),)  # docs/business-time.md default
    assert set(data["desks"]) == {"relia", "rext-cs"}
