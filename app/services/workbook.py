"""Writing an XLSX workbook: the little the app's files need (text, numbers, shares shown as percentages,
columns kept as text, column widths, frozen heading rows), written as its Office Open XML parts directly.

A ward's report came to about 1,000 cells; openpyxl made an object of each, with its style, and took nine
tenths of the export's time. Here a cell is one string. Reading uploaded files is lists/spreadsheet.py.
"""

import io
import math
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters XML 1.0 cannot hold at all (a pasted name may carry one): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_PLAIN = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # most text has none
# Cell styles, in styles.xml's order: none, a share as 0.00% (built-in format 10), text (built-in format 49).
_PERCENT, _TEXT = 1, 2
_FIXED_DATE = (2025, 1, 1, 0, 0, 0)  # the parts' time in the zip: the same workbook is the same bytes


class Fraction(float):
    """A share between 0 and 1 that the spreadsheet shows as a percentage."""


@dataclass
class Sheet:
    title: str  # at most 31 characters, none of []:*?/\ (sheet_title() makes one)
    lines: list[list]  # rows of cells: str, int, float, Fraction, or None / "" for an empty cell
    frozen_rows: int = 0  # rows kept in sight when scrolling down (with the first column, when any)
    text_columns: str = ""  # letters (A to Z) of the columns whose cells, typed later too, stay text (a leading 0)
    widths: tuple[int, ...] = ()  # the first columns' widths, in characters


def sheet_title(text: str) -> str:
    """Spreadsheet tab names hold at most 31 characters and none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31]


def column_letters(number: int) -> str:
    """1 → A, 28 → AB, 16384 → XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_COLUMN = [""] + [column_letters(n) for n in range(1, 703)]  # A to ZZ; a wider line is spelled out as it goes


def _shared_text(value: str) -> str:
    """A text as the shared strings list holds it: escaped, control characters dropped; marked to keep its
    spaces only where a spreadsheet would trim or fold them."""
    if _NOT_PLAIN.search(value):
        value = escape(_NOT_XML.sub("", value))
    if value[:1].isspace() or value[-1:].isspace() or "\n" in value or "\t" in value:
        return f'<si><t xml:space="preserve">{value}</t></si>'
    return f"<si><t>{value}</t></si>"


def _cells(line: list, row: str, text_styled: set[int], strings: dict[str, int]) -> str:
    """A row's cells; the hot loop of a long list, so written out. A text is written once in the workbook's
    shared strings (`strings`: text → its number there) and each cell names it: a list repeats its areas, teams,
    names and days."""
    cells = []
    for column, value in enumerate(line, start=1):
        if value is None or value == "":
            continue
        reference = f"{_COLUMN[column] if column < len(_COLUMN) else column_letters(column)}{row}"
        styled = f' s="{_TEXT}"' if column in text_styled else ""
        if type(value) is not str:  # most cells are text: one test for them
            if isinstance(value, float) and math.isfinite(value):
                percent = f' s="{_PERCENT}"' if isinstance(value, Fraction) else styled
                cells.append(f'<c r="{reference}"{percent}><v>{value!r}</v></c>')
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                cells.append(f'<c r="{reference}"{styled}><v>{value}</v></c>')
                continue
            value = str(value)
        number = strings.get(value)
        if number is None:
            number = strings[value] = len(strings)
        cells.append(f'<c r="{reference}"{styled} t="s"><v>{number}</v></c>')
    return "".join(cells)


def _sheet_xml(sheet: Sheet, strings: dict[str, int]) -> str:
    text_styled = {ord(letter) - 64 for letter in sheet.text_columns}
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if sheet.frozen_rows:
        top_left = f"B{sheet.frozen_rows + 1}"
        parts.append(f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="1" ySplit="{sheet.frozen_rows}" '
                     f'topLeftCell="{top_left}" activePane="bottomRight" state="frozen"/>'
                     f'<selection pane="bottomRight" activeCell="{top_left}" sqref="{top_left}"/></sheetView></sheetViews>')
    widths = dict(enumerate(sheet.widths, start=1))
    columns = sorted(widths.keys() | text_styled)
    if columns:
        parts.append("<cols>")
        for n in columns:
            width = f' width="{widths[n]}" customWidth="1"' if n in widths else ' width="9.140625"'
            style = f' style="{_TEXT}"' if n in text_styled else ""
            parts.append(f'<col min="{n}" max="{n}"{width}{style}/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    for number, line in enumerate(sheet.lines, start=1):
        row = str(number)
        cells = _cells(line, row, text_styled, strings)
        if cells:
            parts.append(f'<row r="{row}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  '<Default Extension="xml" ContentType="application/xml"/>'
                  '<Override PartName="/xl/workbook.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                  '<Override PartName="/xl/styles.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                  '<Override PartName="/xl/sharedStrings.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                  '{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Target="xl/workbook.xml" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
              '</Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '{sheets}<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                  '<Relationship Id="rIdStyles" Target="styles.xml" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
                  '</Relationships>')
_SHEET_REL = ('<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>')
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')


def workbook(sheets: list[Sheet]) -> bytes:
    """The sheets as one XLSX file, in this order."""
    numbered = list(enumerate(sheets, start=1))
    strings: dict[str, int] = {}  # filled as the sheets name their texts, then written as one part
    sheet_parts = {f"xl/worksheets/sheet{n}.xml": _sheet_xml(s, strings) for n, s in numbered}
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n, _ in numbered)),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK.format(sheets="".join(
            f'<sheet name={quoteattr(s.title)} sheetId="{n}" r:id="rId{n}"/>' for n, s in numbered)),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.format(sheets="".join(_SHEET_REL.format(n=n)
                                                                            for n, _ in numbered)),
        "xl/styles.xml": _STYLES,
        **sheet_parts,
        "xl/sharedStrings.xml": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                 '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                 f'uniqueCount="{len(strings)}">{"".join(_shared_text(t) for t in strings)}</sst>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(zipfile.ZipInfo(name, _FIXED_DATE), text.encode("utf-8"), zipfile.ZIP_DEFLATED, 1)
    return out.getvalue()
