"""How well `tracker extract` proposes what analysts record: precision and recall against two
labelled sets. The seed articles are labelled by the seed data itself (every engagement,
estimate, pledge and treaty that cites them, with its date and figures); the passages of public
reporting in tests/data/extraction/ by hand (see its README).

A proposal is *found* when it is of the label's kind and quotes the label's sentence; it is
*right* when its date, and for an estimate its figures, qualifier and measure, are the label's
too. Recall counts labels with a right proposal; precision counts proposals right for some
label. Of the right proposals, a second table counts those that read the states, held or
planned, and the chain of relays as the passages' labels give them. `python -m
benchmarks.extraction` prints both tables (on a fresh seeded SQLite database).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz
from sqlmodel import Session, select

from tracker.articles import Article, read_article
from tracker.citations import Citation
from tracker.database import create_engine, init_database, project_path, session_for
from tracker.dates import FuzzyDate
from tracker.exchange.seeds import load_seeds
from tracker.kinds import RecordKind
from tracker.kinds.engagements import Engagement
from tracker.kinds.estimates import Estimate
from tracker.kinds.pledges import Pledge
from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty
from tracker.proposals import Proposal, propose

PASSAGES = project_path("tests") / "data" / "extraction" / "passages.json"
SCORED = (RecordKind.ENGAGEMENT, RecordKind.ESTIMATE, RecordKind.PLEDGE, RecordKind.TREATY)


@dataclass(frozen=True)
class Label:
    """A record an analyst took from an article: its kind, the sentences that say it, and
    what a proposal must read right."""

    kind: RecordKind
    quotes: tuple[str, ...]
    date: str | None
    low: int | None = None
    high: int | None = None
    qualifier: str | None = None
    measure: str | None = None
    # Labelled on the passages only (None: not labelled): what else a right proposal reads.
    states: tuple[str, ...] | None = None
    status: str | None = None
    relayed_via: tuple[str, ...] | None = None


def _words(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _quotes_match(proposal: Proposal, label: Label) -> bool:
    said = _words(proposal.quote)
    return any(_words(quote) in said or said in _words(quote) for quote in label.quotes)


def found(proposal: Proposal, label: Label) -> bool:
    return proposal.kind is label.kind and _quotes_match(proposal, label)


def _date_right(proposal: Proposal, label: Label) -> bool:
    """The same date; for a treaty, whose record may know its signing to the day, a period of
    the text's that holds it ("the 2024 treaty" for 19 June 2024)."""
    if proposal.date == label.date:
        return True
    if label.kind is not RecordKind.TREATY or proposal.date is None or label.date is None:
        return False
    said, known = FuzzyDate.parse(proposal.date), FuzzyDate.parse(label.date)
    return said.earliest <= known.earliest and known.latest <= said.latest


def right(proposal: Proposal, label: Label) -> bool:
    if not found(proposal, label) or not _date_right(proposal, label):
        return False
    if label.kind is not RecordKind.ESTIMATE:
        return True
    return (proposal.low, proposal.high, proposal.qualifier, proposal.measure) == (
        label.low,
        label.high,
        label.qualifier,
        label.measure,
    )


@dataclass
class Score:
    labels: int = 0
    found: int = 0
    right: int = 0
    proposals: int = 0
    right_proposals: int = 0

    @property
    def recall(self) -> float:
        return self.right / self.labels if self.labels else 1.0

    @property
    def precision(self) -> float:
        return self.right_proposals / self.proposals if self.proposals else 1.0


def score(cases: Iterable[tuple[list[Proposal], list[Label]]]) -> dict[RecordKind, Score]:
    """Each kind's score over CASES: the proposals for an article and its labels."""
    scores = {kind: Score() for kind in SCORED}
    for proposals, labels in cases:
        for label in labels:
            tally = scores[label.kind]
            tally.labels += 1
            tally.found += any(found(proposal, label) for proposal in proposals)
            tally.right += any(right(proposal, label) for proposal in proposals)
        for proposal in proposals:
            tally = scores[proposal.kind]
            tally.proposals += 1
            tally.right_proposals += any(right(proposal, label) for label in labels)
    return scores


def seed_cases(session: Session) -> Iterator[tuple[Article, list[Label]]]:
    """Each seed article, with the records the seed data cites it for."""
    for source in session.exec(select(Source).where(Source.outlet.startswith("Unnamed"))):
        yield _seed_article(session, source), list(_seed_labels(session, source))


def _seed_article(session: Session, source: Source) -> Article:
    for file in (project_path("seeds") / "articles").glob("*.txt"):
        if _cited(session, source, file):
            published = FuzzyDate.from_columns(
                source.published, source.published_precision, source.published_latest
            )
            assert published is not None
            return read_article(file.read_bytes(), published=published, outlet=source.outlet)
    raise LookupError(f"no article file for {source.title}")


def _cited(session: Session, source: Source, file: Path) -> bool:
    quote = session.exec(select(Citation.quote).where(Citation.source_id == source.id)).first()
    return quote is not None and _words(quote) in _words(file.read_text())


def _seed_labels(session: Session, source: Source) -> Iterator[Label]:
    def quotes(column: object, record_id: int) -> tuple[str, ...]:
        return tuple(
            session.exec(
                select(Citation.quote).where(Citation.source_id == source.id, column == record_id)
            )
        )

    for engagement in session.exec(select(Engagement)):
        if cited := quotes(Citation.engagement_id, engagement.id):
            yield Label(RecordKind.ENGAGEMENT, cited, _text(engagement, "occurred"))
    for estimate in session.exec(select(Estimate)):
        if cited := quotes(Citation.estimate_id, estimate.id):
            yield Label(
                RecordKind.ESTIMATE,
                cited,
                _text(estimate, "as_of"),
                estimate.low,
                estimate.high,
                estimate.qualifier,
                estimate.measure,
            )
    for pledge in session.exec(select(Pledge)):
        if cited := quotes(Citation.pledge_id, pledge.id):
            yield Label(RecordKind.PLEDGE, cited, _text(pledge, "made"))
    for treaty in session.exec(select(Treaty)):
        if cited := quotes(Citation.treaty_id, treaty.id):
            yield Label(RecordKind.TREATY, cited, _text(treaty, "signed"))


def _text(record: object, name: str) -> str | None:
    period = FuzzyDate.from_columns(
        getattr(record, name),
        getattr(record, f"{name}_precision"),
        getattr(record, f"{name}_latest"),
    )
    return str(period) if period is not None else None


def passage_cases() -> Iterator[tuple[Article, list[Label]]]:
    """Each labelled passage of public reporting, with its labels."""
    for passage in json.loads(PASSAGES.read_text()):
        article = read_article(
            passage["text"],
            published=FuzzyDate.parse(passage["published"]),
            outlet=passage["outlet"],
        )
        labels = [
            Label(
                RecordKind(expected["kind"]),
                (expected["quote"],),
                expected.get("date")
                or (passage["published"] if expected["kind"] == "estimate" else None),
                expected.get("low"),
                expected.get("high"),
                expected.get("qualifier"),
                expected.get("measure"),
                tuple(expected["states"]),
                expected.get("status"),
                tuple(expected["relayed_via"]),
            )
            for expected in passage["expected"]
        ]
        yield article, labels


# What else a right proposal may read right, each checked where its label says it.
DETAILS: dict[str, tuple[str, Callable[[Proposal, Label], bool | None]]] = {
    "states": (
        "the states involved",
        lambda proposal, label: (
            None if label.states is None else set(proposal.states) == set(label.states)
        ),
    ),
    "status": (
        "held or planned",
        lambda proposal, label: (
            None
            if label.status is None or label.kind is not RecordKind.ENGAGEMENT
            else proposal.status == label.status
        ),
    ),
    "relays": (
        "who told it, each in its place",
        lambda proposal, label: (
            None
            if label.relayed_via is None
            else len(proposal.relayed_via) == len(label.relayed_via)
            and all(
                fuzz.token_set_ratio(said, labelled) >= 70
                for said, labelled in zip(proposal.relayed_via, label.relayed_via, strict=True)
            )
        ),
    ),
}


def details(cases: Iterable[tuple[list[Proposal], list[Label]]]) -> dict[str, tuple[int, int]]:
    """For each of DETAILS, over the labels a proposal reads right: how many labels say it, and
    for how many the right proposal reads it right too."""
    tallies = {name: [0, 0] for name in DETAILS}
    for proposals, labels in cases:
        for label in labels:
            proposal = next((p for p in proposals if right(p, label)), None)
            if proposal is None:
                continue
            for name, (_, check) in DETAILS.items():
                if (verdict := check(proposal, label)) is not None:
                    tallies[name][0] += 1
                    tallies[name][1] += verdict
    return {name: (labelled, read) for name, (labelled, read) in tallies.items()}


def details_table(found: dict[str, tuple[int, int]]) -> str:
    lines = ["| of the right proposals | labelled | read right | share |", "|---|---:|---:|---:|"]
    for name, (labelled, read) in found.items():
        share = f"{read / labelled:.0%}" if labelled else "—"
        lines.append(f"| {DETAILS[name][0]} | {labelled} | {read} | {share} |")
    return "\n".join(lines)


def evaluate(session: Session) -> dict[str, dict[RecordKind, Score]]:
    """The scores on the seed articles and on the labelled passages, on SESSION's database."""
    return {
        "seed articles": score(
            (propose(session=session, article=article), labels)
            for article, labels in seed_cases(session)
        ),
        "labelled passages": score(
            (propose(session=session, article=article), labels)
            for article, labels in passage_cases()
        ),
    }


def table(results: dict[str, dict[RecordKind, Score]]) -> str:
    """The scores as a Markdown table."""
    lines = [
        "| set | kind | labels | found | right | recall | proposals | precision |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, scores in results.items():
        for kind, tally in scores.items():
            lines.append(
                f"| {name} | {kind.value} | {tally.labels} | {tally.found} | {tally.right} | "
                f"{tally.recall:.0%} | {tally.proposals} | {tally.precision:.0%} |"
            )
    return "\n".join(lines)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/seeds.db")
        init_database(engine)
        with session_for(engine) as session:
            load_seeds(session=session)
        with Session(engine) as session:
            print(table(evaluate(session)))
            print()
            print(
                details_table(
                    details(
                        (propose(session=session, article=article), labels)
                        for article, labels in passage_cases()
                    )
                )
            )
        engine.dispose()


if __name__ == "__main__":
    main()
