"""Figures as sources give them: ranges, not points, with the source's own qualifier.

"Between 25,000 and 30,000" is low 25000 and high 30000; "over 11,000" is low 11000 with no
high; "roughly 15,000" is 15000 with its qualifier kept. Vague words take ACLED's conventional
floors ("thousands" is at least 1000). The same rules hold an estimate's figure and a pledge's
("a brigade of about 5,000"), in the models and, as named CHECKs, in the database.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from tracker.schema import Problem, field_error


class Qualifier(StrEnum):
    EXACTLY = "exactly"
    ROUGHLY = "roughly"
    OVER = "over"
    AT_LEAST = "at_least"
    UNDER = "under"
    UP_TO = "up_to"
    BETWEEN = "between"
    DOZENS = "dozens"
    HUNDREDS = "hundreds"
    THOUSANDS = "thousands"

    @property
    def floor(self) -> int | None:
        """ACLED's conventional lower bound for a vague word."""
        return {"dozens": 12, "hundreds": 100, "thousands": 1000}.get(self.value)


# What each qualifier requires of the figures.
POINT = (Qualifier.EXACTLY, Qualifier.ROUGHLY)
LOW_ONLY = (
    Qualifier.OVER,
    Qualifier.AT_LEAST,
    Qualifier.DOZENS,
    Qualifier.HUNDREDS,
    Qualifier.THOUSANDS,
)
HIGH_ONLY = (Qualifier.UNDER, Qualifier.UP_TO)


def _codes(qualifiers: tuple[Qualifier, ...]) -> str:
    return ", ".join(f"'{qualifier}'" for qualifier in qualifiers)


def fitted(
    qualifier: Qualifier | str | None, low: int | None, high: int | None
) -> tuple[int | None, int | None]:
    """LOW and HIGH as QUALIFIER has them (a vague word's floor filled in), or a validation
    error on the field that does not fit. No qualifier: no figure at all."""
    if (problem := misfit(qualifier, low, high)) is not None:
        raise field_error(*problem)
    if qualifier is not None and (floor := Qualifier(qualifier).floor) is not None and low is None:
        low = floor
    return low, high


def misfit(qualifier: Qualifier | str | None, low: int | None, high: int | None) -> Problem | None:
    """Why LOW and HIGH do not fit QUALIFIER (a vague word's floor taken as its low), placed on
    the field at fault; None if they fit."""
    if qualifier is None:
        if low is not None or high is not None:
            field = "low" if low is not None else "high"
            return "qualifier", f"say how the source gives the figure ({field})", None
        return None
    qualifier = Qualifier(qualifier)
    if qualifier.floor is not None and low is None:
        low = qualifier.floor
    if low is not None and high is not None and low > high:
        return "low", f"low ({low:,}) is above high ({high:,})", low
    if qualifier is Qualifier.BETWEEN and (low is None or high is None):
        return "high", "'between' needs both a low and a high figure", high
    if qualifier in POINT and (low is None or high != low):
        return "high", f"{qualifier.value!r} is one figure: give it as both low and high", high
    if qualifier in LOW_ONLY and (low is None or high is not None):
        return "low", f"{qualifier.value!r} gives a low figure and no high", low
    if qualifier in HIGH_ONLY and (high is None or low is not None):
        return "high", f"{qualifier.value!r} gives a high figure and no low", high
    return None


def figure_checks(*, optional: bool = False) -> tuple[sa.CheckConstraint, ...]:
    """The database's side of `fitted`, over a table's qualifier, low and high columns;
    OPTIONAL where a record may carry no figure (then it carries neither low nor high)."""
    return (
        *(
            [
                sa.CheckConstraint(
                    "qualifier IS NOT NULL OR (low IS NULL AND high IS NULL)",
                    name="figure_has_qualifier",
                )
            ]
            if optional
            else []
        ),
        sa.CheckConstraint("low >= 0 AND high >= 0", name="counts_not_negative"),
        sa.CheckConstraint("low <= high", name="low_not_above_high"),
        sa.CheckConstraint(
            # Both named: a NULL high would otherwise pass, as SQL lets NULL through a CHECK.
            f"qualifier NOT IN ({_codes(POINT)}) "
            "OR (low IS NOT NULL AND high IS NOT NULL AND high = low)",
            name="point_has_one_figure",
        ),
        sa.CheckConstraint(
            f"qualifier NOT IN ({_codes(LOW_ONLY)}) OR (low IS NOT NULL AND high IS NULL)",
            name="lower_bound_only",
        ),
        sa.CheckConstraint(
            f"qualifier NOT IN ({_codes(HIGH_ONLY)}) OR (high IS NOT NULL AND low IS NULL)",
            name="upper_bound_only",
        ),
        sa.CheckConstraint(
            "qualifier <> 'between' OR (low IS NOT NULL AND high IS NOT NULL)",
            name="between_has_both",
        ),
    )


def describe_figure(qualifier: Qualifier | str, low: int | None, high: int | None) -> str:
    """A figure in words, keeping the source's qualifier."""
    qualifier = Qualifier(qualifier)
    match qualifier:
        case Qualifier.BETWEEN:
            return f"{low:,} to {high:,}"
        case Qualifier.EXACTLY:
            return f"{low:,}"
        case _ if qualifier.floor is not None:
            return f"{qualifier.value} (at least {low:,})"
        case _ if qualifier in HIGH_ONLY:
            return f"{qualifier.value.replace('_', ' ')} {high:,}"
        case _:
            return f"{qualifier.value.replace('_', ' ')} {low:,}"


def figure_in_words(qualifier: Any, low: Any, high: Any) -> sa.ColumnElement[str]:
    """`describe_figure` worked out by the database, for names it builds ("roughly 15,000",
    "25,000 to 30,000", "thousands (at least 1,000)")."""
    words = sa.func.replace(qualifier, "_", " ")
    return sa.case(
        (qualifier == Qualifier.BETWEEN, _Grouped(low) + " to " + _Grouped(high)),
        (qualifier == Qualifier.EXACTLY, _Grouped(low)),
        (
            qualifier.in_([q for q in Qualifier if q.floor is not None]),
            words + " (at least " + _Grouped(low) + ")",
        ),
        (qualifier.in_(HIGH_ONLY), words + " " + _Grouped(high)),
        else_=words + " " + _Grouped(low),
    )


class _Grouped(sa.sql.expression.FunctionElement):
    """A whole number as text with its thousands grouped: 25,000."""

    type = sa.String()
    inherit_cache = True
    name = "grouped"


@compiles(_Grouped, "sqlite")
def _sqlite_grouped(element: _Grouped, compiler: Any, **kw: Any) -> str:
    return f"printf('%,d', {compiler.process(element.clauses, **kw)})"


@compiles(_Grouped)
def _grouped(element: _Grouped, compiler: Any, **kw: Any) -> str:
    return f"trim(to_char({compiler.process(element.clauses, **kw)}, 'FM999,999,999,999'))"
