"""Articles as the extractor reads them: plain text as it is, a saved page's main text, and
sentences that keep their place, so a proposal can quote its sentence word for word."""

from __future__ import annotations

import pytest

from tracker.articles import read_article, sentences
from tracker.dates import FuzzyDate
from tracker.errors import TrackerError

DAY = FuzzyDate.parse("2025-08-13")
PAGE = """<!doctype html><html><head><title>Kim pledges support</title></head><body>
<nav>Home | World | Sport</nav>
<article><h1>Kim pledges support</h1>
<p>On Tuesday night, the Kremlin revealed that Putin had spoken with Kim Jong Un. The call
covered the war in Ukraine and the summit in Alaska later this week.</p>
<p>Kim said North Korea would always stand with Russia, according to KCNA.</p></article>
<footer>Copyright 2025 The Daily Example. All rights reserved.</footer></body></html>"""


def test_a_saved_page_is_read_for_its_article_without_menus_or_footer() -> None:
    article = read_article(PAGE.encode(), published=DAY, name="page.html")
    assert "the Kremlin revealed" in article.text
    assert "Home | World" not in article.text and "Copyright" not in article.text
    assert article.title == "Kim pledges support"


def test_plain_text_is_kept_as_it_is() -> None:
    text = "Putin spoke with Kim.\n\nThey agreed."
    assert read_article(text.encode(), published=DAY, name="a.txt").text == text


def test_each_sentence_is_the_text_at_its_place() -> None:
    text = 'Putin spoke with Kim. "We stand together," KCNA said.\n\n1. Over 11,000 troops went.'
    found = sentences(text)
    assert [sentence.text for sentence in found] == [
        "Putin spoke with Kim.",
        '"We stand together," KCNA said.',
        "Over 11,000 troops went.",  # a list's number is not the source's words
    ]
    assert all(text[s.start : s.end] == s.text for s in found)


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (b"\xff\xfe not text", "a.txt", "a.txt is not UTF-8 text"),
        (b"   \n", "a.txt", "a.txt is empty"),
        (b"<html><body></body></html>", "a.html", "holds no article text"),
    ],
)
def test_what_cannot_be_read_is_refused_in_words(content: bytes, name: str, problem: str) -> None:
    with pytest.raises(TrackerError, match=problem):
        read_article(content, published=DAY, name=name)
