"""Reading a table's CSV file a block of rows at a time, as columns.

The file's bytes are cut into blocks of whole rows (a row ends at a newline outside quotes,
found for a chunk at once with numpy), each row's line known; pyarrow's CSV reader parses a
block into columns of text, and each column is converted and checked at once. What the rows
of a file may not be (longer than a limit, not UTF-8, not CSV) is found as the bytes are cut,
so that the rows before it are still read and checked.

Python's csv module reads a block that pyarrow reads otherwise (a quote inside an unquoted
cell, a file cut short inside quotes), so that such a file is refused as it always was.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as arrow_csv

from tracker.schema import UNSTORABLE_CHARACTER

_NEWLINE, _QUOTE = ord("\n"), ord('"')
_BEFORE_OPENING = np.frombuffer(b',\n"', np.uint8)  # what a quote opening a cell follows
_AFTER_CLOSING = np.frombuffer(b',\r\n"', np.uint8)  # and what one closing a cell precedes
BLOCK_BYTES = 2**20  # rows are handed on about a mebibyte at a time


class NotUtf8(Exception):
    def __init__(self, line: int, byte: int) -> None:
        self.line, self.byte = line, byte


class RowTooLong(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class CellTooLong(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class Unreadable(Exception):
    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason


class NotCsv(Exception):
    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason


@dataclass
class Block:
    """Whole rows of a file: DATA, UTF-8, each row ending in its newline (but perhaps the
    file's last); ENDS, the offset just past each row; LINES, the line each row ends on (as
    the csv module counts a row's line); FIRST_LINE, the line the first row starts on.
    CUT_SHORT is set on a file's last block when it ends inside quotes."""

    data: bytes
    ends: list[int]
    lines: list[int]
    first_line: int
    cut_short: bool = False

    def rows(self, start: int) -> Block:
        """The block without its first START rows."""
        offset = self.ends[start - 1] if start else 0
        return Block(
            self.data[offset:],
            [end - offset for end in self.ends[start:]],
            self.lines[start:],
            self.lines[start - 1] + 1 if start else self.first_line,
            self.cut_short,
        )


class RowBlocks:
    """The rows of STREAM, a CSV file's bytes, as Blocks. The stream is read CHUNK bytes at a
    time, and no row is held longer than MAX_ROW_BYTES: a row that grows longer raises
    RowTooLong at its first line, once the rows before it are handed on. A byte that is not
    UTF-8 raises NotUtf8 on its line, and a stream that fails (a damaged zip member)
    Unreadable, likewise after the rows before."""

    def __init__(self, stream: IO[bytes], chunk: int, max_row_bytes: int) -> None:
        self.stream, self.chunk, self.max_row_bytes = stream, chunk, max_row_bytes

    def __iter__(self) -> Iterator[Block]:
        buffer = bytearray()  # bytes not yet handed on, from a row's start
        ends: list[int] = []  # the offset in BUFFER just past each whole row
        lines: list[int] = []  # the line each whole row ends on
        first_line = 1  # the line BUFFER starts on
        newlines = 0  # newlines read so far
        quoted = 0  # 1 while inside quotes, after the bytes read so far
        while True:
            try:
                chunk = self.stream.read(self.chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                yield from _whole(buffer, ends, lines, first_line)
                raise Unreadable(lines[-1] + 1 if lines else first_line, str(error)) from None
            if not chunk:
                break
            data = np.frombuffer(chunk, np.uint8)
            at = np.flatnonzero(data == _NEWLINE)
            quotes = np.flatnonzero(data == _QUOTE)
            if at.size:
                # A newline ends a row where the quotes before it are even in number.
                outside = ((np.searchsorted(quotes, at) + quoted) & 1) == 0
                row_ends = at[outside] + (len(buffer) + 1)
                lengths = np.diff(row_ends, prepend=ends[-1] if ends else 0)
                over = np.flatnonzero(lengths > self.max_row_bytes)
                done = len(ends)
                ends.extend(row_ends.tolist())
                lines.extend((np.flatnonzero(outside) + (newlines + 1)).tolist())
                newlines += at.size
                if over.size:  # a whole row too long: hand on the rows before it
                    place = done + int(over[0])
                    yield from _whole(buffer, ends[:place], lines[:place], first_line)
                    raise RowTooLong(lines[place - 1] + 1 if place else first_line)
            quoted = (quoted + quotes.size) & 1
            buffer += chunk
            if len(buffer) - (ends[-1] if ends else 0) > self.max_row_bytes:
                yield from _whole(buffer, ends, lines, first_line)
                raise RowTooLong(lines[-1] + 1 if lines else first_line)
            if ends and ends[-1] >= BLOCK_BYTES:
                yield from _whole(buffer, ends, lines, first_line)
                first_line = lines[-1] + 1
                del buffer[: ends[-1]]
                ends.clear()
                lines.clear()
        if len(buffer) > (ends[-1] if ends else 0):  # a last row without its newline
            ends.append(len(buffer))
            lines.append(newlines + 1)
        yield from _whole(buffer, ends, lines, first_line, cut_short=bool(quoted))


def _whole(
    buffer: bytearray, ends: list[int], lines: list[int], first_line: int, cut_short: bool = False
) -> Iterator[Block]:
    """The block of BUFFER's rows that ENDS marks (none if empty), once it is known to be
    UTF-8; else the rows before the first that is not, and NotUtf8."""
    if not ends:
        return
    data = bytes(buffer[: ends[-1]])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        kept = sum(1 for end in ends if end <= error.start)
        if kept:
            yield Block(data[: ends[kept - 1]], ends[:kept], lines[:kept], first_line)
        line = first_line + data.count(b"\n", 0, error.start)
        raise NotUtf8(line, data[error.start]) from None
    yield Block(data, list(ends), list(lines), first_line, cut_short)


def header(block: Block) -> list[str]:
    """The cells of BLOCK's first row, as Python's csv module reads them, without the byte
    order mark a spreadsheet may start a file with."""
    text = block.data[: block.ends[0]].decode("utf-8").removeprefix("\ufeff")
    try:
        return next(csv.reader(io.StringIO(text, newline="\n"), strict=True), [])
    except csv.Error as error:
        raise NotCsv(block.lines[0], str(error)) from None


@dataclass
class Cells:
    """A block's rows of the header's width, as columns of text (missing cells are empty),
    each row's line; and the rows of another width, as (line, cells)."""

    columns: dict[str, pa.Array]
    lines: list[int]
    misshapen: list[tuple[int, int]]


def cells(block: Block, names: list[str], max_cell_characters: int) -> Cells:
    """BLOCK's cells under the header NAMES. A cell longer than MAX_CELL_CHARACTERS raises
    CellTooLong at its row's line; a block that is not CSV, NotCsv."""
    empty = {
        place
        for place, (start, end) in enumerate(zip([0, *block.ends], block.ends, strict=False))
        if block.data[start:end] in (b"\n", b"\r\n")
    }
    plain = not block.cut_short and _plain_quoting(block.data)
    found = _arrow_cells(block, names, empty, max_cell_characters) if plain else None
    if found is None:
        found = _csv_module_cells(block, names, max_cell_characters)
    for column in found.columns.values():
        lengths = pc.utf8_length(column)
        if len(column) and pc.max(lengths).as_py() > max_cell_characters:
            too_long = np.flatnonzero(np.asarray(lengths) > max_cell_characters)
            raise CellTooLong(found.lines[int(too_long[0])])
    return found


def _plain_quoting(data: bytes) -> bool:
    """Whether each quote in DATA opens a cell, closes one or is doubled, as the csv module
    insists on (pyarrow reads a quote anywhere else as it likes)."""
    array = np.frombuffer(data, np.uint8)
    at = np.flatnonzero(array == _QUOTE)
    if not at.size:
        return True
    before = array[np.maximum(at - 1, 0)]
    after = array[np.minimum(at + 1, len(array) - 1)]
    opens = np.isin(before, _BEFORE_OPENING) | (at == 0)
    closes = np.isin(after, _AFTER_CLOSING) | (at == len(array) - 1)
    return bool(np.all(opens | closes))


def _arrow_cells(
    block: Block, names: list[str], empty: set[int], max_cell_characters: int
) -> Cells | None:
    """BLOCK's cells as pyarrow reads them, or None if pyarrow reads other rows than the
    newlines outside quotes mark, or a row of another width may hold too long a cell (then
    Python's csv module is asked)."""
    data = block.data
    if empty:  # the csv module reads an empty line as a row of no cells: pyarrow does not
        data = b"".join(
            block.data[start:end]
            for place, (start, end) in enumerate(zip([0, *block.ends], block.ends, strict=False))
            if place not in empty
        )
    kept = [line for place, line in enumerate(block.lines) if place not in empty]
    misshapen: list[tuple[int, int]] = [(block.lines[place], 0) for place in sorted(empty)]
    refused: list[int] = []

    def refuse(row: arrow_csv.InvalidRow) -> str:
        if row.number is None or len(row.text) > max_cell_characters:
            return "error"
        refused.append(row.number)
        misshapen.append((kept[row.number - 1], row.actual_columns))
        return "skip"

    try:
        table = arrow_csv.read_csv(
            pa.BufferReader(data),
            read_options=arrow_csv.ReadOptions(
                column_names=names, use_threads=False, block_size=len(data) + 1
            ),
            parse_options=arrow_csv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=refuse
            ),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # the block is known to be UTF-8
            ),
        )
    except (pa.ArrowInvalid, IndexError):
        return None
    if table.num_rows + len(refused) != len(kept):
        return None
    skipped = {number - 1 for number in refused}
    return Cells(
        {name: table.column(name).combine_chunks() for name in names},
        [line for place, line in enumerate(kept) if place not in skipped],
        sorted(misshapen),
    )


def _csv_module_cells(block: Block, names: list[str], max_cell_characters: int) -> Cells:
    text = block.data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline="\n"), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    misshapen: list[tuple[int, int]] = []
    before = block.first_line - 1
    try:
        for row in reader:
            if any(len(cell) > max_cell_characters for cell in row):
                raise CellTooLong(before + reader.line_num)
            if len(row) == len(names):
                rows.append(row)
                lines.append(before + reader.line_num)
            else:
                misshapen.append((before + reader.line_num, len(row)))
    except csv.Error as error:
        raise NotCsv(before + reader.line_num, str(error)) from None
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return Cells(
        {name: pa.array(column, pa.string()) for name, column in zip(names, columns, strict=True)},
        lines,
        misshapen,
    )


# A column's values: a value for each row, and the refusals, (row, reason), of those that
# could not be read or kept.
Converted = tuple[list[Any], list[tuple[int, str]]]


def converted_text(
    column: pa.Array,
    restore: Callable[[str], str],
    refusal: Callable[[Any], str | None],
    ruled: bool,
) -> Converted:
    """A text COLUMN's values: empty is missing, RESTORE undoes an export's neutralising (of
    cells starting with an apostrophe only). REFUSAL is asked of each cell that may hold a
    value no database stores, and of every distinct value where a column's own rule is
    RULED."""
    values: list[Any] = column.to_pylist()
    for row in np.flatnonzero(np.asarray(pc.starts_with(column, "'"))).tolist():
        values[row] = restore(values[row])
    values = [value or None for value in values]
    suspects = np.flatnonzero(np.asarray(pc.match_substring(column, UNSTORABLE_CHARACTER)))
    refused = [(row, reason) for row in suspects.tolist() if (reason := refusal(values[row]))]
    if ruled:
        refused += _refused_distinct(values, refusal, exclude={row for row, _ in refused})
    return values, sorted(refused)


def converted_values(
    column: pa.Array,
    convert: Callable[[str], Any],
    unreadable: Callable[[str], str],
    refusal: Callable[[Any], str | None],
) -> Converted:
    """A column's values, each distinct cell CONVERTed once: empty is missing, a cell that
    cannot be converted is refused in UNREADABLE's words, and a value REFUSAL refuses is
    refused in its."""
    encoded = column.dictionary_encode()
    distinct: list[Any] = []
    reasons: list[str | None] = []
    for text in encoded.dictionary.to_pylist():
        value, reason = None, None
        if text != "":
            try:
                value = convert(text)
            except (ValueError, KeyError):
                reason = unreadable(text)
            else:
                reason = refusal(value)
        distinct.append(value)
        reasons.append(reason)
    indices = encoded.indices.to_pylist()
    values = [distinct[index] for index in indices]
    refused = (
        [
            (row, reason)
            for row, index in enumerate(indices)
            if (reason := reasons[index]) is not None
        ]
        if any(reason is not None for reason in reasons)
        else []
    )
    return values, refused


def _refused_distinct(
    values: list[Any], refusal: Callable[[Any], str | None], exclude: set[int]
) -> list[tuple[int, str]]:
    reasons = {value: refusal(value) for value in set(values) if value is not None}
    return [
        (row, reason)
        for row, value in enumerate(values)
        if row not in exclude and value is not None and (reason := reasons[value]) is not None
    ]
