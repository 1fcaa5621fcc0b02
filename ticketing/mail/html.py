"""Message HTML: sanitised with nh3 for display, and turned into readable plain text.

nh3 (ammonia) drops scripts, styles, event handlers and unknown tags. We also drop every image
source that is not an inline `cid:` part (remote images are read receipts) and forbid links to
anything but http(s) and mailto. The text conversion is a small html.parser walk: the usual
converter (html2text) is GPL-licensed, and inscriptis pulls in lxml for what is ~100 lines here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "cid"}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None  # no remote (or data:) images: they track the reader
    if tag == "a" and attribute == "href" and value.lower().startswith("cid:"):
        return None
    return value


def sanitize_html(html: str) -> str:
    """HTML safe to show to staff: no script, style, event handler, remote image or form survives."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style", "title", "head", "noscript", "template", "object", "iframe"},
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "address",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "center",
        "details",
        "summary",
        "caption",
    }
)
SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "object", "iframe", "svg"})
VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"})


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line = ""
        self.skip = 0
        self.pre = 0
        self.quote = 0
        self.lists: list[list[int]] = []  # per open list: [counter] (0 = bullets)
        self.links: list[tuple[str, int]] = []  # (href, length of the line text when <a> opened)

    def _prefix(self) -> str:
        return "> " * self.quote

    def _break(self, blank: bool = False) -> None:
        text = self.line.rstrip()
        if text or not blank:
            self.lines.append(self._prefix() + text if text else self._prefix().rstrip())
        self.line = ""
        if blank and self.lines and self.lines[-1].strip("> "):
            self.lines.append(self._prefix().rstrip())

    def _block(self) -> None:
        if self.line.strip():
            self._break()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skip += tag not in VOID
            return
        if self.skip:
            return
        if tag == "br":
            self._break()
        elif tag == "hr":
            self._block()
            self.lines.append(self._prefix() + "-" * 20)
        elif tag == "blockquote":
            self._block()
            self.quote += 1
        elif tag in ("ul", "ol"):
            self._block()
            self.lists.append([1 if tag == "ol" else 0])
        elif tag == "li":
            self._block()
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                self.line = "  " * depth + f"{self.lists[-1][0]}. "
                self.lists[-1][0] += 1
            else:
                self.line = "  " * depth + "- "
        elif tag == "tr":
            self._block()
        elif tag in ("td", "th"):
            if self.line and not self.line.endswith((" ", "\t")):
                self.line += "  "
        elif tag == "pre":
            self._block()
            self.pre += 1
        elif tag == "p":
            self._block()
            if self.lines and self.lines[-1].strip("> "):
                self.lines.append(self._prefix().rstrip())
        elif tag in BLOCK:
            self._block()
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href, len(self.line)))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip = max(self.skip - 1, 0)
            return
        if self.skip:
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = self.line[start:].strip()
            if href.lower().startswith(("http://", "https://")) and href not in label and label:
                self.line += f" ({href})"
            elif href.lower().startswith("mailto:") and href[7:] not in label:
                self.line += f" ({href[7:]})"
        elif tag == "blockquote":
            self._block()
            self.quote = max(self.quote - 1, 0)
        elif tag in ("ul", "ol"):
            self._block()
            if self.lists:
                self.lists.pop()
        elif tag == "pre":
            self._block()
            self.pre = max(self.pre - 1, 0)
        elif tag == "p":
            self._block()
            self.lines.append(self._prefix().rstrip())
        elif tag in BLOCK or tag == "li":
            self._block()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            chunks = data.split("\n")
            for i, chunk in enumerate(chunks):
                if i:
                    self._break()
                self.line += chunk
            return
        text = re.sub(r"\s+", " ", data.replace("\u00a0", " "))
        if not self.line.strip():
            text = text.lstrip()
            self.line = self.line if self.line.strip() or self.line.endswith((". ", "- ")) else ""
        self.line += text

    def text(self) -> str:
        self._block()
        out: list[str] = []
        for line in self.lines:
            if not line.strip("> ") and (not out or not out[-1].strip("> ")):
                continue  # collapse runs of blank lines
            out.append(line)
        return "\n".join(out).strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body: paragraphs, line breaks, lists, link targets, quoted blocks as '> '."""
    writer = _TextWriter()
    try:
        writer.feed(html)
        writer.close()
    except Exception:  # html.parser is lenient; anything it still chokes on falls back to stripping tags
        return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html)).strip()
    return writer.text()
