"""Reading CSV as columns: rows are cut where the csv module would cut them, each with its
line, whatever the chunks the file is read in; what pyarrow would read otherwise than the csv
module is read by the csv module."""

from __future__ import annotations

import io

import pytest

from tracker.exchange.columns import (
    Block,
    NotCsv,
    NotUtf8,
    RowBlocks,
    RowTooLong,
    cells,
    converted_text,
    converted_values,
    header,
)
from tracker.exchange.imports import MAX_CELL_CHARACTERS

FILE = b'\xef\xbb\xbfid,note\r\n1,"two\nlines"\r\n2,"a ""quoted"", word"\r\n3,\r\n4,last'


def blocks(content: bytes, chunk: int, max_row_bytes: int = 1024) -> list[Block]:
    return list(RowBlocks(io.BytesIO(content), chunk, max_row_bytes))


@pytest.mark.parametrize("chunk", [1, 3, 7, 64 * 1024])
def test_rows_are_cut_at_newlines_outside_quotes_each_with_the_line_it_ends_on(
    chunk: int,
) -> None:
    [block] = blocks(FILE, chunk)
    assert header(block) == ["id", "note"]
    assert block.lines == [1, 3, 4, 5, 6]
    found = cells(block.rows(1), ["id", "note"], MAX_CELL_CHARACTERS)
    assert found.lines == [3, 4, 5, 6] and found.misshapen == []
    assert found.columns["note"].to_pylist() == ["two\nlines", 'a "quoted", word', "", "last"]


def test_a_row_too_long_stops_the_file_at_its_first_line_after_the_rows_before() -> None:
    content = b'id,note\r\n1,short\r\n2,"' + b"long\n" * 100 + b'"\r\n3,after\r\n'
    read = RowBlocks(io.BytesIO(content), 16, 200)
    rows = []
    with pytest.raises(RowTooLong) as error:
        for block in read:
            rows.extend(block.lines)
    assert rows == [1, 2] and error.value.line == 3


def test_a_byte_that_is_not_utf8_is_placed_on_its_line() -> None:
    with pytest.raises(NotUtf8) as error:
        blocks(b"id,note\r\n1,fine\r\n2,caf\xe9\r\n", 4)
    assert (error.value.line, error.value.byte) == (3, 0xE9)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        (b'1,"closed" then more\r\n', "',' expected after '\"'"),
        (b'1,"never closed\r\n2,x\r\n', "unexpected end of data"),
    ],
    ids=["text after a closing quote", "a file cut short inside quotes"],
)
def test_quoting_the_csv_module_refuses_is_refused(rows: bytes, reason: str) -> None:
    [block] = blocks(b"id,note\r\n" + rows, 64)
    with pytest.raises(NotCsv) as error:
        cells(block.rows(1), ["id", "note"], MAX_CELL_CHARACTERS)
    assert reason in error.value.reason


def test_rows_of_another_width_and_empty_lines_are_told_apart_with_their_lines() -> None:
    [block] = blocks(b"id,note\r\n1,a\r\n\r\n2,b,extra\r\n3\r\n4,d\r\n", 64)
    found = cells(block.rows(1), ["id", "note"], MAX_CELL_CHARACTERS)
    assert found.lines == [2, 6] and found.columns["id"].to_pylist() == ["1", "4"]
    assert found.misshapen == [(3, 0), (4, 3), (5, 1)]


def test_a_column_is_converted_once_per_distinct_cell_and_refused_row_by_row() -> None:
    [block] = blocks(b"n\r\n7\r\nseven\r\n7\r\n\r\n", 64)
    # The empty line here is a row of one empty cell, as in a one-column file.
    column = cells(block.rows(1), ["n"], MAX_CELL_CHARACTERS).columns["n"]
    values, refused = converted_values(
        column, int, lambda text: f"{text!r} is not a number", lambda value: None
    )
    assert values[:3] == [7, None, 7] and refused == [(1, "'seven' is not a number")]


def test_text_is_restored_and_a_nul_refused() -> None:
    [block] = blocks(b"t\r\n'=1+2\r\nok\r\nbad\x00\r\n", 64)
    column = cells(block.rows(1), ["t"], MAX_CELL_CHARACTERS).columns["t"]
    values, refused = converted_text(
        column, lambda text: text[1:], lambda value: "NUL" if "\x00" in value else None, False
    )
    assert values == ["=1+2", "ok", "bad\x00"] and refused == [(2, "NUL")]
