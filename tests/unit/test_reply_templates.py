"""Reply templates of the desks file: parsed strictly, filled with the requester's name and the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing.desks_file import load_desks
from ticketing.domain.errors import ConfigError
from ticketing.domain.reply_templates import ReplyTemplate, find_template, parse_reply_templates, templates_for
from ticketing.domain.tickets import Language
from ticketing.resources import BUNDLED_DESKS

GOOD = {"key": "ack", "language": "en", "title": "Acknowledgement", "body": "Dear {name}, ({reference})"}


def test_a_template_is_filled_with_the_name_as_stored_and_the_reference() -> None:
    (template,) = parse_reply_templates([GOOD], "t")
    assert template.fill(name="山田 花子", reference="RCS-2026-000001") == "Dear 山田 花子, (RCS-2026-000001)"
    assert template.fill(name="{reference}", reference="R") == "Dear {reference}, (R)"  # a name is text, not a template


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"key": ""}, "t[0].key"),
        ({"key": "Has Space"}, "t[0].key"),
        ({"language": "fr"}, "t[0].language"),
        ({"title": ""}, "t[0].title"),
        ({"body": "   "}, "t[0].body"),
        ({"body": "Dear {first_name}"}, "t[0].body"),
        ({"colour": "red"}, "t[0].colour"),
    ],
)
def test_a_bad_template_names_its_key(change: dict[str, str], where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_reply_templates([{**GOOD, **change}], "t")
    assert caught.value.where == where


def test_a_key_is_unique_per_language_and_the_list_is_a_list() -> None:
    assert len(parse_reply_templates([GOOD, {**GOOD, "language": "ja"}], "t")) == 2
    with pytest.raises(ConfigError, match="listed twice"):
        parse_reply_templates([GOOD, GOOD], "t")
    with pytest.raises(ConfigError):
        parse_reply_templates({"ack": GOOD}, "t")
    assert parse_reply_templates(None, "t") == ()


def test_the_tickets_language_comes_first_and_a_key_falls_back_to_another_language() -> None:
    en = ReplyTemplate("ack", Language.EN, "Ack", "Dear {name}")
    ja = ReplyTemplate("ack", Language.JA, "受付", "{name} 様")
    only_en = ReplyTemplate("closing", Language.EN, "Closing", "Bye")
    assert templates_for([en, ja, only_en], "ja")[0] is ja
    assert find_template([en, ja, only_en], "ack", "ja") is ja
    assert find_template([en, ja, only_en], "closing", "ja") is only_en
    assert find_template([en, ja], "nothing", "ja") is None


def test_the_seed_desks_have_their_templates_in_both_languages() -> None:
    desks = load_desks(Path(BUNDLED_DESKS))
    for desk in desks.values():
        keys = {(t.key, t.language.value) for t in desk.reply_templates}
        for key in ("acknowledgement", "documents_needed", "request_form", "closing"):
            assert {(key, "ja"), (key, "en")} <= keys, (desk.slug, key)
        for template in desk.reply_templates:
            filled = template.fill(name="N", reference="REF-2026-000001")
            assert "REF-2026-000001" in filled or template.key == "closing" or "{" not in template.body
    rcs = {t.key: t for t in desks["rext-cs"].reply_templates if t.language is Language.JA}
    assert "1,500 円" in rcs["request_form"].body and "郵便定額小為替" in rcs["request_form"].body
    relia = {t.key: t for t in desks["relia"].reply_templates if t.language is Language.EN}
    assert "1,000 yen" in relia["request_form"].body


def test_the_bundled_file_is_where_the_resources_say() -> None:
    assert Path(BUNDLED_DESKS).name == "desks.toml"
