"""The XLSX files the app writes (services/workbook.py): what a spreadsheet program reads in them."""

import io
import zipfile

from openpyxl import load_workbook

from app.services import workbook
from app.services.lists import spreadsheet


def _read(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_values_shares_and_frozen_headings():
    def sheets():
        return [workbook.Sheet("Chỉ tiêu", [["Báo cáo: Phường Ninh Kiều"], [], ["Tên", "Số", "Tỉ lệ"],
                                            ["Khu vực A & B <mới>", 12, workbook.Fraction(0.3333)],
                                            ["Ấp 2", 3.5, None]], frozen_rows=3),
                workbook.Sheet("Tổ", [["Tổ CNSCĐ 1", ""]])]

    data = workbook.workbook(sheets())
    book = _read(data)
    assert book.sheetnames == ["Chỉ tiêu", "Tổ"]
    sheet = book["Chỉ tiêu"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Báo cáo: Phường Ninh Kiều", None, None], [None, None, None], ["Tên", "Số", "Tỉ lệ"],
        ["Khu vực A & B <mới>", 12, 0.3333], ["Ấp 2", 3.5, None]]
    assert sheet["C4"].number_format == "0.00%" and sheet["B4"].number_format == "General"
    assert sheet.freeze_panes == "B4"
    assert book["Tổ"].max_row == 1 and book["Tổ"]["B1"].value is None
    # The same sheets give the same bytes (the parts carry a fixed time).
    assert data == workbook.workbook(sheets())


def test_text_that_xml_cannot_hold_is_dropped_and_spaces_are_kept():
    sheet = _read(workbook.workbook([workbook.Sheet("A", [["  Hộ\x00 bà\x1f Tư\u0007 ", "tab\there"]])])).active
    assert (sheet["A1"].value, sheet["B1"].value) == ("  Hộ bà Tư ", "tab\there")


def test_text_columns_and_widths_hold_for_rows_typed_later():
    data = workbook.workbook([workbook.Sheet("Mẫu", [["Khu vực", "Điện thoại"], ["Ấp 1", "0912345678"]],
                                             text_columns="B", widths=(16, 24))])
    sheet = _read(data).active
    assert sheet.column_dimensions["A"].width == 16 and sheet.column_dimensions["B"].width == 24
    assert sheet["B2"].number_format == "@" and sheet["A2"].number_format == "General"
    # The whole column is text, so a phone typed below the example keeps its leading zero.
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert '<col min="2" max="2" width="24" customWidth="1" style="2"/>' in sheet_xml


def test_the_apps_own_reader_reads_what_it_writes():
    data = workbook.workbook([workbook.Sheet("Mẫu", [["Khu vực", "Số người"], ["Ấp 1 & 2", 4], [], ["Ấp 3", 2.5]])])
    rows = list(spreadsheet.rows("ho.xlsx", data))
    assert rows == [(1, ["Khu vực", "Số người"]), (2, ["Ấp 1 & 2", "4"]), (4, ["Ấp 3", "2.5"])]


def test_columns_past_z_and_sheet_titles():
    line = list(range(1, 30))
    sheet = _read(workbook.workbook([workbook.Sheet(workbook.sheet_title("Xếp hạng: tổ [1/2] * quá dài để làm tên"),
                                                    [line])])).active
    assert sheet.title == "Xếp hạng- tổ -1-2- - quá dài để" and sheet["AC1"].value == 29
