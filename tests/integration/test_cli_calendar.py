"""`ticketing calendar due|elapsed|batch` as a real subprocess (README.md, Command line); no database needed.

Expected instants worked out by hand on the seed desks (relia: 09:30-12:00 + 13:00-17:00,
rext-cs: 10:00-18:00, Mon-Fri, Asia/Tokyo, closed 12/29-1/3 and on Japanese holidays).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("ticketing")
CLI = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "ticketing"]


def run(*args: str, data_dir: Path, stdin: str = "", desks: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env["TICKETING_DATA_DIR"] = str(data_dir)
    if desks is not None:
        env["TICKETING_DESKS"] = str(desks)
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["--desk", "relia", "--start", "2026-06-02T11:50:00+09:00", "--business-minutes", "20"],
            "2026-06-02T13:10:00+09:00",
            id="minutes-lunch",
        ),
        pytest.param(
            ["--desk", "relia", "--start", "2026-06-02T16:00:00+09:00", "--business-minutes", "60"],
            "2026-06-02T17:00:00+09:00",
            id="minutes-closing",
        ),
        pytest.param(
            ["--desk", "rext-cs", "--start", "2026-05-01T17:00", "--business-minutes", "120"],
            "2026-05-07T11:00:00+09:00",
            id="minutes-golden-week-naive-start",
        ),
        pytest.param(
            ["--desk", "relia", "--start", "2026-06-01T23:00:00Z", "--business-minutes", "30"],
            "2026-06-02T10:00:00+09:00",
            id="minutes-utc-start",
        ),
        pytest.param(
            ["--desk", "relia", "--start", "2025-12-24T10:00:00+09:00", "--business-days", "10"],
            "2026-01-15T17:00:00+09:00",
            id="days-year-end",
        ),
        pytest.param(
            ["--desk", "rext-cs", "--start", "2026-09-18T08:00", "--business-days", "1"],
            "2026-09-24T18:00:00+09:00",
            id="days-silver-week",
        ),
        pytest.param(
            ["--desk", "relia", "--start", "2026-04-28T23:30:00+09:00", "--calendar-days", "14"],
            "2026-05-12T23:59:59+09:00",
            id="calendar-days",
        ),
        pytest.param(
            ["--desk", "relia", "--start", "2026-06-06T03:00:00+09:00", "--business-minutes", "0"],
            "2026-06-06T03:00:00+09:00",
            id="zero",
        ),
    ],
)
def test_due(data_dir: Path, args: list[str], expected: str) -> None:
    r = run("calendar", "due", *args, data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected + "\n"
    assert r.stderr == ""


@pytest.mark.parametrize(
    ("desk", "start", "end", "expected"),
    [
        ("relia", "2026-06-05T16:00:00+09:00", "2026-06-08T10:00:00+09:00", "90"),
        ("rext-cs", "2026-12-24T00:00", "2027-01-05T00:00", "1920"),
        ("relia", "2026-06-02T00:30:00Z", "2026-06-02T03:00:00Z", "150"),
    ],
)
def test_elapsed(data_dir: Path, desk: str, start: str, end: str, expected: str) -> None:
    r = run("calendar", "elapsed", "--desk", desk, "--start", start, "--end", end, data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected + "\n"


def test_calendar_commands_touch_no_database(data_dir: Path) -> None:
    r = run(
        "calendar", "due", "--desk", "relia", "--start", "2026-06-02T10:00", "--business-days", "1", data_dir=data_dir
    )
    assert r.returncode == 0, r.stderr
    assert not (data_dir / "ticketing.sqlite").exists()


BATCH = [
    (
        '{"desk": "relia", "op": "due", "start": "2026-06-02T11:50:00+09:00", "business_minutes": 20}',
        {"due": "2026-06-02T13:10:00+09:00"},
    ),
    (
        '{"desk": "rext-cs", "op": "due", "start": "2026-05-01T10:00", "business_days": 1}',
        {"due": "2026-05-07T18:00:00+09:00"},
    ),
    (
        '{"desk": "relia", "op": "elapsed", "start": "2026-06-05T16:00:00+09:00", "end": "2026-06-08T10:00:00+09:00"}',
        {"business_minutes": 90},
    ),
    ('{"desk": "nowhere", "op": "due", "start": "2026-06-02T10:00", "business_minutes": 5}', "nowhere"),
    ('{"desk": "relia", "op": "due", "start": "yesterday", "business_minutes": 5}', "yesterday"),
    ('{"desk": "relia", "op": "due", "start": "2026-06-02T10:00"}', "business_minutes"),
    (
        '{"desk": "relia", "op": "due", "start": "2026-06-02T10:00", "business_minutes": 5, "business_days": 1}',
        "exactly one",
    ),
    ('{"desk": "relia", "op": "due", "start": "2026-06-02T10:00", "business_minutes": -5}', "whole number"),
    ('{"desk": "relia", "op": "due", "start": "2026-06-02T10:00", "business_minutes": "5"}', "whole number"),
    ("this is not json", "JSON"),
    ("[1, 2, 3]", "JSON object"),
    ("", "JSON"),
    ('{"desk": "relia", "op": "due", "start": "2100-01-04T10:00", "business_minutes": 5}', "1949-2099"),
    ('{"desk": "relia", "op": "elapsed", "start": "1948-12-28T10:00", "end": "1948-12-29T10:00"}', "1949-2099"),
    ('{"desk": "relia", "op": "due", "start": "9999-12-31T10:00", "calendar_days": 5}', "out of range"),
    ('{"desk": "relia", "op": "teleport", "start": "2026-06-02T10:00"}', "op"),
    ('{"desk": "relia", "op": "elapsed", "start": "2026-06-02T10:00"}', "end"),
    (
        '{"desk": "rext-cs", "op": "due", "start": "2026-06-02T17:30", "business_minutes": 60}',
        {"due": "2026-06-03T10:30:00+09:00"},
    ),
]


def test_batch_answers_every_line_in_order(data_dir: Path) -> None:
    stdin = "".join(line + "\n" for line, _ in BATCH)
    r = run("calendar", "batch", data_dir=data_dir, stdin=stdin)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    out = r.stdout.splitlines()
    assert len(out) == len(BATCH)
    for (line, expected), answer in zip(BATCH, out, strict=True):
        got = json.loads(answer)
        if isinstance(expected, dict):
            assert got == expected, line
        else:
            assert list(got) == ["error"], line
            assert expected in got["error"], (line, got)


def test_batch_with_empty_input_prints_nothing(data_dir: Path) -> None:
    r = run("calendar", "batch", data_dir=data_dir, stdin="")
    assert (r.returncode, r.stdout) == (0, "")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(
            ["due", "--desk", "nowhere", "--start", "2026-06-02T10:00", "--business-minutes", "5"],
            "nowhere",
            id="unknown-desk",
        ),
        pytest.param(
            ["due", "--desk", "relia", "--start", "not-a-time", "--business-minutes", "5"], "not-a-time", id="bad-start"
        ),
        pytest.param(
            ["due", "--desk", "relia", "--start", "2100-01-04T10:00", "--business-minutes", "5"],
            "1949-2099",
            id="after-2099",
        ),
        pytest.param(
            ["due", "--desk", "relia", "--start", "1948-12-28T10:00", "--business-minutes", "1"],
            "1949-2099",
            id="before-1949",
        ),
        pytest.param(
            ["due", "--desk", "relia", "--start", "2026-06-02T10:00", "--business-minutes", "9999999"],
            "business_minutes",
            id="too-many-minutes",
        ),
        pytest.param(
            ["due", "--desk", "relia", "--start", "9999-12-31T10:00", "--calendar-days", "5"],
            "out of range",
            id="past-year-9999",
        ),
        pytest.param(
            ["elapsed", "--desk", "relia", "--start", "2099-06-02T10:00", "--end", "2100-01-05T10:00"],
            "1949-2099",
            id="elapsed-after-2099",
        ),
        pytest.param(
            ["elapsed", "--desk", "relia", "--start", "2026-06-02T10:00", "--end", "2046-01-05T10:00"],
            "at most 3660 days",
            id="elapsed-span-too-long",
        ),
        pytest.param(
            ["elapsed", "--desk", "relia", "--start", "2026-06-02T10:00", "--end", "soon"],
            "--end",
            id="elapsed-bad-end",
        ),
    ],
)
def test_bad_values_give_one_error_line_and_exit_2(data_dir: Path, args: list[str], needle: str) -> None:
    r = run("calendar", *args, data_dir=data_dir)
    assert r.returncode == 2, r.stderr  # an unknown desk or an unusable timestamp or amount is a usage error
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("ticketing: error:") and needle in lines[0], r.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["due", "--desk", "relia", "--start", "2026-06-02T10:00"], id="no-amount"),
        pytest.param(
            [
                "due",
                "--desk",
                "relia",
                "--start",
                "2026-06-02T10:00",
                "--business-minutes",
                "5",
                "--business-days",
                "1",
            ],
            id="two-amounts",
        ),
        pytest.param(
            ["due", "--desk", "relia", "--start", "2026-06-02T10:00", "--business-minutes", "-5"], id="negative"
        ),
        pytest.param(["elapsed", "--desk", "relia", "--start", "2026-06-02T10:00"], id="no-end"),
    ],
)
def test_usage_errors_exit_2(data_dir: Path, args: list[str]) -> None:
    r = run("calendar", *args, data_dir=data_dir)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("ticketing: error:") and len(r.stderr.splitlines()) == 1, r.stderr


def custom_desks(tmp_path: Path, extra: str, holidays: str = '""') -> Path:
    path = tmp_path / "desks.toml"
    path.write_text(
        '[desks.lab]\nname = "Lab"\nlanguage = "en"\ntimezone = "Europe/Berlin"\nreference_prefix = "LAB"\n'
        f'inbox = "privacy@lab.test"\nmanager_title = "DPO"\nholidays = {holidays}\n'
        + extra
        + '[desks.lab.hours]\nmon = ["08:00-12:00", "13:00-18:00"]\nfri = ["08:00-12:00", "13:00-18:00"]\n'
    )
    return path


def test_custom_desks_file_with_daylight_saving(data_dir: Path, tmp_path: Path) -> None:
    desks = custom_desks(tmp_path, 'closed_dates = ["2026-10-26"]\n')
    # Fri 2026-10-23 17:30 CEST + 60 min: 30 that day; Mon 10-26 closed; Fri 10-30 08:30 CET
    r = run(
        "calendar",
        "due",
        "--desk",
        "lab",
        "--start",
        "2026-10-23T17:30",
        "--business-minutes",
        "60",
        data_dir=data_dir,
        desks=desks,
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "2026-10-30T08:30:00+01:00\n", "")
    r = run(
        "calendar",
        "due",
        "--desk",
        "relia",
        "--start",
        "2026-10-23T17:30",
        "--business-minutes",
        "60",
        data_dir=data_dir,
        desks=desks,
    )
    assert r.returncode == 2 and r.stderr.startswith("ticketing: error:") and "relia" in r.stderr  # a usage error


@pytest.mark.parametrize(
    ("extra", "holidays", "key", "needle"),
    [
        pytest.param(
            'closed_dates = ["2026-13-01"]\n', '""', "desks.lab.closed_dates", "2026-13-01", id="closed-dates"
        ),
        pytest.param('closures = ["12-29..13-03"]\n', '""', "desks.lab.closures", "12-29..13-03", id="closures"),
        pytest.param("", '"XX"', "desks.lab.holidays", "XX", id="holidays"),
        pytest.param(
            '[desks.lab.open_dates]\n"2026-02-30" = ["09:00-10:00"]\n',
            '""',
            "desks.lab.open_dates.2026-02-30",
            "2026-02-30",
            id="open-dates",
        ),
    ],
)
def test_malformed_calendar_key_is_one_clear_line_and_exit_2(
    data_dir: Path, tmp_path: Path, extra: str, holidays: str, key: str, needle: str
) -> None:
    desks = custom_desks(tmp_path, extra, holidays)
    for command in (["due", "--desk", "lab", "--start", "2026-06-01T10:00", "--business-minutes", "5"], ["batch"]):
        r = run("calendar", *command, data_dir=data_dir, desks=desks, stdin="{}\n")
        assert r.returncode == 2, r.stderr
        assert r.stdout == ""
        lines = r.stderr.splitlines()
        assert len(lines) == 1, r.stderr
        assert lines[0].startswith("ticketing: error:")
        assert str(desks) in lines[0] and key in lines[0] and needle in lines[0], lines[0]


def test_missing_desks_file_is_reported(data_dir: Path, tmp_path: Path) -> None:
    r = run("calendar", "batch", data_dir=data_dir, desks=tmp_path / "nope.toml", stdin="{}\n")
    assert r.returncode == 2 and r.stderr.startswith("ticketing: error:") and "nope.toml" in r.stderr


def test_console_script_is_installed() -> None:
    assert SCRIPT.exists(), "the package installs the `ticketing` console script (pyproject [project.scripts])"
