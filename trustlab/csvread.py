"""Reading a journal CSV file as text, with every structural problem found.

Reading turns a file into columns of text, exactly as stored, and finds the
problems that live below the level of values: empty files, NUL bytes, text that
is not UTF-8, rows with too many or too few fields, unterminated quotes and an
incomplete ("torn") last entry. It knows nothing of the tables: checking
values against the contract is :mod:`trustlab.validate`'s job. Writing is
:mod:`trustlab.storage`'s, which offers :func:`read_table_file` too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from .errors import Problem

BOM = b"\xef\xbb\xbf"
# Named here, where messages point into it; trustlab.storage makes and fills it.
STATE_DIR = ".trustlab"
"""Where trustlab keeps lock files, backups and recovered fragments, inside the journal."""
_MAX_REPORTED = 20
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

csv.field_size_limit(2**31 - 1)


class Lines:
    """The line each row starts on, worked out when first asked for.

    Text over several lines moves every later row down; where exactly is only
    needed to name a line in a problem, so a file read without any is spared the
    work.
    """

    def __init__(self, make: Callable[[], np.ndarray]) -> None:
        self._make = make
        self._lines: np.ndarray | None = None

    def array(self) -> np.ndarray:
        """The lines as an array (worked out on the first call; two threads may both)."""
        lines = self._lines
        if lines is None:
            lines = self._lines = self._make()
        return lines

    def __getitem__(self, index: Any) -> Any:
        return self.array()[index]

    def __len__(self) -> int:
        return len(self.array())

    def tolist(self) -> list[int]:
        return self.array().tolist()


@dataclass
class RawTable:
    """A CSV file read as text.

    ``data`` has one string column per header field, named ``c0``, ``c1``, …
    (header names may repeat or be wrong: validation reports that). Row ``i``
    starts on line ``lines[i]``, or on line ``i + 2`` when ``lines`` is None.
    """

    filename: str
    header: list[str]
    data: pa.Table
    lines: np.ndarray | Lines | None = None
    newline: str = "\n"
    bom: bool = False
    problems: list[Problem] = field(default_factory=list)
    torn: Problem | None = None
    ends_with_break: bool = True

    def line_of(self, row: int) -> int:
        return int(self.lines[row]) if self.lines is not None else row + 2


def _problem(filename: str, line: int, message: str, code: str, **kw) -> Problem:
    column, value = kw.pop("column", None), kw.pop("value", None)
    return Problem(filename, line, column, value, message, code=code)


def read_table_file(path: Path, types: Mapping[str, pa.DataType] | None = None) -> RawTable:
    """Read one journal CSV file as text, with every structural problem found.

    ``types`` asks for some columns (by header name) already parsed, for example
    ``{"date": pa.date32()}``: pyarrow's threaded reader parses them as it reads.
    If any value in them does not parse, every column is read as text instead.
    """
    filename = path.name
    size = path.stat().st_size
    if size == 0:
        return RawTable(
            filename,
            [],
            pa.table({}),
            problems=[
                _problem(
                    filename,
                    1,
                    "the file is empty (0 bytes), so it has no header row. This is what an "
                    "interrupted save can leave behind. If you have no entries here, delete "
                    f"the file; otherwise restore it from {STATE_DIR}/backups/.",
                    "empty_file",
                )
            ],
        )
    with pa.memory_map(str(path)) as source:
        buffer = source.read_buffer()
        view = np.frombuffer(buffer, dtype=np.uint8)
        if _looks_utf16(view):
            raw = RawTable(filename, [], pa.table({}), problems=[_problem(
                filename, 1,
                "the file is saved as UTF-16 ('Unicode Text'), not UTF-8. Save it as UTF-8: "
                "in Excel choose File > Save As > 'CSV UTF-8'; in LibreOffice choose the "
                "character set 'Unicode (UTF-8)'.",
                "not_utf8",
            )])
        else:
            # The bytes are counted while pyarrow reads (numpy lets go of the GIL), and
            # the read is only trusted once the counts agree with it.
            with _counting(view) as counts:
                fast = _read_fast(buffer, view, counts, filename, types)
            if counts.result().nul:
                raw = RawTable(filename, [], pa.table({}),
                               problems=_find_nul(buffer.to_pybytes(), filename))
            else:
                raw = fast or _read_slow(buffer.to_pybytes(), filename)
        del view, buffer
    return raw


@dataclass
class _ByteCounts:
    """NUL bytes, double quotes and line breaks in a file, counted in one cache-friendly pass.

    A line break is what Python's csv module (and pyarrow) end a line on: LF, CR, or the
    pair CR LF, which counts once.
    """

    nul: int
    quotes: int
    line_feeds: int
    carriage_returns: int = 0
    crlf: int = 0

    @property
    def line_breaks(self) -> int:
        return self.line_feeds + self.carriage_returns - self.crlf

    @classmethod
    def of(cls, view: np.ndarray, chunk: int = 1 << 20) -> _ByteCounts:
        nul = quotes = line_feeds = carriage_returns = crlf = 0
        scratch = np.empty(min(chunk, len(view)), dtype=bool)
        ahead = np.empty(min(chunk, len(view)), dtype=bool)
        for start in range(0, len(view), chunk):
            part = view[start:start + chunk]
            hit = scratch[: len(part)]
            if not part.all():  # a quicker test than counting: NULs are rare
                nul += np.count_nonzero(np.equal(part, 0, out=hit))
            quotes += np.count_nonzero(np.equal(part, 34, out=hit))
            line_feeds += np.count_nonzero(np.equal(part, 10, out=hit))
            cr = np.count_nonzero(np.equal(part, 13, out=hit))
            if cr:  # which of them an LF follows (the next byte may be in the next chunk)
                carriage_returns += cr
                following = view[start + 1:start + 1 + len(part)]
                pair = ahead[: len(following)]
                np.equal(following, 10, out=pair)
                crlf += np.count_nonzero(np.logical_and(hit[: len(following)], pair, out=pair))
        return cls(nul, quotes, line_feeds, carriage_returns, crlf)


def _looks_utf16(view: np.ndarray) -> bool:
    head = view[:2].tobytes()
    if head in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = view[:512]
    # ASCII text in UTF-16 without a byte-order mark: every other byte is zero.
    return len(sample) >= 8 and (not sample[1::2].any() or not sample[0::2].any())


def _find_nul(data: bytes, filename: str) -> list[Problem]:
    problems: list[Problem] = []
    pos = data.find(b"\x00")
    while pos != -1 and len(problems) < _MAX_REPORTED:
        line = data[:pos].count(b"\n") + 1
        if not problems or problems[-1].line != line:
            problems.append(
                _problem(
                    filename,
                    line,
                    "contains a NUL character (a zero byte), which is not text: it often "
                    "means the file was damaged. Remove it, or restore the file from "
                    f"{STATE_DIR}/backups/.",
                    "nul_byte",
                )
            )
        pos = data.find(b"\x00", pos + 1)
    return problems


def _header_line(data: bytes) -> tuple[bytes, str]:
    end = data.find(b"\n")
    first = bytes(data[: end if end != -1 else len(data)])
    newline = "\r\n" if first.endswith(b"\r") else "\n"
    return first, newline


def _parse_header(first: bytes) -> list[str] | None:
    if first.startswith(BOM):
        first = first[len(BOM):]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        return None
    rows = list(csv.reader(io.StringIO(text.rstrip("\r"), newline="")))
    return [name.strip() for name in rows[0]] if rows else []


_COUNT_ASIDE = 4 << 20
"""Files from this size on are counted in a thread beside the read."""


@contextmanager
def _counting(view: np.ndarray) -> Iterator[Future[_ByteCounts]]:
    """The file's :class:`_ByteCounts`, worked out beside whatever runs in the block."""
    if len(view) < _COUNT_ASIDE:
        done: Future[_ByteCounts] = Future()
        done.set_result(_ByteCounts.of(view))
        yield done
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustlab-count") as pool:
        yield pool.submit(_ByteCounts.of, view)


def _read_fast(
    buffer: pa.Buffer,
    view: np.ndarray,
    counting: Future[_ByteCounts],
    filename: str,
    types: Mapping[str, pa.DataType] | None = None,
) -> RawTable | None:
    """Read with pyarrow when the file is well formed; None otherwise.

    Well formed: ends with a line break, has balanced quotes, pyarrow parses it,
    and its line breaks are exactly one per row (and the header's) plus those
    inside quoted text, so no line was blank or skipped. Text with line breaks in
    it (a multi-line note) is read here too: each row's first line is worked out
    from the breaks inside the rows before it. Anything else (blank lines, quote
    trouble, too many or too few fields) takes the slow path, which finds and
    describes every problem with its line.
    """
    if view[-1] != 10:  # ends with LF
        return None
    first, newline = _header_line(buffer[: 64 * 1024].to_pybytes())
    header = _parse_header(first)
    if not header or first.count(b'"') % 2:  # a header must sit on its first line
        return None
    names = [f"c{i}" for i in range(len(header))]
    wanted = {f"c{i}": (types or {}).get(h, pa.string()) for i, h in enumerate(header)}
    as_text = {n: pa.string() for n in names}
    # pyarrow reads faster (about 30% on a million marbles) when it may assume that no
    # text holds a line break; when that fails (it says so, or the rows do not add up to
    # the file's lines), it reads again allowing them. A file that shows a line break
    # inside quotes in its first megabyte is read allowing them straight away.
    single_line = not _break_inside_quotes(view[: 1 << 20])
    for column_types in [wanted, as_text] if wanted != as_text else [as_text]:
        table = None
        if single_line:
            table = _pyarrow_read(buffer, names, column_types, multi_line=False)
            if table is not None and counting.result().line_breaks != table.num_rows + 1:
                table = None
        if table is None:
            table = _pyarrow_read(buffer, names, column_types, multi_line=True)
        if table is not None:
            break
    else:
        return None
    counts = counting.result()
    if counts.quotes % 2 or counts.nul:  # quotes unbalanced, or not text: the slow path
        return None
    lines = None
    inside_text = counts.line_breaks - table.num_rows - 1  # breaks not ending the header or a row
    if inside_text:
        # When every CR has an LF right after it, a CR in a text is part of a CR LF pair
        # there (a closing quote would stand between them otherwise): counting LFs is enough,
        # and which row each is in is only worked out if a line is asked for.
        lone_cr = counts.carriage_returns > counts.crlf
        if lone_cr:
            inside = _breaks_inside(table, inside_text, carriage_returns=True)
            if inside is None:
                return None  # blank lines, or lines pyarrow skipped: the slow path says where
            lines = _first_lines(inside)
        else:
            if _feeds_inside(table, inside_text) != inside_text:
                return None
            lines = Lines(lambda: _first_lines(
                _breaks_inside(table, inside_text, carriage_returns=False)))
    return RawTable(filename, header, table, lines=lines, newline=newline,
                    bom=first.startswith(BOM))


def _break_inside_quotes(head: np.ndarray) -> bool:
    """Whether a line feed in ``head`` (the start of a file) falls inside quoted text:
    after an odd number of double quotes (a doubled quote inside text counts twice)."""
    quotes = np.flatnonzero(head == 34)
    if not len(quotes):
        return False
    feeds = np.flatnonzero(head == 10)
    return bool((np.searchsorted(quotes, feeds) % 2).any())


_READ_BLOCK = 8 << 20
"""Bytes pyarrow parses at a time (the chunks of a column): larger than its default
(1 MiB) so that a large file's chunks are long enough to hash without copying."""


def _pyarrow_read(
    buffer: pa.Buffer, names: list[str], column_types: dict, *, multi_line: bool,
    threads: bool = True,
) -> pa.Table | None:
    """The rows after the header as ``column_types``, or None if pyarrow cannot read them so."""
    try:
        return pa_csv.read_csv(
            pa.BufferReader(buffer),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1,
                                            use_threads=threads, block_size=_READ_BLOCK),
            parse_options=pa_csv.ParseOptions(newlines_in_values=multi_line),
            convert_options=pa_csv.ConvertOptions(
                column_types=column_types,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    except pa.ArrowException:
        # Seen once on a loaded machine: "a chunk failed converting for an unknown reason"
        # from the threaded reader. Read again on one thread; failing that, the careful
        # reader (None) reads the file, so the person never sees pyarrow's words.
        if threads:
            return _pyarrow_read(buffer, names, column_types, multi_line=multi_line,
                                 threads=False)
        return None


def _breaks_inside(table: pa.Table, expected: int, *, carriage_returns: bool) -> np.ndarray | None:
    """How many line breaks each row's text holds (CR LF counts once; a lone CR counts
    only if ``carriage_returns``).

    None unless they add up to ``expected``, the file's line breaks that end
    neither the header nor a row: anything else means blank lines or lines the
    reader skipped. Works on the bytes of each text column at once, the largest
    (free text) first, and stops once all ``expected`` breaks are found (the
    columns left cannot hold any more); the breaks found are assigned to their
    rows through the column's offsets.
    """
    total = np.zeros(table.num_rows, dtype=np.int64)
    texts = [c for c in table.columns if pa.types.is_string(c.type)]  # not parsed dates, numbers
    found = 0
    for column in sorted(texts, key=lambda c: c.nbytes, reverse=True):
        base = 0
        for chunk in column.chunks:
            found += _add_breaks(chunk, total[base:base + len(chunk)], carriage_returns)
            base += len(chunk)
        if found >= expected:
            break
    return total if found == expected else None


def _first_lines(inside: np.ndarray | None) -> np.ndarray:
    """The line each row starts on, from how many line breaks each row's text holds."""
    assert inside is not None  # counted to add up before
    lines = np.arange(2, len(inside) + 2, dtype=np.int64)
    lines[1:] += np.cumsum(inside[:-1])
    return lines


def _feeds_inside(table: pa.Table, expected: int) -> int:
    """Line feeds in the table's text, counted as :func:`_breaks_inside` finds them (the
    largest text column first, stopping once ``expected`` are found), without saying
    which row each is in."""
    texts = [c for c in table.columns if pa.types.is_string(c.type)]
    found = 0
    for column in sorted(texts, key=lambda c: c.nbytes, reverse=True):
        for chunk in column.chunks:
            spans = _text_bytes(chunk)
            found += 0 if spans is None else int(np.count_nonzero(spans[1] == 10))
        if found >= expected:
            break
    return found


def _text_bytes(chunk: pa.StringArray) -> tuple[np.ndarray, np.ndarray] | None:
    """A string chunk's offsets and the bytes of its texts, without copying (None if empty)."""
    offsets_buffer, data_buffer = chunk.buffers()[1:3]
    if not len(chunk) or data_buffer is None:
        return None
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=len(chunk) + 1,
                            offset=chunk.offset * 4)
    return offsets, np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0]:offsets[-1]]


def _add_breaks(chunk: pa.StringArray, total: np.ndarray, carriage_returns: bool) -> int:
    """Add each text's line breaks in ``chunk`` to ``total``; return how many there were."""
    texts = _text_bytes(chunk)
    if texts is None:
        return 0
    offsets, data = texts
    first = offsets[0]
    breaks = np.flatnonzero(data == 10) + first
    if carriage_returns:
        cr = np.flatnonzero(data == 13) + first
        if len(cr):
            # a CR followed by an LF in the same text is one break, counted with the LF
            nxt = np.minimum(cr + 1 - first, len(data) - 1)
            rows = np.searchsorted(offsets, cr, side="right") - 1
            alone = ~((cr + 1 < offsets[rows + 1]) & (data[nxt] == 10))
            breaks = np.concatenate([breaks, cr[alone]])
    if len(breaks):
        rows = np.searchsorted(offsets, breaks, side="right") - 1
        total += np.bincount(rows, minlength=len(total))
    return len(breaks)


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def _read_slow(data: bytes, filename: str) -> RawTable:
    """Read with Python's csv module, recording where each row starts and every problem."""
    bom = data.startswith(BOM)
    body = data[len(BOM):] if bom else data
    _, newline = _header_line(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        byte = body[exc.start: exc.start + 1].hex().upper()
        return RawTable(
            filename,
            [],
            pa.table({}),
            bom=bom,
            problems=[
                _problem(
                    filename,
                    line,
                    f"the file is not UTF-8 text (byte 0x{byte} on line {line} is not valid "
                    "UTF-8). Save it as UTF-8: in Excel choose File > Save As > "
                    "'CSV UTF-8'; in LibreOffice choose the character set 'Unicode (UTF-8)'.",
                    "not_utf8",
                )
            ],
        )

    problems: list[Problem] = []
    # Lenient like spreadsheets (and the pyarrow fast path): text after a closing
    # quote joins the field. An unterminated quote is found below, by re-reading
    # the last record strictly.
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(_problem(filename, start, f"this line cannot be read as CSV ({exc}).",
                                     "bad_quotes"))
            continue
        if record:  # blank lines are skipped
            records.append((start, record))

    header = [name.strip() for name in records[0][1]] if records else []
    torn: Problem | None = None
    if len(records) > 1:
        start, record = records[-1]
        starts = _line_starts(text)
        tail = text[starts[start - 1]:]
        ends_with_break = text.endswith(("\n", "\r"))
        if _unterminated(tail):
            later = [line for line in _LINE_BREAK.split(tail)[1:] if line]
            if any(len(next(csv.reader([line]), [])) == len(header) for line in later):
                problems.append(_problem(
                    filename, start,
                    "a quoted field that starts on this line is never closed with a '\"', so "
                    "every line after it was read as part of it. A field that contains commas, "
                    "quotes or line breaks must be wrapped in double quotes, with each \" inside "
                    'written twice ("").',
                    "bad_quotes",
                ))
            else:
                torn = _torn(filename, start, "a quoted field that starts on this line is never "
                                              "closed with a '\"'")
            records.pop()
        elif not ends_with_break and len(record) < len(header):
            torn = _torn(filename, start, f"it has {len(record)} of {len(header)} fields and "
                                          "the file ends without a line break")
            records.pop()
        elif not ends_with_break and _cut_before_last_field(tail):
            # trustlab quotes every field, so its own entries never end in a bare
            # comma: this one was cut just before its last field. A row that has all
            # its fields and is not in trustlab's all-quoted shape is complete: it is
            # how spreadsheets save a last row (with no final line break).
            torn = _torn(filename, start, "it ends in a comma where its last field should "
                                          "be, and the file ends without a line break")
            records.pop()

    rows: list[list[str]] = []
    lines: list[int] = []
    for start, record in records[1:]:
        if len(record) != len(header):
            problems.append(_field_count_problem(filename, start, record, header))
            continue
        rows.append(record)
        lines.append(start)

    columns = {f"c{i}": pa.array([r[i] for r in rows], pa.string()) for i in range(len(header))}
    return RawTable(
        filename,
        header,
        pa.table(columns) if columns else pa.table({}),
        lines=np.asarray(lines, dtype=np.int64),
        newline=newline,
        bom=bom,
        problems=problems,
        torn=torn,
        ends_with_break=text.endswith(("\n", "\r")),
    )


_ALL_QUOTED_THEN_COMMA = re.compile(r'(?:"(?:[^"]|"")*",)+', re.DOTALL)


def _cut_before_last_field(tail: str) -> bool:
    """Whether the last record is trustlab's shape (every field quoted) cut before its end."""
    return _ALL_QUOTED_THEN_COMMA.fullmatch(tail) is not None


def _unterminated(text: str) -> bool:
    """Whether ``text`` (one record and what follows) ends inside a quoted field."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _torn(filename: str, line: int, why: str) -> Problem:
    return _problem(
        filename,
        line,
        f"the last entry is incomplete: {why}. This is what an interrupted save leaves "
        "behind. trustlab leaves this entry out; the next time it saves to this file it moves "
        f"the fragment to {STATE_DIR}/recovered/ so nothing is lost.",
        "torn_line",
    )


def _field_count_problem(filename: str, line: int, record: list[str], header: list[str]) -> Problem:
    n, want = len(record), len(header)
    if n == 1 and want > 1 and any(sep in record[0] for sep in ";\t|"):
        return _problem(
            filename,
            line,
            f"this line has 1 field but the header has {want}: the columns seem to be "
            "separated by something other than commas. trustlab reads comma-separated files.",
            "field_count",
        )
    if n > want:
        hint = (
            "Text that contains a comma must be wrapped in double quotes, "
            'for example "tired, but kind".'
        )
    else:
        hint = "Every line needs a value (possibly empty) for each column."
    return _problem(
        filename,
        line,
        f"this line has {n} fields but the header has {want} "
        f"({', '.join(header)}). {hint}",
        "field_count",
    )
