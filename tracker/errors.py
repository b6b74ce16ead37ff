"""Errors an analyst can read: what went wrong, in words, with where it happened."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError


class TrackerError(Exception):
    """A problem the user can fix; its message is shown as is, without a traceback."""


class NotFound(TrackerError):
    """A reference to a record that does not exist."""


def describe_validation(error: ValidationError) -> str:
    """One line per problem: "field: message"."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {message(problem)}"
        if problem["loc"]
        else message(problem)
        for problem in error.errors()
    )


def message(problem: Any) -> str:
    """One validation problem in words an analyst reads: the common kinds in the tracker's own
    words rather than the validator's, the rest without pydantic's "Value error," preamble."""
    context = problem.get("ctx") or {}
    match problem["type"]:
        case "missing":
            return "required"
        case "too_short":
            needed, given = context["min_length"], context["actual_length"]
            return f"at least {needed} needed, {given} given"
        case "string_too_short" if context.get("min_length") == 1:
            return "required"
        case "string_too_short":
            return f"at least {context['min_length']} characters"
        case "string_too_long":
            return f"at most {context['max_length']:,} characters"
        case "too_long":
            return f"at most {context['max_length']:,}"
        case "greater_than_equal":
            return f"must be {context['ge']} or more"
        case "greater_than":
            return f"must be more than {context['gt']}"
        case "less_than_equal":
            return f"must be {context['le']} or less"
        case "int_parsing" | "int_type" | "int_from_float":
            return "must be a whole number"
        case "enum" | "literal_error":
            return f"choose one of {context['expected']}"
        case "date_parsing" | "date_from_datetime_parsing" | "date_type":
            return "must be a date, written 2025-08-12"
        case "bool_parsing" | "bool_type":
            return "must be yes or no"
        case "url_parsing" | "url_scheme" | "url_type":
            return "must be a web address, starting http:// or https://"
        case _:
            return problem["msg"].removeprefix("Value error, ")


_CONSTRAINT = re.compile(r"\b((?:ck|uq|fk)_[a-z0-9_]+)")


def describe_integrity(error: IntegrityError) -> str:
    """Name the database rule that refused a write, in both SQLite's and PostgreSQL's wording."""
    text = str(error.orig)
    named = _CONSTRAINT.search(text)
    if "FOREIGN KEY" in text.upper() or (named and named.group(1).startswith("fk_")):
        return f"refused by the database: a reference points to no record ({text.splitlines()[0]})"
    if "UNIQUE" in text.upper() or (named and named.group(1).startswith("uq_")):
        return f"refused by the database: such a record already exists ({text.splitlines()[0]})"
    return f"refused by the database: {text.splitlines()[0]}"


def describe(error: Exception) -> str:
    """The sentence to show for ERROR, whatever layer raised it."""
    match error:
        case ValidationError():
            return describe_validation(error)
        case IntegrityError():
            return describe_integrity(error)
        case OperationalError() if "database is locked" in str(error.orig):
            return (
                "the database is busy with another write (an import, perhaps) that has not "
                "finished: nothing was saved; try again when it is done"
            )
        case OperationalError():
            return f"the database could not be used: {str(error.orig).splitlines()[0]}"
        case _:
            return str(error)
