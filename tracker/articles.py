"""News articles as the extractor reads them: their text, who published it and when, and the
sentences in it, each keeping its place in the text so that every proposal quotes its
sentence word for word.

An article comes as pasted text, a .txt file, or a saved web page, whose main text (without
menus, footers and comments) trafilatura extracts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import trafilatura
from syntok import segmenter

from tracker.dates import FuzzyDate
from tracker.errors import TrackerError

_LIST_MARKER = re.compile(r"(?:\d{1,2}[.)]|[-•*·])\s+")
_MARKUP = re.compile(r"\s*(<!doctype html|<html|<head|<body|<article|<p[ >])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article: its words, and where they stand in the article's text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Article:
    """An article to propose records from: its text, when it was published (a day, or the days
    it may have been: relative dates, "on Tuesday", "last July", count from the first) and its
    outlet, if known."""

    text: str
    published: FuzzyDate
    outlet: str | None = None
    title: str | None = None

    @property
    def sentences(self) -> list[Sentence]:
        return sentences(self.text)


def read_article(
    content: bytes | str,
    *,
    published: FuzzyDate,
    outlet: str | None = None,
    name: str = "",
) -> Article:
    """The article in CONTENT: a saved web page (by its NAME's suffix, or its markup) reduced to
    its main text, or plain text as it is. Refuses, in words, content that is not UTF-8 text
    or a page with no text to read."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise TrackerError(
                f"{name or 'the article'} is not UTF-8 text (byte {error.start + 1} cannot be "
                "read): save it as UTF-8, or as a web page"
            ) from None
    title = None
    if Path(name).suffix.lower() in (".htm", ".html") or _MARKUP.match(content):
        text = trafilatura.extract(content, favor_precision=True, include_comments=False)
        if not text:
            raise TrackerError(f"{name or 'the page'} holds no article text to read")
        metadata = trafilatura.extract_metadata(content)
        title = metadata.title if metadata is not None else None
        content = text
    if not content.strip():
        raise TrackerError(f"{name or 'the article'} is empty")
    return Article(text=content, published=published, outlet=outlet, title=title)


def sentences(text: str) -> list[Sentence]:
    """The sentences of TEXT in order, each as it stands in TEXT (syntok splits them)."""
    found = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            start = sentence[0].offset
            end = sentence[-1].offset + len(sentence[-1].value)
            if marker := _LIST_MARKER.match(text, start, end):
                start = marker.end()  # a list's "1." or bullet is not the source's words
            if start < end:
                found.append(Sentence(text=text[start:end], start=start, end=end))
    return found
