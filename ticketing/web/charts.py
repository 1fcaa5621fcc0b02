"""The dashboard's charts, drawn as SVG on the server with pygal (no script, no CDN).

Each chart is an `<img>` of a `data:` URL: an SVG shown as an image runs no script and keeps its own
styles, so the pages' strict Content-Security-Policy (web/headers.py: `img-src 'self' data:`) needs
no exception, and nothing is fetched from elsewhere. Every chart stands beside a table of the same
figures (the templates), and its series differ by dash pattern and label, not by colour alone.
"""

from __future__ import annotations

import base64
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pygal
from pygal.style import Style

# pygal appends an old-style import hook for its map plugins (pygal.maps.*, unused here); Python warns
# (ImportWarning: find_spec() not found) whenever any later import falls through to it. Take it out.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

# Colours from a palette that stays apart for the common colour-vision deficiencies (Okabe-Ito),
# and a dash pattern for each series on top, so the lines also differ in greyscale.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("", "8,4", "2,4", "12,4,2,4", "4,4", "1,6")
FONT = "system-ui, 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', sans-serif"
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True, slots=True)
class Chart:
    title: str  # also the image's alternative text, with the pointer to the table beside it
    src: str  # a data: URL of the SVG


def _style() -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1f2328",
        foreground_strong="#1f2328",
        foreground_subtle="#57606a",
        colors=COLOURS,
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=14,
        title_font_size=16,
        value_font_size=12,
        value_label_font_size=12,
    )


def _data_url(svg: str) -> str:
    clean = _COMMENT.sub("", _SCRIPT.sub("", svg))
    return "data:image/svg+xml;base64," + base64.b64encode(clean.encode("utf-8")).decode("ascii")


def _config(chart: pygal.graph.graph.Graph, title: str) -> None:
    chart.title = title
    chart.disable_xml_declaration = True
    chart.js = []
    chart.legend_at_bottom = True
    chart.truncate_legend = -1


def percent_trend(title: str, months: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> Chart:
    """A line per series of 0..1 figures over the months, drawn as percentages (a gap: no figure)."""
    chart = pygal.Line(style=_style(), width=720, height=340, range=(0, 100), show_y_guides=True)
    _config(chart, title)
    chart.x_labels = list(months)
    chart.x_label_rotation = 30
    chart.value_formatter = _percent
    for i, (name, values) in enumerate(series.items()):
        points = [None if v is None else round(v * 100, 1) for v in values]
        chart.add(name, points, stroke_style={"width": 3, "dasharray": DASHES[i % len(DASHES)]}, dots_size=4)
    return Chart(title, _data_url(chart.render(is_unicode=True)))


def counts_bar(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> Chart:
    """Grouped bars of counts, with each bar's value printed on it."""
    chart = pygal.Bar(style=_style(), width=720, height=320, print_values=True, print_zeroes=False)
    _config(chart, title)
    chart.x_labels = list(labels)
    chart.truncate_label = -1
    top = max((v for values in series.values() for v in values), default=0)
    step = max(1, -(-top // 5))  # whole counts on the axis, five steps at most
    chart.y_labels = list(range(0, max(top, 1) + step, step))
    chart.value_formatter = _count
    for name, values in series.items():
        chart.add(name, list(values))
    return Chart(title, _data_url(chart.render(is_unicode=True)))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:g} %"


def _count(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


__all__ = ["COLOURS", "DASHES", "Chart", "counts_bar", "percent_trend"]
