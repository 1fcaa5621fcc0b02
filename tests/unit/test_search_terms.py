"""domain/search.py: what is indexed and what is asked are the same terms, so a substring is found."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ticketing.domain.search import document, fts5_match, parse, pg_tsquery, terms, ticket_document

KANA_KANJI = st.text(alphabet="開示請求削除個人情報のをにはデータメールーア々", min_size=1, max_size=30)


def contains_phrase(doc: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(doc[i : i + n]) == phrase for i in range(len(doc) - n + 1))


@given(KANA_KANJI, st.data())
def test_any_japanese_substring_of_two_or_more_characters_is_found(text, data):
    start = data.draw(st.integers(0, max(0, len(text) - 2)))
    end = data.draw(st.integers(start + 2, max(start + 2, len(text))))
    sub = text[start:end]
    if len(sub) < 2:
        return
    query = parse(sub)
    assert all(contains_phrase(terms(text), phrase) for phrase in query.phrases)


@given(KANA_KANJI, KANA_KANJI)
def test_a_phrase_found_is_in_the_text(text, sub):
    """No false hits: the pairs stand next to each other only where the query does."""
    if len(sub) < 2:
        return
    (phrase,) = parse(sub).phrases
    if contains_phrase(terms(text), phrase):
        assert sub in text


def test_japanese_is_indexed_in_pairs_and_other_scripts_by_word():
    assert terms("開示請求") == ["開示", "示請", "請求"]
    assert terms("Disclosure, please!") == ["disclosure", "please"]
    assert terms("ＡＢＣ１２３ ｶﾀｶﾅ") == ["abc123", "カタ", "タカ", "カナ"]  # NFKC: width folded
    assert terms("開示request") == ["開示", "request"]
    assert terms("字") == ["字"]


def test_a_ticket_is_found_by_its_phone_digits_and_address_parts():
    doc = ticket_document("REL-2026-000123", "山田 太郎", "taro.yamada@example.jp", "03-5351-6152", "件名")
    words = doc.split()
    assert {"rel", "2026", "000123", "山田", "太郎", "taro", "yamada", "0353516152", "5351", "件名"} <= set(words)


def test_queries_for_each_engine():
    q = parse("個人情報 tana")
    assert q.phrases == (("個人", "人情", "情報"), ("tana",)) and q.prefix_last
    assert pg_tsquery(q) == "('個人' <-> '人情' <-> '情報') & ('tana':*)"
    assert fts5_match(q) == '"個人 人情 情報" "tana"*'
    assert parse("REL-2026-000001").reference == "REL-2026-000001"
    assert parse("03 5351 6152").phrases == (("0353516152",),)
    assert parse("  ").empty and parse("!!").empty


def test_query_syntax_of_the_engines_is_never_passed_through():
    for text in ["a' | b", 'x" OR y', "NEAR(a b)", "a:* & !b", "col:val"]:
        q = parse(text)
        for phrase in q.phrases:
            for term in phrase:
                assert term.isalnum(), term
        assert document(text) == " ".join(t for p in q.phrases for t in p)
