"""Proposals: the records an article seems to hold, for an editor to review before anything is
saved. Each quotes its sentence word for word and says what it read there: the date, resolved
against the day the article was published, with the precision the words give; the figure,
with its qualifier and what it measures; the states and people, matched to those stored; who
the article says told it (the relay chain). A proposal that repeats a stored record names it.

The reading is deterministic and offline: rules over the tracker's own vocabulary (its states,
aliases, people, deployments, treaties), with dateparser, text2num, syntok and rapidfuzz for
dates, numbers, sentences and names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from tracker.articles import Article, Sentence
from tracker.dates import DatePrecision, FuzzyDate
from tracker.errors import TrackerError, describe
from tracker.figures import Qualifier, describe_figure
from tracker.gazetteer import Gazetteer, Mention, Named
from tracker.kinds import KINDS, RecordKind
from tracker.kinds.deployments import Deployment, PersonnelKind
from tracker.kinds.engagements import (
    Engagement,
    EngagementKind,
    EngagementParticipant,
    EngagementStatus,
)
from tracker.kinds.estimates import Estimate, Measure
from tracker.kinds.people import Person
from tracker.kinds.pledges import Conditionality, Pledge, PledgeKind
from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty, TreatyParty
from tracker.phrases import (
    DatePhrase,
    FigurePhrase,
    clause,
    dates_in,
    figures_in,
    is_ahead,
    relays_in,
)
from tracker.records import as_record, save
from tracker.users import Actor, require_editor


class Proposal(BaseModel):
    """A record an article seems to hold, with the sentence that says so."""

    kind: RecordKind
    quote: str
    start: int  # where the quote stands in the article's text
    end: int
    title: str | None = None
    date: str | None = None  # the tracker's notation: 2025-08-12, 2025-07, 2025-06-01/2025-08-13
    date_words: str | None = None
    states: list[str] = []  # codes
    people: list[str] = []  # names, as stored
    new_people: list[str] = []  # names of people not stored yet, to add before saving
    relayed_via: list[str] = []  # who told it, from the article outward to the originator
    # An engagement's
    engagement_kind: EngagementKind | None = None
    status: EngagementStatus | None = None
    cameo_code: str | None = None
    # An estimate's (a pledge may carry a figure too)
    low: int | None = None
    high: int | None = None
    qualifier: Qualifier | None = None
    measure: Measure | None = None
    scope: str | None = None
    deployment: str | None = None
    # A pledge's
    pledger: str | None = None  # a state's code
    recipients: list[str] = []
    # An engagement's participants as the record takes them: a state, with its person if stored.
    participants: list[dict[str, Any]] = []
    # The stored record it repeats: its id, and in words ("engagement 3: Putin–Kim phone call").
    duplicate_id: int | None = None
    duplicate_of: str | None = None

    @property
    def described(self) -> str:
        """The proposal in a line of words, as `tracker extract` prints it."""
        when = self.date or "date not given"
        if self.date_words:
            when += f' ("{self.date_words}")'
        what = self.title or ""
        if self.kind is RecordKind.ENGAGEMENT:
            what += f", {self.status}"
        elif self.kind is RecordKind.ESTIMATE and self.qualifier is not None:
            figure = describe_figure(self.qualifier, self.low, self.high)
            measure = self.measure.words if self.measure else "measure not read"
            what = f"{figure} {measure} in {self.scope}, of {self.deployment or 'a new deployment'}"
        elif self.kind is RecordKind.PLEDGE:
            what = f"by {self.pledger} to {', '.join(self.recipients)}"
        who = ", ".join([*self.people, *(f"{name} (not stored)" for name in self.new_people)])
        parts = [f"{self.kind.value}, {when}: {what}", f"states {', '.join(self.states) or 'none'}"]
        if who:
            parts.append(who)
        if self.relayed_via:
            parts.append("via " + ", via ".join(self.relayed_via))
        if self.duplicate_of:
            parts.append(f"repeats {self.duplicate_of}")
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        """The proposal as `tracker extract --json` prints it: what applies to its kind."""
        shown = {
            "kind": self.kind.value,
            "quote": self.quote,
            "title": self.title,
            "date": self.date,
            "date_words": self.date_words,
            "states": self.states,
            "people": self.people,
            "new_people": self.new_people,
            "relayed_via": self.relayed_via,
            "duplicate_of": self.duplicate_of,
        }
        extra: dict[str, Any] = {}
        if self.kind is RecordKind.ENGAGEMENT:
            extra = {
                "type": self.engagement_kind,
                "status": self.status,
                "cameo_code": self.cameo_code,
            }
        elif self.kind is RecordKind.ESTIMATE:
            extra = {
                "low": self.low,
                "high": self.high,
                "qualifier": self.qualifier,
                "measure": self.measure,
                "scope": self.scope,
                "deployment": self.deployment,
            }
        elif self.kind is RecordKind.PLEDGE:
            extra = {"pledger": self.pledger, "recipients": self.recipients}
        return shown | {name: value for name, value in extra.items()}


@dataclass(frozen=True, slots=True)
class Known:
    """What the database holds that proposals are matched to."""

    gazetteer: Gazetteer
    # id: (name, state code, office); "new:NAME" for one an article names who is not stored
    people: dict[str, tuple[str, str, str | None]]
    deployments: list[Deployment]
    # id: (name, the codes of its parties, whether it is kept as historical context only)
    treaties: dict[int, tuple[str, set[str], bool]]


@dataclass
class Reading:
    """One sentence of an article, with everything found in it."""

    article: Article
    sentence: Sentence
    mentions: list[Mention]
    dates: list[DatePhrase]
    figures: list[FigurePhrase]
    relays: list[str]
    known: Known
    earlier: list[Proposal] = field(default_factory=list)  # proposed from sentences before

    @property
    def text(self) -> str:
        return self.sentence.text

    def people(self) -> list[str]:
        """The ids of the people the sentence names, in order, each once."""
        return list(dict.fromkeys(m.key for m in self.mentions if m.named is Named.PERSON))

    def states(self) -> list[str]:
        """The codes of the states the sentence names, in order, each once."""
        return list(dict.fromkeys(m.key for m in self.mentions if m.named is Named.STATE))


def known(session: Session) -> Known:
    """The states, people, deployments and treaties stored in SESSION's database."""
    people = {
        str(person.id): (person.name, person.state_code, person.office)
        for person in session.exec(select(Person).where(Person.retired_at.is_(None)))
    }
    return Known(
        gazetteer=Gazetteer.of(session),
        people=people,
        deployments=list(session.exec(select(Deployment).where(Deployment.retired_at.is_(None)))),
        treaties=_treaties_with_parties(session),
    )


def _treaties_with_parties(session: Session) -> dict[int, tuple[str, set[str], bool]]:
    treaties: dict[int, tuple[str, set[str], bool]] = {}
    rows = session.exec(
        select(Treaty.id, Treaty.name, Treaty.historical_context, TreatyParty.state_code)
        .join(TreatyParty, TreatyParty.treaty_id == Treaty.id)
        .where(Treaty.retired_at.is_(None))
    )
    for treaty_id, name, historical, code in rows:
        treaties.setdefault(treaty_id, (name, set(), historical))[1].add(code)
    return treaties


def propose(*, session: Session, article: Article) -> list[Proposal]:
    """The records ARTICLE seems to hold, in the order its sentences give them, each marked if
    it repeats a stored record."""
    found = known(session)
    proposals: list[Proposal] = []
    base = article.published.earliest
    for sentence in article.sentences:
        reading = Reading(
            article=article,
            sentence=sentence,
            mentions=_people_by_title(found, _after_dateline(found, sentence.text), sentence.text),
            dates=dates_in(sentence.text, base),
            figures=figures_in(sentence.text),
            relays=[relay.who for relay in relays_in(sentence.text)],
            known=found,
            earlier=proposals,
        )
        for proposer in PROPOSERS.values():
            proposals.extend(proposer(reading))
    for proposal in proposals:
        if (twin := _stored_twin(session, proposal)) is not None:
            proposal.duplicate_id, proposal.duplicate_of = twin
    return proposals


# A news agency's dateline, where the story was filed: "LONDON --", "SEOUL, South Korea (AP) —".
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:,\s*[\w .]+?)?\s*(?:\([^)]*\))?\s*(?:--|[—–:-])\s*")


def _after_dateline(known: Known, text: str) -> list[Mention]:
    """The states and people TEXT names, leaving out its dateline: the city a story was filed
    from takes no part in it."""
    dateline = _DATELINE.match(text)
    start = dateline.end() if dateline else 0
    return [mention for mention in known.gazetteer.mentions(text) if mention.start >= start]


# "The Russian autocrat", "North Korea's leader": a state's leader, by their title.
_LEADER = re.compile(
    r"\b(?:leader|president|autocrat|dictator|head of state|supreme leader|premier)\b",
    re.IGNORECASE,
)
# A title after a state's name: "North Korean Foreign Minister Choe Son Hui", "Russia's top
# security official, Sergei Shoigu", "the Russian autocrat".
_TITLE = re.compile(
    r"(?:'s|’s)?\s+(?:(?:top|senior|chief|deputy|first|new|former)\s+)*"
    r"(?P<title>(?:[Ff]oreign|[Dd]efen[cs]e|[Pp]rime|[Ss]ecurity|[Ee]conomy|[Tt]rade)\s+"
    r"(?:[Mm]inister|[Oo]fficial|[Cc]ouncil [Ss]ecretary)|[Ll]eader|[Pp]resident|autocrat|"
    r"dictator|[Ee]nvoy|[Aa]mbassador|[Mm]inister|[Ss]ecurity official)"
    r"(?:,?\s+(?P<name>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){1,3}))?"
)


def _people_by_title(known: Known, mentions: list[Mention], text: str) -> list[Mention]:
    """MENTIONS, with the people a state's title names: the stored person of that name, else a
    person not stored yet ("new:Choe Son Hui"), else, for a leader's title alone ("the Russian
    autocrat"), the state's stored leader, the one whose office says so."""
    added = []
    named_people = {(m.start, m.end) for m in mentions if m.named is Named.PERSON}
    for mention in mentions:
        if mention.named is not Named.STATE:
            continue
        title = _TITLE.match(text, mention.end)
        if title is None:
            continue
        if title.group("name"):
            start, end = title.span("name")
            if any(start <= begin < end for begin, _ in named_people):
                continue  # a stored person, found already
            name = title.group("name")
            key = f"new:{name}"
            known.people.setdefault(key, (name, mention.key, title.group("title")))
            added.append(Mention(Named.PERSON, key, name, name, start, end))
        elif _LEADER.fullmatch(title.group("title")):
            leaders = [
                (person_id, name)
                for person_id, (name, state, office) in known.people.items()
                if state == mention.key and office and _LEADER.search(office)
            ]
            if len(leaders) == 1:
                person_id, name = leaders[0]
                added.append(
                    Mention(
                        Named.PERSON, person_id, name, mention.words, mention.start, mention.end
                    )
                )
    return sorted([*mentions, *added], key=lambda m: m.start)


_SIGNING = re.compile(r"\b(?:signed|concluded|ratified|founded)\b", re.IGNORECASE)


def _dated(
    reading: Reading,
    fallback: FuzzyDate | None = None,
    *,
    signing: bool = False,
    until: int | None = None,
) -> tuple[str | None, str | None]:
    """The text form and the words of the sentence's date (with SIGNING, of a treaty's signing,
    else any other; with UNTIL, one standing before that place), or FALLBACK's text form."""
    for found in reading.dates:
        if until is not None and found.start >= until:
            break
        start, end = clause(reading.text, found.start)
        signed = _SIGNING.search(reading.text[max(0, start - 30) : end]) is not None
        if not found.since and signed == signing:
            return str(found.date), found.words
    return (str(fallback) if fallback is not None else None), None


def _person_state(reading: Reading, person_id: str) -> str:
    return reading.known.people[person_id][1]


def _name(reading: Reading, person_id: str) -> str:
    return reading.known.people[person_id][0]


def _people_fields(reading: Reading, people: Iterable[str]) -> dict[str, list[str]]:
    """A proposal's `people` (stored) and `new_people` (not stored yet), by name."""
    ids = set(people)
    return {
        "people": sorted(_name(reading, p) for p in ids if not p.startswith("new:")),
        "new_people": sorted(_name(reading, p) for p in ids if p.startswith("new:")),
    }


# --- Engagements ---------------------------------------------------------------------------

_ENGAGEMENT_WORDS = {
    EngagementKind.PHONE_CALL: (
        r"\b(?:phone|telephone|call(?:ed|s)?\b(?! for| on)|spoken? (?:with|to)|phone-call)"
    ),
    EngagementKind.SUMMIT: r"\bsummits?\b",
    EngagementKind.VISIT: r"\b(?:visit(?:ed|s|ing)?|trip|arrived in|travell?ed to|state visit)\b",
    EngagementKind.THIRD_PLACE_MEETING: r"\b(?:met|meets?|meeting|talks|held talks)\b",
}
# Words of two people speaking ("Kim told Putin"), which say no kind of engagement: the
# article names it elsewhere ("the Kim–Putin call"), or there is none to propose.
_CONVERSATION = r"\b(?:told|assured|thanked|congratulated)\b"


def _engagements(reading: Reading) -> Iterator[Proposal]:
    """Calls, visits, summits and meetings between people of two or more states: each word for
    one ("spoke with", "visited", "met") with the people of its own clause."""
    seen: set[frozenset[str]] = set()
    for named, pattern in [*_ENGAGEMENT_WORDS.items(), (None, _CONVERSATION)]:
        for word in re.finditer(pattern, reading.text, re.IGNORECASE):
            start, end = clause(reading.text, word.start())
            words = reading.text[start:end]
            if re.search(r"\b(?:before|after)\s*$", reading.text[:start]) and not any(
                start <= found.start < end for found in reading.dates
            ):
                continue  # "days before Putin's talks with Trump": another time, not given
            people = _people_between(reading, start, end)
            if start == 0 and len(people) == 1:
                # "In the days leading up to the summit with Trump, Putin has...": the one who
                # meets is the subject of the clause that follows.
                people += _people_between(reading, *clause(reading.text, end + 1))
            if re.search(r"\b(?:all|each|both) of them\b|\bthem all\b", words):
                people = [*people, *reading.people()]  # the people the sentence listed
            elif relative := re.search(r"\bwho\s*$", reading.text[:start]):
                # "Sergei Shoigu, who met with Kim": the one who met is the clause before.
                before = clause(reading.text, max(0, relative.start() - 2))
                people = _people_between(reading, *before) + people
            people = list(dict.fromkeys(people))
            # States that take part without a person named: "the North Korean minister", or
            # the one visited ("arrived in Moscow").
            states = [_person_state(reading, person) for person in people]
            states += [
                m.key
                for m in reading.mentions
                if m.named is Named.STATE
                and start <= m.start < end
                and (
                    _TITLE.match(reading.text, m.end)
                    or re.search(
                        r"\b(?:arrived in|visit(?:s|ed|ing)?(?: to)?|trip to|travell?ed to|in)"
                        r"\s+(?:the\s+)?$",
                        reading.text[max(0, m.start - 16) : m.start],
                    )
                )
            ]
            states = list(dict.fromkeys(states))
            if len(states) < 2:
                continue
            kind = named or _kind_named_elsewhere(reading, people)
            if kind is None or frozenset(states) | frozenset(people) in seen:
                continue
            if named is None and not reading.dates:
                continue  # "Kim assured Putin": an engagement only when the sentence dates it
            seen.add(frozenset(states) | frozenset(people))
            yield from _engagement(reading, kind, people, states, words)


def _kind_named_elsewhere(reading: Reading, people: list[str]) -> EngagementKind | None:
    """The kind of engagement the article names, in any sentence, between the same people."""
    for sentence in reading.article.sentences:
        named = {m.key for m in reading.known.gazetteer.mentions(sentence.text)}
        if not set(people) <= named:
            continue
        for kind, pattern in _ENGAGEMENT_WORDS.items():
            if re.search(pattern, sentence.text, re.IGNORECASE):
                return kind
    return None


def _people_between(reading: Reading, start: int, end: int) -> list[str]:
    return [
        m.key
        for m in reading.mentions
        if m.named is Named.PERSON and start <= m.start and m.end <= end
    ]


def _leader(reading: Reading, person_id: str) -> bool:
    office = reading.known.people[person_id][2]
    return bool(office and _LEADER.search(office))


def _engagement(
    reading: Reading, kind: EngagementKind, people: list[str], states: list[str], words: str
) -> Iterator[Proposal]:
    """The engagement of KIND between PEOPLE and STATES said in WORDS (a clause): one for each
    pair, for a call with more than two; undated if the article gives no date for it."""
    if kind is EngagementKind.THIRD_PLACE_MEETING:
        if len(people) >= 2 and all(_leader(reading, person) for person in people):
            kind = EngagementKind.SUMMIT
        elif not _at_a_third_place(reading, people):
            kind = EngagementKind.VISIT  # met in one of their own states: one visited the other
    pairs = [people]
    if kind is EngagementKind.PHONE_CALL and len(people) > 2:
        # Calls are between two: the article's protagonist called each of the others.
        hub = _protagonist(reading, people)
        pairs = [[hub, other] for other in people if other != hub]
    date, date_words = _dated(reading)
    if date is None:
        date, date_words = _context_date(reading)
    if date is None:
        date, date_words = _date_of_earlier(reading, people)
    after = date is not None and FuzzyDate.parse(date).earliest > reading.article.published.latest
    ahead = is_ahead(words) or after
    for participants in pairs:
        involved = {_person_state(reading, person) for person in participants}
        if len(pairs) == 1:
            involved |= set(states)
        names = [
            _name(reading, person).split()[0 if _family_first(reading, person) else -1]
            for person in participants
        ] or [reading.known.gazetteer.state_name(code) for code in states]
        stored = [p for p in participants if not p.startswith("new:")]
        taking_part = [
            {"state_code": _person_state(reading, person), "person_id": int(person)}
            for person in stored
        ]
        taking_part += [
            {"state_code": code, "person_id": None}
            for code in sorted(involved - {_person_state(reading, person) for person in stored})
        ]
        yield Proposal(
            kind=RecordKind.ENGAGEMENT,
            quote=reading.text,
            start=reading.sentence.start,
            end=reading.sentence.end,
            participants=taking_part,
            title=f"{'–'.join(names)} {kind.value.replace('_', ' ')}",
            date=date,
            date_words=date_words,
            states=sorted(involved),
            **_people_fields(reading, participants),
            relayed_via=reading.relays,
            engagement_kind=kind,
            status=EngagementStatus.PLANNED if ahead else EngagementStatus.HELD,
            cameo_code=kind.default_cameo_code,
        )


def _date_of_earlier(reading: Reading, people: list[str]) -> tuple[str | None, str | None]:
    """For "the Kim–Putin call" with no date of its own: the date of the latest proposal so
    far in the article naming the same people, the events it refers back to."""
    names = set(_people_fields(reading, people)["people"])
    for earlier in reversed(reading.earlier):
        if names and names <= set(earlier.people) and earlier.date_words:
            return earlier.date, earlier.date_words
    return None, None


def _family_first(reading: Reading, person_id: str) -> bool:
    """Whether the person's name puts the family name first (Korean, Chinese)."""
    return _person_state(reading, person_id) in {"PRK", "KOR", "CHN", "TWN", "VNM"}


def _at_a_third_place(reading: Reading, people: list[str]) -> bool:
    home = {_person_state(reading, person) for person in people}
    return any(
        re.search(rf"\bin\s+(?:the\s+)?{re.escape(m.words)}", reading.text)
        for m in reading.mentions
        if m.named is Named.STATE and m.key not in home
    )


def _protagonist(reading: Reading, people: list[str]) -> str:
    """Of PEOPLE, the one the whole article names most."""
    counts = Counter(
        m.key
        for m in reading.known.gazetteer.mentions(reading.article.text)
        if m.named is Named.PERSON
    )
    return max(people, key=lambda person: counts[person])


def _context_date(reading: Reading) -> tuple[str | None, str | None]:
    """For a sentence with no date of its own, the days it sits in: "in the days leading up
    to" the date of the sentence before it."""
    before = reading.article.text[: reading.sentence.start]
    match = re.search(
        r"in the (?:days|weeks) (?:leading up to|before) ([^,]+),[^.]*\.\s*$", before, re.IGNORECASE
    )
    if match is None:
        return None, None
    base = reading.article.published.earliest
    ahead_of = dates_in(f"ahead of {match.group(1)}", base)
    if not ahead_of:
        return None, None
    end = min(ahead_of[0].date.earliest - timedelta(days=1), base - timedelta(days=1))
    start = end.replace(day=1) if end.day > 7 else end - timedelta(days=14)
    return str(FuzzyDate(start, DatePrecision.RANGE, end)), match.group(0).split(",")[0]


# --- Estimates -----------------------------------------------------------------------------

_PEOPLE_NOUN = re.compile(
    r"^(?:\s+(?:[A-Z][\w-]*|more|additional|further|other|new|military|combat|regular|"
    r"elite|special|construction|and|demining|of|their|its|north|korean))*\s+"
    r"(?P<noun>troops|soldiers|personnel|servicemen|service members|forces|fighters|men|"
    r"officers|workers|labou?rers|engineers|sappers|deminers|builders|casualties|deaths|dead|"
    r"killed|wounded|injured|captured|prisoners)\b",
    re.IGNORECASE,
)
_CASUALTY_MEASURES = [
    (
        r"killed or wounded|killed and wounded|wounded or killed|wounded and killed|casualties|"
        r"dead and wounded|killed or injured|killed and injured|losses|lost",
        Measure.KILLED_OR_WOUNDED,
    ),
    (r"captured|prisoners|taken prisoner", Measure.CAPTURED),
    (r"killed|dead|deaths|died", Measure.KILLED),
    (r"wounded|injured", Measure.WOUNDED),
]
_WORKERS = re.compile(r"workers|labou?rers|engineers|sappers|deminers|builders|construction")
# What the words around a figure say of its people, in the order the rules are tried.
_SENT = r"(?:sent|deployed|dispatched|transferred|travell?ed|moved|shipped|brought)"
_PLANNED = (
    r"\b(?:will|would|could|may|might|plans?|planned|planning|aims?|intends?|expected|"
    r"preparing to (?:send|deploy|dispatch)|to (?:send|deploy|dispatch)|set to|additional .* "
    r"arrive)\b"
)
_ADDED = r"\b(?:another|additional|further|fresh|new|more)\s+$"


def _measure(reading: Reading, figure: FigurePhrase, noun: str) -> Measure:
    """What FIGURE counts, from the words after it (its people and their verb: "soldiers
    have been killed", "troops sent to Russia", "are stationed"), then those before it
    ("another 6,000", "lost over 1,000") and the sentence's mood ("could deploy")."""
    after = reading.text[figure.end : figure.end + 60].lower()
    before = reading.text[max(0, figure.start - 40) : figure.start].lower()
    for pattern, measure in _CASUALTY_MEASURES:
        if re.fullmatch(pattern, noun) or re.match(
            rf"\W*(?:[\w-]+\W+){{0,5}}?(?:{pattern})\b", after
        ):
            return measure
    if re.search(r"\b(?:lost|losses of|casualties of|suffered)\s+$", before):
        return Measure.KILLED_OR_WOUNDED
    verb = re.match(
        rf"\W*(?:[\w-]+\W+){{0,4}}?(?:(?:have|has|had) been |were |was )?{_SENT}\b", after
    )
    if verb is not None and not re.search(
        r"\b(?:will|to|could|would)\s+(?:be\s+)?\w*$", verb.group(0)
    ):
        return Measure.CUMULATIVE_SENT  # "the 11,000 soldiers sent last year"
    if re.match(
        r"\W*(?:[\w-]+\W+){0,4}?(?:are|remain|is)\b(?:\s+\w+ly)?\s+(?:in|stationed|"
        r"deployed|fighting|preparing|based|now)\b",
        after,
    ):
        return Measure.PERSONNEL_PRESENT
    text = reading.text.lower()
    planned = re.search(_PLANNED, text) is not None
    if re.search(_ADDED, before) or re.match(r"\s*(?:more|additional)\b", after):
        return Measure.ADDITIONAL_PLANNED if planned else Measure.REINFORCEMENT_OR_ROTATION
    if planned:
        return Measure.ADDITIONAL_PLANNED
    if re.search(r"\b(?:reinforcements?|rotation)\b", text):
        return Measure.REINFORCEMENT_OR_ROTATION
    return Measure.CUMULATIVE_SENT


_REGION = re.compile(
    r"\b(?:the (?:Russian )?(?:region|province|oblast) of (?P<of>[A-Z][\w-]+)|"
    r"(?P<name>[A-Z][\w-]+) (?:region|front|oblast|province|border region))\b"
)


def _estimates(reading: Reading) -> Iterator[Proposal]:
    """Figures of troops, workers or casualties, each with what it measures."""
    for figure in reading.figures:
        if re.search(
            r"\b(?:including|among them|of whom|of which)\s+$", reading.text[: figure.start]
        ):
            continue  # a part of a figure given before it ("12,000, including 500 officers")
        noun = _PEOPLE_NOUN.match(reading.text[figure.end :])
        casualty = re.match(
            r"\W*(?:\w+\W+){0,2}?(?:killed|wounded|injured|dead|captured|casualties)\b",
            reading.text[figure.end : figure.end + 40],
            re.IGNORECASE,
        )
        if noun is None and casualty is None:
            continue
        word = (noun.group("noun") if noun else casualty.group(0)).lower()  # type: ignore[union-attr]
        sending, receiving = _sending_and_receiving(reading)
        deployment = _deployment(reading, sending, receiving, word)
        measure = _measure(reading, figure, word)
        date, words = _dated(
            reading, reading.article.published, until=clause(reading.text, figure.start)[1]
        )
        yield Proposal(
            kind=RecordKind.ESTIMATE,
            quote=reading.text,
            start=reading.sentence.start,
            end=reading.sentence.end,
            date=date,
            date_words=words,
            states=sorted(
                {deployment.sending_state_code, deployment.receiving_state_code}
                if deployment is not None
                else {code for code in (sending, receiving) if code}
            ),
            people=[],
            relayed_via=reading.relays,
            low=figure.low,
            high=figure.high,
            qualifier=figure.qualifier,
            measure=measure,
            scope=_region_or(reading, deployment, receiving),
            deployment=deployment.name if deployment is not None else None,
        )


# A region a figure is about, where the figure's people are: "on the Kursk front", "to the
# Russian region of Kursk", "in Kursk oblast".
_REGION = re.compile(
    r"\b(?:to|in|on|into|at)\s+(?:the\s+)?(?:(?:\w+\s+)?(?:region|province|oblast) of "
    r"(?P<of>[A-Z][\w-]+)|(?P<name>[A-Z][\w-]+) (?:region|front|oblast|province|border))\b"
)


def _region_or(reading: Reading, deployment: Deployment | None, receiving: str | None) -> str:
    """The place a figure is about: the region its people are sent to or fight in, else the
    state they are in, else the deployment's region."""
    if (region := _REGION.search(reading.text)) is not None:
        return f"{region.group('of') or region.group('name')} region"
    if receiving is not None:
        return reading.known.gazetteer.state_name(receiving)
    return deployment.region if deployment is not None and deployment.region else "not stated"


def _sending_and_receiving(reading: Reading) -> tuple[str | None, str | None]:
    """The state whose people a figure counts (named by its demonym, "North Korean troops", or
    first) and the state they are in (after "to", "in", "for"). A state that only speaks
    ("South Korean intelligence says") is neither."""
    speaking = [
        (found.start(), found.end())
        for relay in reading.relays
        for found in re.finditer(re.escape(relay), reading.text)
    ]
    sending = receiving = None
    for mention in reading.mentions:
        if mention.named is not Named.STATE:
            continue
        if any(start <= mention.start < end for start, end in speaking):
            continue
        if re.match(
            r"\s+(?:intelligence|officials?|spy|military said)\b", reading.text[mention.end :]
        ):
            continue
        before = reading.text[max(0, mention.start - 12) : mention.start].lower()
        if re.search(r"\b(?:to|in|into|for|inside)\s+(?:the\s+)?$", before):
            if receiving is None and mention.key != sending:
                receiving = mention.key
        elif sending is None:
            sending = mention.key
    return sending, receiving


def _deployment(
    reading: Reading, sending: str | None, receiving: str | None, noun: str
) -> Deployment | None:
    """The stored deployment a figure belongs to: of these states, of workers or of troops."""
    workers = bool(_WORKERS.search(reading.text.lower()))
    candidates = [
        deployment
        for deployment in reading.known.deployments
        if {deployment.sending_state_code, deployment.receiving_state_code}
        >= {sending, receiving} - {None}
    ]
    if not candidates:
        return None
    matching = [
        deployment
        for deployment in candidates
        if (deployment.personnel_kind is PersonnelKind.MILITARY_WORKERS) == workers
    ]
    return (matching or candidates)[0]


# --- Pledges -------------------------------------------------------------------------------

_PLEDGING = re.compile(
    r"\b(?:pledged?|pledges|vow(?:ed|s)?|promised?|assured|(?:re)?affirm(?:ed|s)?|"
    r"commit(?:ted|s|ment)? to|reaffirms? (?:his|its|their) commitment|will always|"
    r"would continue|will continue|(?:will|would) (?:fully |unconditionally )?support|"
    r"fully support|would send|(?:would |will )?stand (?:firmly )?(?:with|by)|"
    r"(?:unconditional|full) (?:support|backing))\b",
    re.IGNORECASE,
)


def _pledges(reading: Reading) -> Iterator[Proposal]:
    """Commitments of support, from the state that makes them to the states they are for."""
    if _PLEDGING.search(reading.text) is None:
        return
    people = reading.people()
    states = reading.states()
    pledger = _pledger(reading, people, states)
    if pledger is None:
        return
    recipients = [code for code in states if code != pledger]
    recipients += [
        _person_state(reading, person)
        for person in people
        if _person_state(reading, person) not in (pledger, *recipients)
    ]
    if not recipients:
        return
    verb = _PLEDGING.search(reading.text)
    assert verb is not None
    date, words = _dated(reading, until=clause(reading.text, verb.start())[1])
    if date is None:
        date, words = _engagement_date(reading, {pledger, *recipients})
    figure = next(iter(reading.figures), None)
    names = reading.known.gazetteer.state_name
    yield Proposal(
        kind=RecordKind.PLEDGE,
        quote=reading.text,
        start=reading.sentence.start,
        end=reading.sentence.end,
        title=f"{names(pledger)} pledges support to {names(recipients[0])}",
        date=date,
        date_words=words,
        states=sorted({pledger, *recipients}),
        **_people_fields(reading, people),
        relayed_via=reading.relays,
        pledger=pledger,
        recipients=recipients[:1],
        low=figure.low if figure else None,
        high=figure.high if figure else None,
        qualifier=figure.qualifier if figure else None,
    )


def _pledger(reading: Reading, people: list[str], states: list[str]) -> str | None:
    """The state making the commitment: the first person's or state's before the pledging
    words ("Kim ... said that North Korea will always")."""
    verb = _PLEDGING.search(reading.text)
    assert verb is not None
    before = [m for m in reading.mentions if m.start < verb.start()]
    for mention in reversed(before):
        if mention.named is Named.STATE:
            return mention.key
        return _person_state(reading, mention.key)
    return states[0] if states else (_person_state(reading, people[0]) if people else None)


def _engagement_date(reading: Reading, states: set[str]) -> tuple[str | None, str | None]:
    """The date of the latest engagement proposed so far between STATES, if any."""
    for earlier in reversed(reading.earlier):
        if earlier.kind is RecordKind.ENGAGEMENT and states <= set(earlier.states):
            return earlier.date, earlier.date_words
    return None, None


# --- Treaties ------------------------------------------------------------------------------

_TREATY = re.compile(
    r"\b(?:the\s+)?(?:(?P<year>1[89]\d\d|20\d\d)\s+)?(?:(?P<name>(?:[A-Z][\w-]*\s+)*"
    r"(?:Treaty|Pact|Accord|Alliance|Agreement)\b(?:\s+(?:of|on)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)?)"
    r"|(?P<generic>(?:mutual[ -]defen[cs]e|defen[cs]e|partnership|alliance) "
    r"(?:treaty|agreement|pact)))"
)


def _treaties(reading: Reading) -> Iterator[Proposal]:
    """Treaties the sentence names, matched to the stored ones: by name (rapidfuzz), or, for
    "the mutual defence treaty", the one stored between the states the sentence names. Each
    sentence that names it a proposal of its own (each a passage to cite)."""
    for match in _TREATY.finditer(reading.text):
        if (name := match.group("name")) is not None:
            stored = process.extractOne(
                name,
                {key: treaty[0] for key, treaty in reading.known.treaties.items()},
                scorer=fuzz.token_set_ratio,
                score_cutoff=85,
            )
            title = stored[0] if stored else name
        else:
            states = {*reading.states(), *(_person_state(reading, p) for p in reading.people())}
            between = [
                treaty_name
                for treaty_name, parties, historical in reading.known.treaties.values()
                if len(states & parties) >= 2 and not historical
            ]
            if len(between) != 1:
                continue  # a treaty not named, between states that have none or several
            title = between[0]
        date, words = _dated(reading, signing=True)
        if match.group("year") and date is None:
            date, words = match.group("year"), match.group("year")
        yield Proposal(
            kind=RecordKind.TREATY,
            quote=reading.text,
            start=reading.sentence.start,
            end=reading.sentence.end,
            title=title,
            date=date,
            date_words=words,
            states=sorted(reading.states()),
            **_people_fields(reading, reading.people()),
            relayed_via=reading.relays,
        )


# Each kind's reading of a sentence.
PROPOSERS = {
    RecordKind.ENGAGEMENT: _engagements,
    RecordKind.ESTIMATE: _estimates,
    RecordKind.PLEDGE: _pledges,
    RecordKind.TREATY: _treaties,
}


# --- Duplicates ----------------------------------------------------------------------------


def _same_engagement(proposal: Proposal) -> list[sa.ColumnElement[bool]]:
    """The same kind of engagement, with every state the proposal names taking part."""
    return [
        Engagement.kind == proposal.engagement_kind,
        *(
            sa.exists().where(
                EngagementParticipant.engagement_id == Engagement.id,
                EngagementParticipant.state_code == code,
            )
            for code in proposal.states
        ),
    ]


def _same_estimate(proposal: Proposal) -> list[sa.ColumnElement[bool]]:
    """Of the same deployment, measure and figures."""
    return [
        Estimate.deployment_id.in_(
            select(Deployment.id).where(Deployment.name == proposal.deployment)
        ),
        Estimate.measure == proposal.measure,
        Estimate.low.is_not_distinct_from(proposal.low),
        Estimate.high.is_not_distinct_from(proposal.high),
    ]


# What makes a stored record the one a proposal repeats, besides days that overlap; a treaty
# is the same by its name, whatever date the text gives.
_SAME: dict[RecordKind, Callable[[Proposal], list[sa.ColumnElement[bool]]]] = {
    RecordKind.ENGAGEMENT: _same_engagement,
    RecordKind.ESTIMATE: _same_estimate,
    RecordKind.PLEDGE: lambda proposal: [Pledge.pledger_state_code == proposal.pledger],
    RecordKind.TREATY: lambda proposal: [Treaty.name == proposal.title],
}


def _stored_twin(session: Session, proposal: Proposal) -> tuple[int, str] | None:
    """The stored record PROPOSAL repeats, if any: its id, and in words ("engagement 1:
    Putin–Kim phone call")."""
    kind = KINDS[proposal.kind]
    conditions = [kind.table.retired_at.is_(None), *_SAME[proposal.kind](proposal)]
    if proposal.kind is not RecordKind.TREATY:
        if proposal.date is None:
            return None
        period = FuzzyDate.parse(proposal.date)
        conditions += [
            getattr(kind.table, kind.starts) <= period.latest,
            getattr(kind.table, f"{kind.starts}_latest") >= period.earliest,
        ]
    found = session.exec(kind.reader_names().where(*conditions).limit(1)).first()
    return (found[0], f"{kind.name} {found[0]}: {found[1]}") if found is not None else None


# --- Accepting -----------------------------------------------------------------------------


class ProposalProblems(TrackerError):
    """Accepted proposals that cannot be saved, each with its problem; nothing was saved."""

    def __init__(self, problems: dict[int, str]) -> None:
        self.problems = problems
        told = "; ".join(
            f"proposal {number + 1}: {problem}" for number, problem in problems.items()
        )
        super().__init__(f"nothing was saved: {told}")


def accept(
    *,
    session: Session,
    actor: Actor | None,
    source: dict[str, Any],
    proposals: list[Proposal],
) -> list[str]:
    """Save PROPOSALS, as an editor has checked them, through the one write path, each citing
    its sentence in the article SOURCE (the fields of a source: saved first, or the stored one
    of the same outlet and title). A proposal that repeats a stored record adds its sentence
    to that record's citations instead of a second record. Returns what was saved, in words;
    if any proposal cannot be saved, raises ProposalProblems naming each, and saves nothing
    (the caller's transaction is to be rolled back)."""
    actor = require_editor(session=session, actor=actor)
    article = save(session=session, actor=actor, kind="source", record=source)
    problems: dict[int, str] = {}
    saved = []
    for number, proposal in enumerate(proposals):
        try:
            with session.begin_nested():
                saved.append(_accepted(session, actor, article.id, proposal))
        except (TrackerError, ValidationError, SQLAlchemyError) as error:
            problems[number] = describe(error)
    if problems:
        raise ProposalProblems(problems)
    return saved


def _citation(session: Session, source_id: int, proposal: Proposal) -> dict[str, Any]:
    """The proposal's sentence as a citation of the article, relayed from the stored sources
    its relays name (the last named the originator)."""
    chain, _ = _stored_sources(session, proposal.relayed_via)
    return {
        "source_id": source_id,
        "quote": proposal.quote,
        "relayed_source_id": chain[-1] if chain else None,
        "relayed_via": chain[:-1],
    }


def _stored_sources(session: Session, names: list[str]) -> tuple[list[int], list[str]]:
    """The stored sources the relay NAMES name ("the Kremlin": Kremlin), in order, each once;
    and the names no stored source answers to."""
    outlets = dict(
        session.exec(select(Source.id, Source.outlet).where(Source.retired_at.is_(None))).all()
    )
    found: list[int] = []
    unknown: list[str] = []
    for name in names:
        match = process.extractOne(name, outlets, scorer=fuzz.token_set_ratio, score_cutoff=90)
        if match is None:
            unknown.append(name)
        elif match[2] not in found:
            found.append(match[2])
    return found, unknown


def _unlinked(session: Session, proposal: Proposal) -> str:
    """What the saved line says of relays no stored source answers to: the quote keeps their
    words, but the citation cannot name them as relaying it."""
    _, unknown = _stored_sources(session, proposal.relayed_via)
    if not unknown:
        return ""
    return (
        f" (told by {', '.join(unknown)}, not a stored source: the citation does not name "
        f"{'them' if len(unknown) > 1 else 'it'} as relaying it)"
    )


def _accepted(session: Session, actor: Actor, source_id: int, proposal: Proposal) -> str:
    kind = proposal.kind.value
    citation = _citation(session, source_id, proposal)
    if proposal.duplicate_id is not None:
        record = as_record(session=session, kind=kind, record_id=proposal.duplicate_id)
        record["citations"] = [*record["citations"], citation]
        save(
            session=session, actor=actor, kind=kind, record=record, record_id=proposal.duplicate_id
        )
        return f"cited in {proposal.duplicate_of}{_unlinked(session, proposal)}"
    spec = KINDS[proposal.kind]
    record = {
        spec.starts: proposal.date,  # the date the kind is dated by (occurred, as_of, made...)
        f"{spec.starts}_words": proposal.date_words,
        "citations": [citation],
        **_RECORDS[proposal.kind](session, proposal, citation),
    }
    row = save(session=session, actor=actor, kind=kind, record=record)
    name = session.exec(spec.reader_names().where(spec.table.id == row.id)).one()[1]
    return f"added {kind} {row.id}: {name}{_unlinked(session, proposal)}"


def _engagement_record(
    session: Session, proposal: Proposal, citation: dict[str, Any]
) -> dict[str, Any]:
    # The states are the editor's word: a participant read of a state they took out goes with
    # it, and a state they added takes part without a person named.
    kept = [taking for taking in proposal.participants if taking["state_code"] in proposal.states]
    named = {taking["state_code"] for taking in kept}
    added = [
        {"state_code": code, "person_id": None} for code in proposal.states if code not in named
    ]
    return {
        "title": proposal.title,
        "kind": proposal.engagement_kind,
        # The kind's own code, whatever kind the editor settled on (the code proposed was the
        # kind read's).
        "cameo_code": None,
        "status": proposal.status,
        "participants": kept + added,
    }


def _estimate_record(
    session: Session, proposal: Proposal, citation: dict[str, Any]
) -> dict[str, Any]:
    deployment = session.exec(
        select(Deployment.id).where(Deployment.name == proposal.deployment)
    ).first()
    if deployment is None:
        raise TrackerError(
            "choose the deployment this estimate belongs to"
            if proposal.deployment is None
            else f"there is no deployment called {proposal.deployment!r}"
        )
    return {
        "deployment_id": deployment,
        # Whose figure: the originator the article relays, else the article itself.
        "source_id": citation["relayed_source_id"] or citation["source_id"],
        "low": proposal.low,
        "high": proposal.high,
        "qualifier": proposal.qualifier,
        "measure": proposal.measure,
        "scope": proposal.scope,
    }


_PLEDGE_KINDS = [
    (r"troops|soldiers|military|defen[cs]e|weapons|munitions|shells|missiles", PledgeKind.MILITARY),
    (r"economic|aid|trade|workers|investment|energy|food", PledgeKind.ECONOMIC),
]


def _pledge_record(
    session: Session, proposal: Proposal, citation: dict[str, Any]
) -> dict[str, Any]:
    words = re.findall(r"[\"“]([^\"”]+)[\"”]", proposal.quote)
    return {
        "title": proposal.title,
        "pledger_state_code": proposal.pledger,
        "quote": "; ".join(words) or None,
        "kind": next(
            (kind for pattern, kind in _PLEDGE_KINDS if re.search(pattern, proposal.quote, re.I)),
            PledgeKind.POLITICAL,
        ),
        "conditionality": Conditionality.UNCONDITIONAL
        if re.search(r"\bunconditional", proposal.quote, re.I)
        else Conditionality.UNSPECIFIED,
        "recipients": [{"state_code": code} for code in proposal.recipients],
        "qualifier": proposal.qualifier,
        "low": proposal.low,
        "high": proposal.high,
    }


def _treaty_record(
    session: Session, proposal: Proposal, citation: dict[str, Any]
) -> dict[str, Any]:
    return {
        "name": proposal.title,
        "parties": [{"state_code": code} for code in proposal.states],
    }


# How each kind's proposal becomes the record the write path takes, besides its date and its
# citation, which every kind takes alike.
_RECORDS: dict[RecordKind, Callable[[Session, Proposal, dict[str, Any]], dict[str, Any]]] = {
    RecordKind.ENGAGEMENT: _engagement_record,
    RecordKind.ESTIMATE: _estimate_record,
    RecordKind.PLEDGE: _pledge_record,
    RecordKind.TREATY: _treaty_record,
}
