"""Errors an analyst can read: what went wrong, in words, with where it happened."""

from __future__ import annotations

import re
from typing import Any, get_args

from pydantic import ValidationError
from pydantic_core.core_schema import ErrorType
from sqlalchemy.exc import IntegrityError, OperationalError


class TrackerError(Exception):
    """A problem the user can fix; its message is shown as is, without a traceback."""


class NotFound(TrackerError):
    """A reference to a record that does not exist."""


def describe_validation(error: ValidationError) -> str:
    """One line per problem: "field: message". A fuzzy date's precision and last day are not
    told apart from the date when they have its problem ("occurred: required", once)."""
    told = {}
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        told.setdefault(where, message(problem))
    for where, said in list(told.items()):
        for part in ("_precision", "_latest"):
            if where.endswith(part) and told.get(where.removesuffix(part)) == said:
                del told[where]
    return "; ".join(f"{where}: {said}" if where else said for where, said in told.items())


# The validator's own error types (pydantic's): a problem of any other type is the tracker's,
# raised with its message in words.
_VALIDATORS_TYPES = frozenset(get_args(ErrorType))


def message(problem: Any) -> str:
    """One validation problem in words an analyst reads: the tracker's own problems as they are
    worded, the validator's in the tracker's words, never the validator's ("Field required",
    "Input should be ...")."""
    context = problem.get("ctx") or {}
    nothing = problem.get("input", "") is None  # an empty field or cell: nothing given
    match problem["type"]:
        case "missing":
            return "required"
        case kind if nothing and kind in _VALIDATORS_TYPES and kind != "none_required":
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
        case "less_than":
            return f"must be less than {context['lt']}"
        case "int_parsing" | "int_type" | "int_from_float" | "int_parsing_size":
            return "must be a whole number"
        case "float_parsing" | "float_type" | "finite_number" | "decimal_parsing" | "decimal_type":
            return "must be a number"
        case "enum" | "literal_error":
            return f"choose one of {context['expected']}"
        case (
            "date_parsing"
            | "date_from_datetime_parsing"
            | "date_type"
            | "date_from_datetime_inexact"
        ):
            return "must be a date, written 2025-08-12"
        case "datetime_parsing" | "datetime_type" | "datetime_from_date_parsing":
            return "must be a date and time, written 2025-08-12T14:30"
        case "bool_parsing" | "bool_type":
            return "must be yes or no"
        case "url_parsing" | "url_scheme" | "url_type" | "url_syntax_violation":
            return "must be a web address, starting http:// or https://"
        case "url_too_long":
            return f"at most {context.get('max_length', 2083):,} characters"
        case "string_type" | "string_unicode":
            return "must be text"
        case "list_type" | "tuple_type" | "set_type" | "iterable_type" | "frozen_set_type":
            return "must be a list"
        case "dict_type" | "model_type" | "model_attributes_type" | "mapping_type":
            return "must be given as named fields"
        case "extra_forbidden":
            return "is not a field of this record"
        case "none_required":
            return "must be left empty"
        case "value_error":  # raised by the tracker's own validators, in its words
            return problem["msg"].removeprefix("Value error, ")
        case "assertion_error":
            return problem["msg"].removeprefix("Assertion failed, ")
        case kind if kind in _VALIDATORS_TYPES:
            return f"cannot be read here ({kind.replace('_', ' ')})"
        case _:
            return problem["msg"]


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
