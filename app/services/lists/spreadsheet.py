"""Reading an uploaded CSV or XLSX file row by row, in bounded time and memory, whatever the file claims.

Nothing the file declares about itself is trusted: not an XLSX sheet's dimension, not its row numbers, not a
zip member's compression. The archive's central directory is checked before anything is unpacked (how many
parts, their unpacked size, their compression); the XML parts are streamed through expat with no DTD, only the
first MAX_COLUMNS columns are kept, and the whole reading has a budget of XML elements and of kept text, so a
sheet padded with millions of empty cells stops early. Rows come one at a time, so the caller stops reading
where its row limit ends. A CSV row has a fixed maximum length, even over quoted line breaks.
"""

import csv
import io
import posixpath
import string
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

from app.extensions import lazy_gettext as _l

# Columns read from the left: the template has nine; the rest leaves room for a row number and the user's own.
MAX_COLUMNS = 12
MAX_LINE = 20_000  # characters in one CSV row, even one whose quoted cells span several lines
MAX_PARTS = 500
MAX_DIRECTORY = 256 * 1024  # bytes of the zip's central directory, read in full by zipfile when it opens
MAX_UNPACKED = 64 * 1024 * 1024  # bytes of all the parts unpacked: a 50,000-row list is about 25 MB
MAX_RATIO = 100  # unpacked / packed for a part over 1 MB; real sheets stay under 20
MAX_ELEMENTS = 1_500_000  # XML elements read in all: 50,000 rows of the template take about 1.25 million
MAX_TEXT = 48 * 1024 * 1024  # bytes of Python strings kept: 50,000 rows of the template take about 35 MB
MAX_CELL = 32_767  # characters in one cell, as in Excel
MAX_QUIET = 512 * 1024  # bytes of XML without a new element (see _Part.feed)
MAX_DEPTH = 64  # elements open at once: expat keeps each one (a sheet nests seven deep)
CHUNK = 64 * 1024

BAD_XLSX = _l("The file could not be read as an Excel workbook (.xlsx).")
TOO_MUCH = _l("The file holds far more than a household list: very wide rows, very long cells or a great many "
              "empty formatted cells. Copy only the household columns into the template and try again.")

_END = struct.Struct("<4s4H2LH")  # the zip's end-of-central-directory record
_END_SIGNATURE, _ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x07"


class Unreadable(Exception):
    """The file cannot be read within the bounds; `message` says why, for the person who sent it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def rows(filename: str, data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as stripped text) for each row of the file or its first sheet, blank rows included."""
    name = filename.lower()
    if name.endswith(".csv"):
        return _csv_rows(data)
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    raise Unreadable(_l("Choose a CSV or XLSX file."))


# CSV ------------------------------------------------------------------------------------------------------

def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    read = [0]  # characters read for the row being parsed: one row, even over several lines, has MAX_LINE

    def lines() -> Iterator[str]:
        for line in iter(lambda: stream.readline(MAX_LINE + 1), ""):
            read[0] += len(line)
            if read[0] > MAX_LINE:
                raise Unreadable(TOO_MUCH)
            yield line

    try:
        first = stream.readline(MAX_LINE + 1)
        delimiter = max(",;\t", key=first.count)
        stream.seek(0)
        for number, row in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
            read[0] = 0
            yield number, [value.strip() for value in row[:MAX_COLUMNS]]
    except UnicodeDecodeError:
        raise Unreadable(_l("The file is not in UTF-8. Save it as “CSV UTF-8” and try again.")) from None


# XLSX: the archive ----------------------------------------------------------------------------------------

def _check_directory(data: bytes) -> None:
    """Refuse before zipfile reads the central directory, which it does in full: no more than MAX_PARTS parts.

    The end record is found the way zipfile finds it (the last 22 bytes, else the last signature), and a zip64
    record, which would override it, is refused: no spreadsheet this size needs one."""
    at = len(data) - _END.size
    if not (at >= 0 and data[at:at + 4] == _END_SIGNATURE and data[-2:] == b"\0\0"):
        at = data.rfind(_END_SIGNATURE, max(0, len(data) - _END.size - 65535))
    if at < 0 or len(data) - at < _END.size:
        raise Unreadable(BAD_XLSX)
    _signature, _disk, _start, _here, parts, size, _offset, _comment = _END.unpack_from(data, at)
    if parts > MAX_PARTS or size > MAX_DIRECTORY or data.rfind(_ZIP64_LOCATOR, max(0, at - 20), at) >= 0:
        raise Unreadable(BAD_XLSX)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    _check_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Unreadable(BAD_XLSX) from None
    parts = archive.infolist()
    # Deflate and stored only: other methods are slow, or allocate what the header asks for (LZMA).
    if len(parts) > MAX_PARTS or any(p.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                                     for p in parts):
        archive.close()
        raise Unreadable(BAD_XLSX)
    # zipfile never unpacks a part beyond its declared size, so these sums bound what can come out.
    if sum(p.file_size for p in parts) > MAX_UNPACKED or any(
            p.file_size > 1024 * 1024 and p.file_size > MAX_RATIO * max(p.compress_size, 1) for p in parts):
        archive.close()
        raise Unreadable(_l("Unpacked, the workbook would take more than %(n)s MB: it is not a household list. "
                            "Copy the rows into the template and try again.", n=MAX_UNPACKED // (1024 * 1024)))
    return archive


# XLSX: the XML parts --------------------------------------------------------------------------------------

class _Budget:
    """What the whole reading may still spend: XML elements (time) and bytes of kept strings (memory)."""

    def __init__(self):
        self.elements = MAX_ELEMENTS
        self.text = MAX_TEXT


class _Part:
    """One XML part streamed through expat, spending the reading's budget.

    A subclass handles the elements it names in `opening` (start tags) and `closing` (end tags), by local
    name, with the prefix the part's root element has ("x:c" where the root is "x:worksheet"): expat's own
    namespace processing would cost a third of the time. Every element counts; expat itself gathers character
    data into `pieces`, which each start tag empties, so an end handler finds there the text of the element
    it ends."""

    opening: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()

    def __init__(self, budget: _Budget):
        self.budget = budget
        self.left, self.text_left = budget.elements, budget.text
        self.starts: dict[str, str] = {}
        self.ends: dict[str, str] = {}
        self.pieces: list[str] = []
        self.depth = 0
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._root
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self.pieces.append
        self.parser.StartDoctypeDeclHandler = self._refuse  # no DTD, so no entity to expand

    def _refuse(self, *_args):
        raise Unreadable(BAD_XLSX)

    def _root(self, name, attrs):
        prefix = name.rpartition(":")[0] + ":" if ":" in name else ""
        self.starts = {prefix + local: local for local in self.opening}
        self.ends = {prefix + local: local for local in self.closing}
        self.parser.StartElementHandler = self._start
        self._start(name, attrs)

    def _count(self, _name, _attrs):
        self.left -= 1
        self.depth += 1
        if self.left < 0 or self.depth > MAX_DEPTH:
            raise Unreadable(TOO_MUCH)

    def _start(self, name, attrs):
        self._count(name, attrs)
        self.pieces.clear()
        local = self.starts.get(name)
        if local is not None:
            self.start(local, attrs)

    def _end(self, name):
        self.depth -= 1
        local = self.ends.get(name)
        if local is not None:
            self.end(local)

    def start(self, local: str, attrs: dict) -> None:
        pass

    def end(self, local: str) -> None:
        pass

    def text(self) -> str:
        """The text of the element that ends."""
        value = "".join(self.pieces)
        if len(value) > MAX_CELL:
            raise Unreadable(TOO_MUCH)
        return value

    def keep(self, value: str) -> str:
        if value:  # the empty string is one shared object
            self.text_left -= sys.getsizeof(value)
            if self.text_left < 0:
                raise Unreadable(TOO_MUCH)
        return value

    def feed(self, archive: zipfile.ZipFile, name: str) -> Iterator[None]:
        """Parse the part a chunk at a time, pausing after each chunk so the caller can take what is ready.

        expat holds an unfinished tag, comment or instruction in memory, and `pieces` the text since the last
        start tag: MAX_QUIET bytes with no new element means one of them is too long (a cell has at most
        32,767 characters)."""
        quiet = 0
        try:
            with archive.open(name) as stream:
                while chunk := stream.read(CHUNK):
                    before = self.left
                    self.parser.Parse(chunk, False)
                    quiet = quiet + len(chunk) if self.left == before else 0
                    if quiet > MAX_QUIET:
                        raise Unreadable(TOO_MUCH)
                    yield
            self.parser.Parse(b"", True)
        except (KeyError, expat.ExpatError, zipfile.BadZipFile, zlib.error, RuntimeError, OSError, EOFError,
                ValueError):
            raise Unreadable(BAD_XLSX) from None
        finally:
            self.budget.elements, self.budget.text = self.left, self.text_left
        yield

    def read(self, archive: zipfile.ZipFile, name: str):
        for _ in self.feed(archive, name):
            pass
        return self


class _Relations(_Part):
    """A .rels part: relationship id → (type, name of the target part)."""

    opening = ("Relationship",)

    def __init__(self, budget, base: str):
        super().__init__(budget)
        self.base, self.targets = base, dict[str, str]()

    def start(self, local, attrs):
        if attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(self.base, target)
            self.targets[attrs.get("Id")] = (attrs.get("Type", ""), posixpath.normpath(path))


class _Workbook(_Part):
    """workbook.xml: the relationship ids of the sheets, in tab order."""

    opening = ("sheet",)

    def __init__(self, budget):
        super().__init__(budget)
        self.sheets = []

    def start(self, local, attrs):
        self.sheets += [value for key, value in attrs.items() if key.endswith(":id")][:1]


class _SharedStrings(_Part):
    """sharedStrings.xml: each <si>'s text runs joined, without phonetic guides (<rPh>)."""

    opening = ("rPh",)
    closing = ("si", "t", "rPh")

    def __init__(self, budget):
        super().__init__(budget)
        self.strings: list[str] = []
        self.runs: list[str] = []
        self.phonetic = 0

    def start(self, local, attrs):
        if local == "rPh":
            self.phonetic += 1

    def end(self, local):
        if local == "t":
            if not self.phonetic:
                self.runs.append(self.text())
        elif local == "si":
            self.strings.append(self.keep("".join(self.runs).strip()))
            self.runs.clear()
        else:
            self.phonetic -= 1


# The letters of the columns read (A to L): a cell further right, or whose letters are no column, is skipped.
_COLUMNS = {name: n for n, letter in enumerate(string.ascii_uppercase[:MAX_COLUMNS], start=1)
            for name in (letter, letter.lower())}
_DIGITS = "0123456789"


def _number(text: str) -> str:
    """A numeric cell as a person would type it: 4.0 is "4", 9.01234567E8 is "901234567"."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else str(value)


class _Sheet(_Part):
    """A worksheet's rows: the row number and the text of its first MAX_COLUMNS cells.

    The hot path of the reading, so its handlers are written out. Past the last column read, a row's other
    elements are only counted, by two handlers that do nothing else, until the row ends."""

    opening = ("row", "c", "rPh")
    closing = ("row", "c", "v", "t", "rPh")

    def __init__(self, budget, strings: list[str]):
        super().__init__(budget)
        self.strings = strings
        self.ready: list[tuple[int, list[str]]] = []
        self.number = 0
        self.cells: list[str] | None = None
        self.column = 0
        self.kind: str | None = None  # the type of the cell being kept, None when the cell is skipped
        self.gathered = ""  # the text of the cell being kept so far
        self.phonetic = 0

    def _start(self, name, attrs):
        self.left -= 1  # _count, written out: this runs for nearly every element of the file
        self.depth += 1
        if self.left < 0 or self.depth > MAX_DEPTH:
            raise Unreadable(TOO_MUCH)
        self.pieces.clear()
        local = self.starts.get(name)
        if local == "c":
            if self.cells is not None:
                reference = attrs.get("r")
                column = _COLUMNS.get(reference.rstrip(_DIGITS)) if reference else None
                # No reference: the next column. Letters beyond the columns read (or no column at all): skip.
                self.column = column or (self.column + 1 if not reference else MAX_COLUMNS + 1)
                if self.column <= MAX_COLUMNS:
                    self.kind = attrs.get("t", "n")
                else:
                    self._skip_rest_of_row()
        elif local == "row":
            given = attrs.get("r", "")
            # Numbers only go up, so a file that repeats or lowers them still reaches the caller's row limit.
            after = self.number + 1
            self.number = max(int(given), after) if given.isdecimal() and len(given) < 8 else after
            self.cells, self.column = [], 0
        elif local == "rPh":
            self.phonetic += 1

    def _end(self, name):
        self.depth -= 1
        local = self.ends.get(name)
        if local == "v" or local == "t":
            if self.kind is not None and not self.phonetic:
                self.gathered += "".join(self.pieces)
                if len(self.gathered) > MAX_CELL:
                    raise Unreadable(TOO_MUCH)
        elif local == "c":
            if self.kind is not None:
                value = self._value(self.kind, self.gathered)
                self.gathered, self.kind = "", None
                if self.column > len(self.cells):
                    self.cells.extend([""] * (self.column - 1 - len(self.cells)))
                    self.cells.append(value)
        elif local == "row":
            self._row_done()
        elif local == "rPh":
            self.phonetic -= 1

    def _skip_rest_of_row(self):
        self.parser.StartElementHandler, self.parser.EndElementHandler = self._count, self._skip_end
        self.parser.CharacterDataHandler = None

    def _skip_end(self, name):
        self.depth -= 1
        if self.ends.get(name) == "row":
            self.parser.StartElementHandler, self.parser.EndElementHandler = self._start, self._end
            self.parser.CharacterDataHandler = self.pieces.append
            self._row_done()

    def _row_done(self):
        if self.cells is not None:
            self.ready.append((self.number, self.cells))
            self.cells = None
        self.kind, self.gathered, self.phonetic = None, "", 0

    def _value(self, kind: str, text: str) -> str:
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                raise Unreadable(BAD_XLSX) from None
        if kind == "n" and text.isdecimal():
            # The commonest cell, counted without asking its size: four bytes a digit is the most it takes.
            self.text_left -= 49 + 4 * len(text)
            if self.text_left < 0:
                raise Unreadable(TOO_MUCH)
            return text
        if kind == "b":
            return "True" if text.strip() == "1" else "False"
        text = text.strip()
        return self.keep(_number(text) if kind == "n" else text)


def _first_sheet(archive: zipfile.ZipFile, budget: _Budget) -> tuple[str, str | None]:
    """The names of the first worksheet's part and of the shared strings part, found through the relationships."""
    root = _Relations(budget, "").read(archive, "_rels/.rels").targets
    book = next((target for kind, target in root.values() if kind.endswith("/officeDocument")), "xl/workbook.xml")
    folder, leaf = posixpath.split(book)
    relations = _Relations(budget, folder).read(archive, posixpath.join(folder, "_rels", leaf + ".rels")).targets
    sheets = [relations[rid][1] for rid in _Workbook(budget).read(archive, book).sheets
              if rid in relations and relations[rid][0].endswith("/worksheet")]
    strings = next((target for kind, target in relations.values() if kind.endswith("/sharedStrings")), None)
    if not sheets:
        raise Unreadable(BAD_XLSX)
    return sheets[0], strings


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    archive = _open_zip(data)
    try:
        budget = _Budget()
        sheet_name, strings_name = _first_sheet(archive, budget)
        strings = _SharedStrings(budget).read(archive, strings_name).strings if strings_name else []
        sheet = _Sheet(budget, strings)
        for _ in sheet.feed(archive, sheet_name):
            yield from sheet.ready
            sheet.ready.clear()
    finally:
        archive.close()
