"""Where a reply's signature starts (split_reply), and format=flowed around the "-- " delimiter."""

from __future__ import annotations

import pytest

from ticketing.domain.inbound import reply_parts, split_reply
from ticketing.mail.mime import unflow

QUOTE = "\n\nOn Tue, 24 Nov 2026 at 10:00, Desk <privacy@relia-group.com> wrote:\n> Dear customer,\n> hello\n"


def parts(text: str) -> tuple[str, str, str]:
    got = reply_parts(text, *split_reply(text))
    return got.new, got.signature, got.quoted


def signature(lines: int) -> str:
    return "\n".join(f"Signature line {i}" for i in range(lines))


@pytest.mark.parametrize("length", [1, 14, 15, 16, 40])
def test_the_dash_dash_space_delimiter_counts_however_long_the_signature(length: int) -> None:
    new, sig, quoted = parts(f"Please stop.\n\nJane\n-- \n{signature(length)}")
    assert new == "Please stop.\n\nJane" and sig.startswith("-- \nSignature line 0") and quoted == ""
    new, sig, quoted = parts(f"Please stop.\n-- \n{signature(length)}{QUOTE}")
    assert new == "Please stop." and sig.endswith(f"Signature line {length - 1}") and "hello" in quoted


def test_a_bare_double_dash_is_a_signature_only_near_the_end() -> None:
    assert parts("Please stop.\n--\nJane")[1] == "--\nJane"  # "-- " whose trailing space a server stripped
    text = f"First point.\n--\nSecond point.\n{signature(20)}"  # a dash rule between paragraphs
    assert parts(text) == (text, "", "")


def test_a_delimiter_inside_the_quoted_history_is_not_the_senders_signature() -> None:
    new, sig, quoted = parts(f"Thanks.{QUOTE}> -- \n> Desk signature\n")
    assert (new, sig) == ("Thanks.", "") and "Desk signature" in quoted


def test_a_delimiter_on_the_first_line_leaves_the_text_alone() -> None:
    assert parts("-- \nJane") == ("-- \nJane", "", "")


@pytest.mark.parametrize("delsp", [False, True])
def test_unflow_never_joins_the_delimiter_to_a_flowed_line_above(delsp: bool) -> None:
    text = "Kind regards, \n-- \nMargaret O'Neill \nHead of Data Protection"
    lines = unflow(text, delsp).split("\n")
    assert lines[1] == "-- "
    assert lines[0].rstrip() == "Kind regards,"
    assert lines[2] == (
        "Margaret O'NeillHead of Data Protection" if delsp else "Margaret O'Neill Head of Data Protection"
    )
