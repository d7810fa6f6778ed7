"""Hostile import files: the worst CSV and XLSX uploads we can build, and what refusing each one costs.

    .venv/bin/python -m bench.hostile_import [--only NAME ...]

Each file is uploaded by a coordinator over the Flask test client, in a subprocess of its own, so the peak
resident memory the upload adds (Linux's VmHWM, reset just before) is that file's alone;
the time is the upload request's. Goal: every file refused (status 422, a Vietnamese message, nothing stored)
in under 2 s with under 100 MB of extra memory. tests/test_import.py uploads the same files, some smaller.
"""

import argparse
import io
import itertools
import json
import os
import random
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from app.services.workbook import column_letters
from bench.common import machine, write_section

HEADER = ["Khu vực", "Địa chỉ", "Tên hiển thị", "Số người", "Số người từ 14 tuổi", "Số điện thoại",
          "Đồng ý lưu số điện thoại", "Nhóm ưu tiên"]
UPLOAD_LIMIT = 8 * 1024 * 1024  # MAX_CONTENT_LENGTH: anything larger never reaches the importer
_ROOM = UPLOAD_LIMIT - 4096  # the form around the file takes some of it

_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{_OFFICE}.sharedStrings+xml"/>
</Types>"""
_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" Target="xl/workbook.xml"
 Type="{_REL}/officeDocument"/></Relationships>"""
_WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{_MAIN.decode()}" xmlns:r="{_REL}"><sheets><sheet name="Hộ" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
_WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{_PACKAGE}">
<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""


# Building blocks ------------------------------------------------------------------------------------------

def row(number: int, values: Iterable[str | int] = ()) -> bytes:
    """A <row> with inline-string and number cells from column A."""
    cells = []
    for column, value in enumerate(values, start=1):
        ref = f"{column_letters(column)}{number}"
        cells.append(f'<c r="{ref}"><v>{value}</v></c>' if isinstance(value, int)
                     else f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def header_row() -> bytes:
    """Row 1, from the shared strings that `workbook` writes."""
    return b'<row r="1">' + b"".join(b'<c r="%s1" t="s"><v>%d</v></c>' % (column_letters(n + 1).encode(), n)
                                     for n in range(len(HEADER))) + b"</row>"


def _batched(pieces: Iterable[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    batch, length = [], 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield b"".join(batch)
            batch, length = [], 0
    yield b"".join(batch)


def workbook(rows: Iterable[bytes] = (), *, strings: Iterable[bytes] | None = None, dimension: str = "",
             frame: tuple[bytes, bytes] = (b"", b""), method: int = zipfile.ZIP_DEFLATED,
             extra_parts: int = 0) -> bytes:
    """An XLSX file that openpyxl and Excel open: one sheet of `rows` (streamed into the zip, so a file that
    unpacks to gigabytes is built in little memory), the header's labels as shared strings unless `strings`
    gives the <si> elements. `frame` replaces what comes before and after the rows."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, text in (("[Content_Types].xml", _TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)):
            archive.writestr(name, text)
        if strings is None:
            strings = (b"<si><t>%s</t></si>" % escape(label).encode() for label in HEADER)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="%s">' % _MAIN)
            for piece in _batched(strings):
                part.write(piece)
            part.write(b"</sst>")
        head = b'<worksheet xmlns="%s">' % _MAIN + (b'<dimension ref="%s"/>' % dimension.encode() if dimension
                                                    else b"") + b"<sheetData>"
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?>\n' + (frame[0] or head))
            for piece in _batched(rows):
                part.write(piece)
            part.write(frame[1] or b"</sheetData></worksheet>")
        for n in range(extra_parts):
            archive.writestr(f"c/{n}", b"")
    return out.getvalue()


# The hostile files ----------------------------------------------------------------------------------------

def declared_dimension(last: str = "XFD1048576") -> bytes:
    """The sheet says it spans A1:XFD1048576 (17 billion cells) and holds two."""
    return workbook([row(1, HEADER[:2])], dimension=f"A1:{last}")


def empty_rows(count: int = 1_048_576) -> bytes:
    """The header, then every row Excel has, each with one empty cell."""
    return workbook(itertools.chain([header_row()], (b'<row r="%d"><c r="A%d"/></row>' % (n, n)
                                                     for n in range(2, count + 1))))


def last_row() -> bytes:
    """The header and one household on the sheet's last row."""
    return workbook([header_row(), row(1_048_576, ["Khu vực 1", "Số 1", "", 4, 3])])


def filled_rows(rows: int = 50_001, columns: int = 20) -> bytes:
    """One row too many, every one of the columns read filled: the most a row limit lets through."""
    return workbook(itertools.chain([header_row()], (row(n, range(n, n + columns)) for n in range(2, rows + 2))))


def wide_rows(rows: int = 100, cells: int = 16_384) -> bytes:
    """Rows of 16,384 empty cells, each with its own reference (so the part does not compress too well)."""
    references = [column_letters(c).encode() for c in range(1, cells + 1)]
    return workbook(itertools.chain([header_row()], (
        b'<row r="%d">' % n + b"".join(b'<c r="%s%d"/>' % (ref, n) for ref in references) + b"</row>"
        for n in range(2, rows + 2))))


def many_strings(count: int = 1_000_000) -> bytes:
    """A million different shared strings of a few bytes each."""
    return workbook([header_row()], strings=itertools.chain(
        (b"<si><t>%s</t></si>" % escape(label).encode() for label in HEADER),
        (b"<si><t>%x</t></si>" % n for n in range(count))))


def long_cells(rows: int = 80, block: int = 1000) -> bytes:
    """Cells of 32,000 characters (Excel allows 32,767) in every column read: a random block of Vietnamese
    letters repeated, so the part compresses about as well as the ratio check allows."""
    rng = random.Random(7)
    alphabet = "abcdeghiklmnopqrstuvxyđươăâêôơ "

    def cell() -> str:
        return "".join(rng.choice(alphabet) for _ in range(block)) * (32_000 // block)
    return workbook(itertools.chain([header_row()], (row(n, [cell() for _ in range(12)]) for n in range(2, rows + 2))))


def long_tag(attributes: int = 2_000_000) -> bytes:
    """One start tag with two million attributes: expat holds a tag until it ends."""
    return workbook([header_row(), b'<row r="2"><c r="A2" ' + b" ".join(b"a%d='1'" % n for n in range(attributes))
                     + b"/></row>"])


def deep_nesting(depth: int = 1_400_000) -> bytes:
    """Elements opened one inside the other and never closed: expat keeps every open element."""
    return workbook([header_row(), b"".join(b'<a r="%d">' % n for n in range(depth))])


def entity_expansion() -> bytes:
    """"Billion laughs": a DTD whose entities expand a thousand-fold at each level."""
    levels = ['<!ENTITY a0 "ha">'] + [f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)]
    head = f'<!DOCTYPE worksheet [{"".join(levels)}]><worksheet xmlns="{_MAIN.decode()}"><sheetData>'.encode()
    return workbook([header_row(), row(2, ["&a9;"]).replace(b"&amp;a9;", b"&a9;")], frame=(head, b""))


def zip_bomb(unpacked: int = 2_000 * 1024 * 1024) -> bytes:
    """A sheet that unpacks to 2 GB of spaces (zipfile writes nothing larger without zip64)."""
    return workbook(itertools.chain([header_row()], (b" " * min(1 << 24, unpacked - at)
                                                     for at in range(0, unpacked, 1 << 24))))


def lying_sizes(unpacked: int = 200 * 1024 * 1024) -> bytes:
    """The central directory says the sheet unpacks to 1 KB; its data unpacks to 200 MB."""
    data = bytearray(zip_bomb(unpacked))
    name = b"xl/worksheets/sheet1.xml"
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<L", data, at + 24, 1024)
    return bytes(data)


def many_parts(parts: int = 80_000) -> bytes:
    """A workbook with 80,000 extra empty parts: opening a zip reads its whole directory."""
    return workbook([header_row()], method=zipfile.ZIP_STORED, extra_parts=parts)


def lzma_parts() -> bytes:
    """Parts compressed with LZMA, whose decoder allocates what the file's header asks."""
    return workbook([header_row()], method=zipfile.ZIP_LZMA)


def csv_file(lines: Iterable[str]) -> bytes:
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def csv_filled_rows(rows: int = 50_001, columns: int = 20) -> bytes:
    """One row too many, with every column read filled."""
    return csv_file([",".join(HEADER + ["x"] * (columns - len(HEADER)))]
                    + [",".join([str(n)] * columns) for n in range(rows)])


def csv_blank_lines() -> bytes:
    """The header, then blank lines up to the upload limit."""
    return csv_file([",".join(HEADER)]) + b"\n" * _ROOM


def csv_long_line() -> bytes:
    """One line of commas up to the upload limit: four million empty fields."""
    return csv_file([",".join(HEADER), "," * _ROOM])


def csv_long_field() -> bytes:
    """A quoted field with line breaks that never closes."""
    return csv_file([",".join(HEADER), '"' + "x\n" * (_ROOM // 2)])


def csv_quoted_lines() -> bytes:
    """A first row of 1.6 million fields, each on a line of its own inside quotes."""
    return csv_file(['"x\n",' * (_ROOM // 5) + '"x"'])


# name → (file name, builder, what the user reads)
HOSTILE = {
    "declared dimension A1:XFD1048576": ("ho.xlsx", declared_dimension, "Thiếu các cột"),
    "1,048,576 rows of empty cells": ("ho.xlsx", empty_rows, "hơn 50000 dòng"),
    "one household on row 1,048,576": ("ho.xlsx", last_row, "hơn 50000 dòng"),
    "50,001 rows × 20 filled columns": ("ho.xlsx", filled_rows, "quá nhiều dữ liệu"),
    "rows of 16,384 cells": ("ho.xlsx", wide_rows, "quá nhiều dữ liệu"),
    "1,000,000 shared strings": ("ho.xlsx", many_strings, "quá nhiều dữ liệu"),
    "cells of 32,000 characters": ("ho.xlsx", long_cells, "quá nhiều dữ liệu"),
    "a tag with 2,000,000 attributes": ("ho.xlsx", long_tag, "quá nhiều dữ liệu"),
    "1,400,000 nested elements": ("ho.xlsx", deep_nesting, "quá nhiều dữ liệu"),
    "entity expansion (billion laughs)": ("ho.xlsx", entity_expansion, "Không đọc được tệp dưới dạng tệp Excel"),
    "zip bomb (2 GB of spaces)": ("ho.xlsx", zip_bomb, "giải nén"),
    "sizes that lie (200 MB said 1 KB)": ("ho.xlsx", lying_sizes, "Không đọc được tệp dưới dạng tệp Excel"),
    "80,000 parts": ("ho.xlsx", many_parts, "Không đọc được tệp dưới dạng tệp Excel"),
    "LZMA-compressed parts": ("ho.xlsx", lzma_parts, "Không đọc được tệp dưới dạng tệp Excel"),
    "CSV: 50,001 rows × 20 filled columns": ("ho.csv", csv_filled_rows, "hơn 50000 dòng"),
    "CSV: 8 MB of blank lines": ("ho.csv", csv_blank_lines, "hơn 50000 dòng"),
    "CSV: one line of 8 MB": ("ho.csv", csv_long_line, "quá nhiều dữ liệu"),
    "CSV: an unclosed quoted field": ("ho.csv", csv_long_field, "quá nhiều dữ liệu"),
    "CSV: 1,600,000 quoted fields, one a line": ("ho.csv", csv_quoted_lines, "quá nhiều dữ liệu"),
}


# Measuring ------------------------------------------------------------------------------------------------

def _memory_kb(field: str) -> int:
    """VmRSS (resident now) or VmHWM (peak resident since the last reset) of this process, in KB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def measure(name: str) -> dict:
    """Upload one hostile file as a coordinator (run in a subprocess of its own)."""
    from app.extensions import db
    from app.models import Area, Household, Role, User
    from app.services.accounts import hash_password
    from bench.common import fresh_app

    filename, build, expected = HOSTILE[name]
    app = fresh_app("sqlite")
    with app.app_context():
        db.session.add(Area(ward_code=31135, name="Khu vực 1"))
        db.session.add(User(username="dieuphoi", display_name="Điều phối", role=Role.COORDINATOR,
                            password_hash=hash_password("mat-khau-bench-1"), province_code=92, ward_code=31135))
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "dieuphoi", "password": "mat-khau-bench-1"})
    # A first small upload loads every module and template the refusal needs.
    client.post("/lists/import", data={"file": (io.BytesIO(b"a,b\n"), "ho.csv")}, content_type="multipart/form-data")
    data = build()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak (VmHWM) starts again from what is resident now
    before = _memory_kb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post("/lists/import", data={"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    extra_mb = max(0, _memory_kb("VmHWM") - before) / 1024
    with app.app_context():
        stored = db.session.scalar(db.select(db.func.count()).select_from(Household))
    page = response.get_data(as_text=True)
    return {"name": name, "bytes": len(data), "status": response.status_code, "seconds": seconds, "cpu": cpu,
            "extra_mb": extra_mb, "stored": stored, "message": expected in page}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", choices=list(HOSTILE), help="measure these files only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    results, load = [], os.getloadavg()[0]
    for name in args.only or HOSTILE:
        child = subprocess.run([sys.executable, "-m", "bench.hostile_import", "--child", name],
                               capture_output=True, text=True, check=True)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    if args.only:
        return
    table = "\n".join(
        f"| {r['name']} | {r['bytes'] / 1e6:.2f} MB | {r['status']}{'' if r['message'] else ' (other message)'} "
        f"| {r['stored']} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['extra_mb']:.0f} |"
        for r in results)
    from app.services.lists import spreadsheet

    slowest = max(results, key=lambda r: r["seconds"])
    busiest = max(results, key=lambda r: r["cpu"])
    largest = max(results, key=lambda r: r["extra_mb"])
    refused = all(r["status"] == 422 and r["message"] and not r["stored"] for r in results)
    met = refused and all(r["seconds"] < 2 and r["extra_mb"] < 100 for r in results)
    verdict = "refused with its Vietnamese message and nothing stored" if refused else "NOT refused as expected"
    write_section("Hostile import files (outside review, item 1)", f"""
`python -m bench.hostile_import` — the worst files we could build (`bench/hostile_import.py` says how each is
made), each uploaded by a coordinator over the Flask test client in a fresh process: status, households stored,
wall time and CPU time of the upload request, and the peak resident memory it added (VmHWM after the
request, reset just before it through /proc/self/clear_refs, minus the resident size then; the file, at most
8 MB, is built before, the copies the request makes of it count). Goal: refused in under 2 s with under 100 MB
of extra memory. Machine: {machine()}; load average {load:.1f} when the run started.

| file | size | status | stored | seconds | CPU seconds | extra MB |
|---|---|---|---|---|---|---|
{table}

Reading: every file is {verdict};
the goal is **{"met" if met else "not met"}** in wall time. The slowest is "{slowest['name']}"
({slowest['seconds']:.2f} s; the most CPU: "{busiest['name']}", {busiest['cpu']:.2f} s), the largest
"{largest['name']}" ({largest['extra_mb']:.0f} MB). The slowest files are those that look most like a real
list: reading one of 50,000 households takes about as long, and the budgets below are what such a list needs
plus a margin. What bounds them
(`app/services/lists/spreadsheet.py`): the zip's central directory is checked before anything is unpacked (at most
500 parts, 64 MB unpacked in all, a ratio of 100 for a part over 1 MB, deflate or stored only, no zip64); the
XML is streamed through expat with no DTD, only columns A–L are kept, and the reading gives up after
{spreadsheet.MAX_ELEMENTS:,} XML elements, {spreadsheet.MAX_TEXT >> 20} MB of kept text, a cell over 32,767
characters, 512 KB without a new element or elements nested {spreadsheet.MAX_DEPTH} deep; the importer stops at
the first row past 50,001 (header and 50,000 households), whatever the sheet declares; a CSV row may hold
{spreadsheet.MAX_LINE:,} characters, even over several lines. The wall time counts other processes' use of
the machine's two cores, the CPU time is the upload's own: with other test suites running (load average about
4) the slowest file took up to 2.4 s of wall time for 1.6 s of CPU.
""")


if __name__ == "__main__":
    main()
