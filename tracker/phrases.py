"""What a sentence says in the words the tracker knows: its dates, its figures and who it
says told it (relays), each found where it stands in the sentence.

Dates are resolved against the day the article was published, with the precision the words
give and never more: "on Tuesday" is a day, "last July" a month, "earlier this summer" a range
of days; dateparser reads the days and months, the seasons and spans are read here. Figures
keep how the source gives them ("over 11,000" is a lower bound, "25,000-30,000" a range,
"thousands" a vague word), with spelled-out numbers read by text2num.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateparser.date import DateDataParser
from text_to_num import text2num

from tracker.dates import DatePrecision, FuzzyDate
from tracker.figures import Qualifier

MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_MONTH = rf"(?:{MONTHS}|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}

# Words that put a sentence's events ahead of the day it was published.
_AHEAD = re.compile(
    r"\b(?:will|shall|is to|are to|is due|are due|slated|scheduled|upcoming|ahead of|"
    r"leading up to|next|plans? to|planned|planning|expected to|preparing to|set to|"
    r"would arrive|coming (?:days|weeks|months))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DatePhrase:
    """A date in a sentence: the period it names, its words, and where they stand. SINCE
    marks a bound of a span ("since autumn 2024", "by December"), which dates no record by
    itself."""

    date: FuzzyDate
    words: str
    start: int
    end: int
    since: bool = False


def is_ahead(text: str) -> bool:
    """Whether TEXT speaks of what is still to come ("will arrive", "the upcoming summit")."""
    return _AHEAD.search(text) is not None


# Where one clause of a sentence ends and the next begins: punctuation, and the words that
# open a clause of its own ("that", "who", "before announcing").
_CLAUSE_BREAK = re.compile(
    r"[,;:—–()\"“”]|\s-\s|\b(?:that|which|who|whose|while|before|after|as well as|to update)\b"
)


def clause(sentence: str, position: int) -> tuple[int, int]:
    """The start and end in SENTENCE of the clause holding POSITION."""
    start, end = 0, len(sentence)
    for found in _CLAUSE_BREAK.finditer(sentence):
        if found.end() <= position:
            start = found.end()
        elif found.start() > position:
            end = found.start()
            break
    return start, end


_DATE_PATTERNS = [
    # Days: "12 Aug 2025", "August 12, 2025", "12 August", "Aug. 12".
    rf"\b\d{{1,2}} {_MONTH}(?:,? {_YEAR})?\b",
    rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? {_YEAR})?\b",
    # Weekdays, with the part of the day if any: "Tuesday night", "on Monday".
    rf"\b{_WEEKDAY}(?: (?:morning|afternoon|evening|night))?\b",
    r"\b(?:yesterday|today)\b",
    # Months and years: "June 2024", "last July", "in June", "in 2024", "last year".
    rf"\b(?:(?:last|this|next|early|late|mid-?) )?{_MONTH}(?: {_YEAR})?\b",
    r"\b(?:(?:earlier|later) )?(?:this|last|next) (?:year|month|week)\b",
    rf"\b(?:(?:earlier|later) this |last |next |early |late )?(?:spring|summer|autumn|fall)"
    rf"(?: (?:of )?{_YEAR})?\b",
    r"\b(?:the )?weekend\b",
    rf"\b(?:the )?(?:first|second|third|last) week of {_MONTH}(?: {_YEAR})?\b",
    rf"\b{_YEAR}\b",
]
_DATES = re.compile("|".join(f"(?:{pattern})" for pattern in _DATE_PATTERNS), re.IGNORECASE)
# A date that bounds a span rather than dating the event: "since autumn 2024", "by December".
_SINCE = re.compile(
    r"\b(?:since|from|by|until|till|through)\s+(?:the\s+)?(?:early\s+|late\s+|mid-?)?$",
    re.IGNORECASE,
)


def dates_in(sentence: str, published: date) -> list[DatePhrase]:
    """Every date SENTENCE names, resolved against PUBLISHED, in order; a period is looked for
    ahead of the publication day only when its clause speaks of what is to come."""
    found = []
    for match in _DATES.finditer(sentence):
        start, end = clause(sentence, match.start())
        ahead = is_ahead(sentence[start:end])
        words = match.group(0)
        if words[0].islower() and re.fullmatch(_MONTH, words, re.IGNORECASE) and words != "may":
            continue  # a month's name in lower case is another word ("march", "sept")
        if words.lower() == "may" and not words[0].isupper():
            continue
        period = _resolve(words, published, ahead=ahead)
        if period is None:
            continue
        since = _SINCE.search(sentence[: match.start()]) is not None
        found.append(DatePhrase(period, words, match.start(), match.end(), since))
    return found


def _resolve(words: str, published: date, *, ahead: bool) -> FuzzyDate | None:
    """The period WORDS name, counted from PUBLISHED; None where they name none."""
    lowered = words.lower().rstrip(".")
    if (season := _season(lowered, published, ahead=ahead)) is not None:
        return season
    if (span := _span(lowered, published)) is not None:
        return span
    if re.fullmatch(_YEAR, lowered):
        return FuzzyDate(date(int(lowered), 1, 1), DatePrecision.YEAR)
    if lowered.startswith("last ") and re.fullmatch(_MONTH, lowered[5:]):
        month = _month_number(lowered[5:])
        year = published.year if month < published.month else published.year - 1
        return FuzzyDate(date(year, month, 1), DatePrecision.MONTH)
    return _parsed(words, published, ahead=ahead)


def _month_number(name: str) -> int:
    return datetime.strptime(name[:3].title(), "%b").month


def _parsed(words: str, published: date, *, ahead: bool) -> FuzzyDate | None:
    """A day or month as dateparser reads WORDS, with the precision it gives."""
    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": datetime.combine(published, datetime.min.time()),
            "PREFER_DATES_FROM": "future" if ahead else "past",
            "RETURN_TIME_AS_PERIOD": True,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    cleaned = re.sub(r"^(?:early|late|mid-?|this|next)\s+", "", words, flags=re.IGNORECASE)
    parsed = parser.get_date_data(cleaned)
    if parsed.date_obj is None:
        return None
    day = parsed.date_obj.date()
    if parsed.period in ("day", "time", "part_of_day"):
        named = re.search(_WEEKDAY, words, re.IGNORECASE)
        if named and named.group(0).lower() == published.strftime("%A").lower():
            day = published  # "on Wednesday" in Wednesday's paper is that day
        return FuzzyDate(day, DatePrecision.DAY)
    if parsed.period == "month":
        return FuzzyDate(day.replace(day=1), DatePrecision.MONTH)
    if parsed.period == "year":
        return FuzzyDate(date(day.year, 1, 1), DatePrecision.YEAR)
    return None


def _season(words: str, published: date, *, ahead: bool) -> FuzzyDate | None:
    """ "Earlier this summer", "autumn 2024", "last spring": the season's months as a range,
    up to the publication day where the words say it has not ended ("earlier this")."""
    match = re.fullmatch(
        rf"(?:(earlier|later) this |(last|next|this|early|late) )?(spring|summer|autumn|fall)"
        rf"(?: (?:of )?({_YEAR}))?",
        words,
    )
    if match is None:
        return None
    relation = match.group(1) or match.group(2)
    first_month, last_month = _SEASONS[match.group(3)]
    if match.group(4):
        year = int(match.group(4))
    elif relation == "last":
        year = published.year - 1 if published.month <= last_month else published.year
    elif relation == "next":
        year = published.year + 1 if published.month >= first_month else published.year
    elif relation in ("earlier", "later", "this"):
        year = published.year
    else:
        passed = published.month > last_month or (published.month >= first_month and not ahead)
        year = published.year if passed or ahead else published.year - 1
    start, end = date(year, first_month, 1), _month_end(year, last_month)
    if relation == "early":
        end = _month_end(year, first_month)
    elif relation == "late":
        start = date(year, last_month, 1)
    if relation == "earlier":
        end = min(end, published)
    elif relation == "later":
        start = max(start, published)
    if end < start:
        return None
    return FuzzyDate(start, DatePrecision.RANGE, end)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(words: str, published: date) -> FuzzyDate | None:
    """ "Last week", "earlier this month", "last year", "the weekend", "the last week of
    October": the days they span."""
    words = words.removeprefix("the ")
    if week := re.fullmatch(rf"(first|second|third|last) week of ({_MONTH})(?: ({_YEAR}))?", words):
        month = _month_number(week.group(2))
        year = int(week.group(3)) if week.group(3) else published.year
        if not week.group(3) and date(year, month, 1) > published:
            year -= 1
        first = {"first": 1, "second": 8, "third": 15}.get(week.group(1))
        if first is None:
            first = _month_end(year, month).day - 6
        return FuzzyDate(
            date(year, month, first), DatePrecision.RANGE, date(year, month, first + 6)
        )
    if words == "next year":
        return FuzzyDate(date(published.year + 1, 1, 1), DatePrecision.YEAR)
    if words == "next month":
        return FuzzyDate(
            (published.replace(day=1) + timedelta(days=32)).replace(day=1), DatePrecision.MONTH
        )
    if words == "next week":
        monday = published + timedelta(days=7 - published.weekday())
        return FuzzyDate(monday, DatePrecision.RANGE, monday + timedelta(days=6))
    if words in ("last year", "this year", "earlier this year"):
        year = published.year - 1 if words == "last year" else published.year
        if words == "earlier this year":
            return FuzzyDate(date(year, 1, 1), DatePrecision.RANGE, published)
        return FuzzyDate(date(year, 1, 1), DatePrecision.YEAR)
    if words in ("last month", "this month", "earlier this month"):
        first = published.replace(day=1)
        if words == "last month":
            first = (first - timedelta(days=1)).replace(day=1)
            return FuzzyDate(first, DatePrecision.MONTH)
        if words == "earlier this month":
            return FuzzyDate(first, DatePrecision.RANGE, published)
        return FuzzyDate(first, DatePrecision.MONTH)
    if words in ("last week", "earlier this week", "this week"):
        monday = published - timedelta(days=published.weekday())
        if words == "last week":
            return FuzzyDate(monday - timedelta(days=7), DatePrecision.RANGE, monday - timedelta(1))
        return FuzzyDate(monday, DatePrecision.RANGE, published)
    if words == "weekend":
        saturday = published - timedelta(days=(published.weekday() - 5) % 7)
        return FuzzyDate(saturday, DatePrecision.RANGE, min(saturday + timedelta(1), published))
    return None


# --- Figures -------------------------------------------------------------------------------

_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million)"
)
# A number as sources write it: "11,000", "1.5 million", "15-thousand", "27-hundred",
# "ten-thousand", "four-thousand-100", "twenty five thousand", "a hundred and twenty".
_NUMBER = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:[ -](?:hundred|thousand|million))?"
    rf"|{_NUMBER_WORD}(?:[ -](?:and[ -])?{_NUMBER_WORD})*(?:-\d+)?"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d+"
_QUALIFIERS = {
    Qualifier.OVER: r"over|more than|upwards of|in excess of|above",
    Qualifier.AT_LEAST: r"at least|no fewer than|no less than|a minimum of",
    Qualifier.ROUGHLY: r"about|around|roughly|some|approximately|an estimated|estimated|nearly|"
    r"almost|close to|as many as an estimated",
    Qualifier.UP_TO: r"up to|as many as",
    Qualifier.UNDER: r"fewer than|less than|under|below",
}
_FIGURE = re.compile(
    rf"(?:\b(?P<qualifier>{'|'.join(_QUALIFIERS.values())})\s+)?"
    rf"(?:\bbetween\s+(?P<between>{_NUMBER})\s+and\s+|(?P<range>{_DIGITS})\s*(?:-|–|to)\s*(?=\d))?"
    rf"\b(?P<number>{_NUMBER})\b"
    r"|\b(?P<vague>(?:several |many |tens of )?(?:dozens|hundreds|thousands)|several "
    r"(?:dozen|hundred|thousand))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FigurePhrase:
    """A figure in a sentence, as the source gives it: its qualifier and its low and high
    (None where the source leaves that end open), its words and where they stand."""

    qualifier: Qualifier
    low: int | None
    high: int | None
    words: str
    start: int
    end: int


def number(words: str) -> int | None:
    """The number WORDS write, in digits or in words; None if they write none."""
    words = words.strip().lower()
    scale = 1
    for name, value in _SCALES.items():
        if re.fullmatch(rf"[\d.,]+[ -]{name}", words):
            words, scale = words.rsplit(name, 1)[0].strip(" -"), value
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", words):
        return round(float(words.replace(",", "")) * scale)
    tail = re.fullmatch(r"(.*?)[ -](\d+)", words)  # "four-thousand-100"
    extra = int(tail.group(2)) if tail else 0
    spoken = (tail.group(1) if tail else words).replace("-", " ")
    if spoken in ("a", "and") or not spoken:
        return None
    try:
        return text2num(spoken, "en") * scale + extra
    except ValueError:
        return None


def figures_in(sentence: str) -> list[FigurePhrase]:
    """Every figure SENTENCE gives, with its qualifier; years and days of the month are not
    figures."""
    found = []
    for match in _FIGURE.finditer(sentence):
        words = match.group(0)
        if vague := match.group("vague"):
            qualifier = Qualifier(vague.split()[-1].rstrip("s") + "s")
            floor = qualifier.floor or 0
            low = floor * 2 if vague.lower().startswith("several") else floor
            found.append(FigurePhrase(qualifier, low, None, words, match.start(), match.end()))
            continue
        value = number(match.group("number"))
        if value is None or _is_date_part(sentence, match, value):
            continue
        other = match.group("between") or match.group("range")
        if other is not None and (first := number(other)) is not None:
            scale = _scale(match.group("number"))
            if first * scale <= value:  # "10 to 12 thousand": the scale is said once
                first *= scale
            low, high = sorted((first, value))
            qualifier = Qualifier.BETWEEN
        else:
            qualifier, low, high = _qualified(match.group("qualifier"), value)
        found.append(FigurePhrase(qualifier, low, high, words, match.start(), match.end()))
    return found


def _scale(words: str) -> int:
    """The scale WORDS end with ("12 thousand": 1,000), or 1."""
    last = re.split(r"[ -]", words.strip().lower())[-1]
    return _SCALES.get(last, 1)


def _qualified(word: str | None, value: int) -> tuple[Qualifier, int | None, int | None]:
    if word is None:
        return Qualifier.EXACTLY, value, value
    qualifier = next(
        named for named, pattern in _QUALIFIERS.items() if re.fullmatch(pattern, word.lower())
    )
    if qualifier in (Qualifier.OVER, Qualifier.AT_LEAST):
        return qualifier, value, None
    if qualifier in (Qualifier.UP_TO, Qualifier.UNDER):
        return qualifier, None, value
    return qualifier, value, value


def _is_date_part(sentence: str, match: re.Match[str], value: int) -> bool:
    """Whether the number is a year ("in 2024") or a day of a month ("12 Aug")."""
    words = match.group("number")
    if re.fullmatch(_YEAR, words) and not match.group("qualifier"):
        return True
    after = sentence[match.end() : match.end() + 12]
    before = sentence[max(0, match.start() - 12) : match.start()]
    return value <= 31 and bool(
        re.match(rf"\s*{_MONTH}", after, re.IGNORECASE)
        or re.search(rf"{_MONTH}\s*$", before, re.IGNORECASE)
    )


# --- Relays --------------------------------------------------------------------------------

_SPEAKER = (
    r"(?:the |a |an )?(?:[A-Z][\w.'’&-]*|U\.S\.)(?:\s+(?:of|for|and|[A-Z][\w.'’&-]*|state-run|"
    r"news|agency|intelligence|spy|military|officials?|lawmakers?|ministry|service|"
    r"departments?|sources?))*"
)
# Speakers the text leaves unnamed: "a lawmaker said", "officials estimated".
_UNNAMED = (
    r"\b(?:an? |the )?(?:\w+ )?(?:lawmakers?|officials?|spokes(?:man|woman|person)|sources?|"
    r"analysts?|diplomats?)"
)
_SAYING = (
    r"said|says|stated|reported|reports|announced|claimed|estimated|estimates|assessed|"
    r"confirmed|revealed|added"
)
# Each way of naming who told it, with how far from the reader it puts them: whoever a
# sentence is "according to" told the reader; a speaker ("KCNA said") told them, or told that
# one; whoever is "cited" told the speaker. Wherever each stands in the sentence: "Citing the
# NIS, Yonhap said" is Yonhap, then the NIS; "KCNA said it, according to Yonhap", Yonhap first.
_RELAYS = [
    (0, re.compile(r"\baccording to (?P<who>[^,.;:]+)", re.IGNORECASE)),
    (2, re.compile(r"\bciting (?P<who>[^,.;:]+)", re.IGNORECASE)),
    (1, re.compile(rf"(?P<who>{_SPEAKER}|{_UNNAMED})\s+(?:{_SAYING})\b")),
    # "..., said the Kremlin." The speaker ends the clause.
    (1, re.compile(rf"\b(?:{_SAYING}) (?P<who>{_SPEAKER})(?=\s*(?:[.,;]|$))")),
]
# "A new intelligence assessment from South Korea": the speaker is South Korea.
_REPORT = re.compile(
    r"^(?:an? |the )?(?:new |recent |latest )?(?:\w+ )?(?:assessment|report|estimate|statement|"
    r"briefing|analysis)s? (?:from|by|of) ",
    re.IGNORECASE,
)
_NOT_SPEAKERS = re.compile(
    r"^(?:the )?(?:he|she|it|they|we|i|this|that|which|who|on|in|at|last|earlier)$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class RelayPhrase:
    """Someone a sentence says told it ("according to TASS", "KCNA said"), where they stand."""

    who: str
    start: int
    end: int


def relays_in(sentence: str) -> list[RelayPhrase]:
    """Who SENTENCE says told it, the nearest to the reader first ("Yonhap reported, citing
    the NIS" gives Yonhap, then the NIS), those as near in the order they stand."""
    found: dict[tuple[int, int], RelayPhrase] = {}
    distance: dict[tuple[int, int], int] = {}
    for far, pattern in _RELAYS:
        for match in pattern.finditer(sentence):
            who = match.group("who").strip()
            if re.search(r"\band$", who) or re.match(r"\s+and\b", sentence[match.end("who") :]):
                continue  # "Kim expressed gratitude to Putin and said": Putin is no speaker
            who = _REPORT.sub("", who)
            if who.endswith(".") and not re.search(r"\b[A-Z]\.[A-Z]\.$", who):
                who = who[:-1]  # the sentence's full stop, not an initial's
            who = re.sub(r"\s+(?:earlier|later|last|this|on|in)\b.*$", "", who)
            if not who or _NOT_SPEAKERS.match(who) or who[0].isdigit():
                continue
            start = match.start("who")
            if any(start < end and begin < start + len(who) for begin, end in found):
                continue
            found[(start, start + len(who))] = RelayPhrase(who, start, start + len(who))
            distance[(start, start + len(who))] = far
    return [found[span] for span in sorted(found, key=lambda span: (distance[span], span))]
