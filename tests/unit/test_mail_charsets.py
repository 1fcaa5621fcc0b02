"""Guessing the charset of 8-bit text that names none (or names a wrong one): Japanese and Western by
hand, the rest by charset-normalizer (see ticketing/mail/charsets.py for which and why)."""

from __future__ import annotations

import pytest

from ticketing.mail.charsets import decode_header_value, decode_text, guess

# Latin-1 text whose bytes also decode strictly as Shift_JIS: before, each one came out as kanji.
LATIN = [
    "Crème brûlée",
    "Données personnelles de François Lévêque",
    "À propos de mes données",
    "À propos",
    "Demande d’accès",
    "Ça va",
    "Straße",
    "Löschung meiner Daten",
    "Über meine Daten",
    "Café crème résumé",
]
# Short Japanese strings (subjects, names, filenames): the library alone reads them as Big5 or CP949.
JAPANESE = [
    ("本人確認書類.pdf", "cp932"),
    ("住民票.jpg", "cp932"),
    ("髙橋", "cp932"),
    ("ｱｲｳ", "cp932"),
    ("第1回 meeting", "cp932"),
    ("PDF形式", "cp932"),
    ("Web上で", "cp932"),
    ("開示請求書_記入済み.pdf", "cp932"),
    ("委任状", "euc-jp"),
    ("こんにちは", "euc-jp"),
    ("個人情報の開示", "euc-jp"),
    ("個人情報の開示をお願いします。" * 40, "cp932"),
]
# Neither Japanese nor Western: the hand-written guesser had only Windows-1252 mojibake for these.
RUSSIAN = "Здравствуйте! Прошу удалить мои персональные данные из вашей базы. Спасибо."
OTHER = [
    (RUSSIAN, "cp1251"),
    (RUSSIAN, "koi8-r"),
    ("Γειά σας, παρακαλώ διαγράψτε τα δεδομένα μου", "iso-8859-7"),
    ("Zażółć gęślą jaźń, proszę usunąć moje dane osobowe", "cp1250"),
]


@pytest.mark.parametrize("text", LATIN)
def test_latin1_bytes_are_latin1_even_where_shift_jis_would_take_them(text: str) -> None:
    assert guess(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize(("text", "charset"), JAPANESE)
def test_japanese_bytes_are_japanese(text: str, charset: str) -> None:
    assert guess(text.encode(charset))[0] == text


@pytest.mark.parametrize(("text", "charset"), OTHER)
def test_other_scripts_are_read_by_charset_normalizer(text: str, charset: str) -> None:
    assert guess(text.encode(charset))[0] == text


def test_a_raw_latin1_header_is_latin1() -> None:
    raw = "Donn\udce9es personnelles : cr\udce8me br\udcfbl\udce9e"  # 8-bit bytes as the parser hands them over
    assert decode_header_value(raw) == ("Données personnelles : crème brûlée", [])


@pytest.mark.parametrize(
    ("data", "text"), [(b"Caf\xe9", "Café"), (b"M\xfcnchen", "München"), ("住民票.jpg".encode("cp932"), "住民票.jpg")]
)
def test_a_short_string_declared_utf8_with_none_of_it_valid_is_another_charset(data: bytes, text: str) -> None:
    decoded, defects = decode_text(data, "utf-8")
    assert decoded == text and defects and "does not match" in defects[0]


def test_a_long_utf8_text_with_one_broken_byte_is_still_utf8() -> None:
    data = ("個人情報の開示をお願いします。" * 20).encode() + b"\xff" + "以上です。".encode()
    decoded, defects = decode_text(data, "utf-8")
    assert decoded.startswith("個人情報の開示") and decoded.count("\ufffd") == 1
    assert defects == ["invalid UTF-8 bytes were replaced"]
