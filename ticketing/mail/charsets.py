"""Decoding bytes whose declared charset may be missing, wrong or unknown: never raise, say what was guessed.

Japanese mail is the hard case. Windows writes ISO-2022-JP with the NEC and IBM extension rows
(CP50220: ①, ㈱, 髙), which Python's strict iso2022_jp codec refuses; "Shift_JIS" from Windows is
really CP932; and webmail sometimes declares iso-8859-1 for a UTF-8 body. The decoders below try
the declared charset, then its Windows superset, then a guess, and report each fallback as a defect.

Guessing (`guess`) is shared between hand-written rules and charset-normalizer. Kept by hand, because
the library gets them wrong and the corpus needs them right: ISO-2022-JP (7-bit escapes, which the
library does not look for) and the Japanese multi-byte charsets first (on short strings such as a
subject, a display name or a filename the library reads Shift_JIS 住民票.jpg as Big5 and EUC-JP
委任状 as Big5 or CP949, and even a long Shift_JIS body as CP949), then Windows-1252 for Western
text (on short Latin-1 strings the library picks CP1250 "crčme", CP1006 or UTF-16). Taken from the
library: its mess detector (`chaos`), which vetoes a Japanese or Western reading that is garbage
(Latin-1 "Crème brûlée" read as Shift_JIS "Cr鑪e br璉馥"), and its detection for what is neither
Japanese nor Western (Cyrillic, Greek, Korean, Chinese, Central European text), where the
hand-written guesser had only Windows-1252 mojibake to offer.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re

import charset_normalizer

from ticketing.domain.inbound import CJK_RE, KANA_RE

# Declared names whose real-world content is a superset codec (WHATWG Encoding Standard does the same
# for windows-1252; CP932 for Shift_JIS is what every Japanese mail client actually writes).
SUPERSETS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "windows-31j": "cp932",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "big5": "big5hkscs",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
}
# After the superset, these are tried before guessing (JIS X 0213 covers characters CP932 lacks).
SECOND_TRIES = {"cp932": ("shift_jis_2004",), "euc-jp": ("euc_jis_2004", "cp932")}
ISO2022JP_NAMES = frozenset(
    {
        "iso-2022-jp",
        "csiso2022jp",
        "iso-2022-jp-1",
        "iso-2022-jp-2",
        "iso-2022-jp-3",
        "iso-2022-jp-2004",
        "iso-2022-jp-ext",
        "cp50220",
        "cp50221",
        "cp50222",
    }
)
SINGLE_BYTE_PREFIXES = ("cp125", "iso-8859", "iso8859", "latin", "windows-125", "koi8", "mac")


def _normal(name: str | None) -> str | None:
    if not name:
        return None
    return name.strip().strip('"').strip().lower() or None


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_utf8_multibyte(data: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte sequence: practically never Shift_JIS, EUC or Latin text."""
    return not data.isascii() and _strict(data, "utf-8") is not None


def iso2022jp_windows(data: bytes, errors: str = "strict") -> str:
    """ISO-2022-JP as Windows writes it (CP50220/50221): JIS X 0208 rows, NEC and IBM extension rows and
    half-width katakana, decoded by mapping each JIS pair to Shift_JIS and reading that as CP932."""
    out = bytearray()
    mode = "ascii"
    i, n = 0, len(data)
    while i < n:
        byte = data[i]
        if byte == 0x1B:  # ESC: switch character set
            seq3 = data[i + 1 : i + 3]
            seq4 = data[i + 1 : i + 4]
            if seq3 in (b"(B", b"(J"):
                mode, i = "ascii", i + 3
            elif seq3 == b"(I":
                mode, i = "kana", i + 3
            elif seq3 in (b"$@", b"$B"):
                mode, i = "jis", i + 3
            elif seq4 in (b"$(Q", b"$(O", b"$(D"):
                mode, i = "jis", i + 4  # JIS X 0213 plane 1 / 0212: their common rows map like 0208
            else:
                out.append(byte)
                i += 1
            continue
        if byte == 0x0E:  # SO: half-width katakana (7-bit JIS)
            mode, i = "kana", i + 1
            continue
        if byte == 0x0F:  # SI
            mode, i = "ascii", i + 1
            continue
        if byte in (0x0A, 0x0D):  # a line break ends any two-byte run (RFC 1468)
            out.append(byte)
            mode, i = "ascii", i + 1
            continue
        if mode == "jis" and 0x21 <= byte <= 0x7E and i + 1 < n and 0x21 <= data[i + 1] <= 0x7E:
            j1, j2 = byte, data[i + 1]
            s1 = ((j1 - 0x21) >> 1) + 0x81
            if s1 > 0x9F:
                s1 += 0x40
            if j1 & 1:
                s2 = j2 + 0x1F + (1 if j2 >= 0x60 else 0)
            else:
                s2 = j2 + 0x7E
            out += bytes((s1, s2))
            i += 2
            continue
        if mode == "kana" and 0x21 <= byte <= 0x5F:
            out.append(byte + 0x80)
            i += 1
            continue
        out.append(byte)
        i += 1
    return bytes(out).decode("cp932", errors)


def _japanese_score(text: str) -> int:
    return 3 * len(KANA_RE.findall(text)) + len(CJK_RE.findall(text)) - 5 * text.count("\ufffd")


JAPANESE_CODECS = ("cp932", "euc-jp", "euc_jis_2004")
NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")


def _latin_misread(text: str) -> bool:
    """Latin-1 bytes read as a double-byte charset: each accented letter becomes one lone character
    stuck to a Latin letter ("Demande d’accès" as CP932 is "Demande d誕cc鑚"), a lone half-width
    katakana (À, Ç: "ﾀ propos", "ﾇa va") or a private-use character (ð..ù as CP932 lead bytes)."""
    for run in NON_ASCII_RUN_RE.finditer(text):
        if run.end() - run.start() != 1:
            continue
        ch = run.group()
        before = text[run.start() - 1] if run.start() else ""
        after = text[run.end()] if run.end() < len(text) else ""
        touches_letter = any(c.isascii() and c.isalpha() for c in before + after)  # a run's neighbours are ASCII
        if touches_letter or "\uff61" <= ch <= "\uff9f" or "\ue000" <= ch <= "\uf8ff":
            return True
    return False


def _clean(data: bytes, codec: str) -> str | None:
    """`data` in `codec` when it decodes strictly and charset-normalizer's mess detector finds it readable."""
    if _strict(data, codec) is None:
        return None
    match = charset_normalizer.from_bytes(data, cp_isolation=[codec], enable_fallback=False).best()
    return str(match) if match is not None else None


def guess(data: bytes) -> tuple[str, str]:
    """Decode bytes with no usable charset: (text, the codec that was used)."""
    if data.isascii():
        if b"\x1b$" in data or b"\x1b(" in data:
            try:
                return iso2022jp_windows(data), "iso-2022-jp"
            except UnicodeDecodeError:
                pass
        return data.decode("ascii"), "us-ascii"
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    western = _clean(data, "cp1252")
    candidates = []
    for codec in JAPANESE_CODECS:
        decoded = _clean(data, codec)
        # Where Windows-1252 reads the bytes as well, a Japanese reading must not look like Latin-1.
        if decoded is not None and (western is None or not _latin_misread(decoded)):
            candidates.append((_japanese_score(decoded), codec, decoded))
    if candidates:
        score, codec, decoded = max(candidates, key=lambda c: c[0])
        if score > 0:
            return decoded, codec
    if western is not None:
        return western, "cp1252"
    detected = charset_normalizer.from_bytes(data).best()
    if detected is not None:
        return str(detected), detected.encoding
    return data.decode("cp1252", "replace") if _strict(data, "cp1252") else data.decode("latin-1"), "cp1252"


def decode_text(data: bytes, declared: str | None) -> tuple[str, list[str]]:
    """Bytes -> str under the declared charset, falling back without ever raising.

    Returns the text and a list of defects (empty when the declared charset simply worked).
    """
    name = _normal(declared)
    defects: list[str] = []
    if name in ("utf-8", "utf8"):
        text = _strict(data, "utf-8")
        if text is not None:
            return text, defects
        lenient = data.decode("utf-8", "replace")
        broken = lenient.count("\ufffd")
        intact = sum(1 for ch in lenient if ord(ch) > 0x7F) - broken
        # A few broken bytes among many good multi-byte characters: still UTF-8. Without the good ones
        # (a short header word, a filename: "Caf\xe9"), the bytes are in some other charset.
        if broken <= max(2, len(lenient) // 100) and intact > broken:
            return lenient, ["invalid UTF-8 bytes were replaced"]
        text, used = guess(data)
        return text, [f"declared charset {declared!r} does not match the content; decoded as {used}"]
    if name is not None and name != "utf-8" and _is_utf8_multibyte(data):
        # Mislabelled UTF-8 (webmail declaring iso-8859-1, or a wrong Shift_JIS label): UTF-8 wins.
        return data.decode("utf-8"), [f"declared charset {declared!r} does not match the content; decoded as utf-8"]
    if name in ISO2022JP_NAMES:
        text = _strict(data, "iso2022_jp")
        if text is not None:
            return text, defects
        try:
            return iso2022jp_windows(data), defects  # Windows extensions: normal Japanese mail, not a defect
        except UnicodeDecodeError:
            pass
        for codec in ("iso2022_jp_2004", "iso2022_jp_ext", "iso2022_jp_2"):
            text = _strict(data, codec)
            if text is not None:
                return text, defects
        return iso2022jp_windows(data, "replace"), [f"undecodable bytes in {declared} text were replaced"]
    if name is None:
        if data.isascii() and b"\x1b" not in data:
            return data.decode("ascii"), defects
        text, used = guess(data)
        return text, [f"no charset declared for 8-bit text; decoded as {used}"]
    codec = SUPERSETS.get(name, name)
    if not _known(codec):
        text, used = guess(data)
        return text, [f"unknown charset {declared!r}; decoded as {used}"]
    text = _strict(data, codec)
    if text is not None:
        return text, defects
    for second in SECOND_TRIES.get(codecs.lookup(codec).name.replace("_", "-"), ()):
        text = _strict(data, second)
        if text is not None:
            return text, defects
    if not codec.startswith(SINGLE_BYTE_PREFIXES):
        guessed, used = guess(data)
        if used != "cp1252":
            return guessed, [f"text is not valid {declared}; decoded as {used}"]
    return data.decode(codec, "replace"), [f"undecodable bytes in {declared} text were replaced"]


ENCODED_WORD_RE = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        payload = payload.rstrip("=")
        return base64.b64decode(payload + "=" * (-len(payload) % 4), validate=True)
    return quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=True)


def _plain(text: str) -> str:
    """Unencoded header text; raw 8-bit bytes arrive as surrogate escapes and have no charset to go by."""
    data = text.encode("utf-8", "surrogateescape")
    return text if data.isascii() or not re.search("[\udc80-\udcff]", text) else guess(data)[0]


def decode_header_value(raw: str | None) -> tuple[str, list[str]]:
    """A raw header value -> str: RFC 2047 encoded-words in any charset (adjacent words in one charset
    are joined before decoding, so a character split across two words survives) and raw 8-bit bytes."""
    if not raw:
        return "", []
    defects: list[str] = []
    parts: list[str] = []
    pending: tuple[str, bytearray] | None = None  # (charset, bytes) of adjacent encoded-words

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            charset, data = pending
            text, problems = decode_text(bytes(data), charset)
            parts.append(text)
            defects.extend(problems)
            pending = None

    position = 0
    for match in ENCODED_WORD_RE.finditer(raw):
        between = raw[position : match.start()]
        if pending is None or between.strip():
            flush()
            parts.append(_plain(between))
        charset = match.group(1).split("*", 1)[0].lower()  # RFC 2231 language suffix: UTF-8*ja
        try:
            data = _word_bytes(match.group(2), match.group(3))
        except (ValueError, binascii.Error) as exc:
            flush()
            parts.append(match.group(0))
            defects.append(f"malformed encoded-word: {exc}")
            position = match.end()
            continue
        if pending is not None and pending[0] == charset:
            pending[1].extend(data)
        else:
            flush()
            pending = (charset, bytearray(data))
        position = match.end()
    flush()
    parts.append(_plain(raw[position:]))
    # Folding leaves CR/LF behind in some broken headers; a header value is one line.
    text = re.sub(r"[\r\n]+[ \t]*", " ", "".join(parts))
    return text.strip(), defects
