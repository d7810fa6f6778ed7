"""The periodic report, the province roll-up and a campaign's commendation list as DOCX, laid out as
administrative documents under Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, margins top and bottom 20 mm, left
30 mm, right 15 mm; Times New Roman; the issuing body and number on the left and the national motto, slogan,
place and date on the right; the type and subject centred; the body; "Nơi nhận" on the left and the signer on
the right.

Built from the same `ReportDocument` as the print view (the commendation list from the page's `Commendation`),
always in Vietnamese; no request is touched.
"""

import io
from datetime import date
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from flask_babel import force_locale
from flask_babel import gettext as _

from app.numbers import NumberFormat
from app.services.activity_photos import PhotoAnnexEntry
from app.services.reports.indicators import ACTIVITY_RULE, DEFINITIONS
from app.services.reports.periodic import (
    DOCUMENT_LOCALE,
    VISITS_KEY,
    FigureRow,
    ReportDocument,
    Rollup,
    period_name,
    period_span,
)

if TYPE_CHECKING:
    from app.services.ranking.commendation import Commendation

FONT = "Times New Roman"
BODY_PT, HEADER_PT, TABLE_PT, RECIPIENTS_PT = 14, 13, 12, 11
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_date(place: str, day: date) -> str:
    """"Thới Lai, ngày 14 tháng 12 năm 2026": days and months below 10 (1 and 2 for months) take a 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _new_document(landscape: bool = False):
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    return doc


def _run(paragraph, text: str, size: int = BODY_PT, bold: bool = False, italic: bool = False,
         underline: bool = False):
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.italic, run.font.underline = Pt(size), bold, italic, underline
    return run


def _line(container, text: str = "", size: int = BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, **style):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    if text:
        _run(paragraph, text, size, **style)
    return paragraph


def _cell_lines(cell, lines: list[tuple[str, dict]], align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    first = True
    for text, style in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = align
        if text:
            _run(paragraph, text, **style)


def _no_borders(table) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def _header(doc, authority: str, doc_number: str, place_date: str, left_mm: float, right_mm: float) -> None:
    """The header table: issuing body and number (left), motto, slogan, place and date (right)."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(left_mm), Mm(right_mm)
    lines = [(authority, {"size": HEADER_PT, "bold": True}), ("———", {"size": HEADER_PT})]
    if doc_number:
        lines.append((f"Số: {doc_number}", {"size": HEADER_PT}))
    _cell_lines(left, lines)
    _cell_lines(right, [(MOTTO, {"size": 12, "bold": True}), (SLOGAN, {"size": HEADER_PT, "bold": True}),
                        ("———————————", {"size": HEADER_PT}),
                        (place_date, {"size": HEADER_PT, "italic": True})])


def _body(doc, text: str) -> None:
    for line in (text or "").splitlines() or [""]:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.paragraph_format.space_after = Pt(6)
        if line.strip():
            _run(paragraph, line.strip())


def _heading(doc, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, text, bold=True)


def ratio_text(fmt: NumberFormat, part: int | None, whole: int | None) -> str:
    """"1.234 / 5.678" (or the count alone when there is no whole)."""
    if part is None:
        return "–"
    return fmt.number(part) if whole is None else f"{fmt.number(part)} / {fmt.number(whole)}"


def percent_text(fmt: NumberFormat, part: int | None, whole: int | None) -> str:
    return fmt.percent(100 * part / whole) if part is not None and whole else "–"


def table_cells(fmt: NumberFormat, row: FigureRow) -> list[str]:
    """The figures table's cells of one row, as the DOCX and the print view both write them."""
    return [row.label,
            ratio_text(fmt, row.period_part, row.period_whole) if row.period_part is not None else "",
            percent_text(fmt, row.period_part, row.period_whole) if row.period_whole is not None else "",
            ratio_text(fmt, row.part, row.whole) if row.whole is not None else
            fmt.number(row.part) if row.part is not None else "",
            percent_text(fmt, row.part, row.whole) if row.whole is not None else "",
            fmt.percent(row.target) if row.target is not None else ""]


def table_heads(as_of: date) -> list[str]:
    return [_("Indicator"), _("In the period"), "%", _("To %(day)s", day=f"{as_of:%d/%m/%Y}"), "%",
            _("Target")]


def activity_heads() -> list[str]:
    return [_("Activities beyond household visits"), _("In the period")]


def activity_cells(fmt: NumberFormat, row: FigureRow) -> list[str]:
    return [row.label, fmt.number(row.period_part) if row.period_part is not None else "–"]


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _xml_cell(text: str, width: int, size: int, bold: bool, align: str) -> str:
    run_style = ("<w:b/>" if bold else "") + f'<w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/>'
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>'
            f'<w:r><w:rPr>{run_style}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>')


_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def _figures_table(doc, heads: list[str], lines: list[list[str]], widths: list[float], size: int = TABLE_PT,
                   left: int = 1):
    """A bordered table whose heading row repeats on every page: the first `left` columns (names) aligned
    left, the figures right. Written as WordprocessingML in one piece: python-docx adds cells one element at
    a time, which took seconds for the province roll-up's 1,600 cells."""
    twips = [_twips(width) for width in widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    head = "".join(_xml_cell(text, w, size, True, "center") for text, w in zip(heads, twips, strict=True))
    body = "".join(
        "<w:tr>" + "".join(_xml_cell(text, w, size, False, "left" if index < left else "right")
                           for index, (text, w) in enumerate(zip(line, twips, strict=True))) + "</w:tr>"
        for line in lines)
    table = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        f'<w:tr><w:trPr><w:tblHeader/></w:trPr>{head}</w:tr>{body}</w:tbl>')
    doc.element.body.sectPr.addprevious(table)
    return table


def _footer(doc, recipients: list[str], signer_title: str, signer_name: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    lines = [("Nơi nhận:", {"size": 12, "bold": True, "italic": True})]
    lines += [(f"- {line};" if i < len(recipients) - 1 else f"- {line}.", {"size": RECIPIENTS_PT})
              for i, line in enumerate(recipients)]
    _cell_lines(left, lines, align=WD_ALIGN_PARAGRAPH.LEFT)
    title_lines = [(line.strip().upper(), {"size": BODY_PT, "bold": True})
                   for line in signer_title.splitlines() if line.strip()]
    _cell_lines(right, [*title_lines, ("", {}), ("", {}), ("", {}), (signer_name, {"size": BODY_PT, "bold": True})])


def _bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# Two photos side by side between the margins (165 mm on A4 portrait).
ANNEX_PHOTO_WIDTH = Mm(80)


def _photo_annex(doc, entries: list[PhotoAnnexEntry]) -> None:
    """"Phụ lục: hình ảnh hoạt động": each activity of the period that has photos, its photos two to a line, and a
    caption saying what, when, where and which team."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _line(doc, _("ANNEX: PHOTOS OF THE ACTIVITIES"), bold=True)
    for number, entry in enumerate(entries, 1):
        activity = entry.activity
        for first in range(0, len(entry.photos), 2):
            paragraph = _line(doc)
            for photo in entry.photos[first:first + 2]:
                paragraph.add_run().add_picture(io.BytesIO(photo), width=ANNEX_PHOTO_WIDTH)
                paragraph.add_run(" ")
        _line(doc, _("Photo %(number)s: %(kind)s, %(day)s, %(place)s (%(team)s)", number=number,
                     kind=activity.kind_label, day=f"{activity.held_on:%d/%m/%Y}", place=activity.place_label,
                     team=activity.team.name), size=RECIPIENTS_PT, italic=True)


def report_docx(report: ReportDocument, photo_annex: list[PhotoAnnexEntry] | None = None) -> bytes:
    with force_locale(DOCUMENT_LOCALE):
        fmt = NumberFormat()
        doc = _new_document()
        doc.core_properties.title = f"Báo cáo {report.subject}"
        doc.core_properties.author = report.names.name
        _header(doc, report.names.authority, report.doc_number, document_date(report.place, report.doc_date), 70, 95)
        _line(doc)
        _line(doc, "BÁO CÁO", bold=True)
        _line(doc, report.subject, bold=True)
        _line(doc, report.period_line, italic=True)
        _line(doc, "———", size=HEADER_PT)
        _heading(doc, "I. " + _("RESULTS"))
        _heading(doc, "1. " + _("Figures of the period"))
        _figures_table(doc, table_heads(report.as_of), [table_cells(fmt, row) for row in report.indicator_rows],
                       widths=[50, 28, 22, 28, 22, 15])
        _line(doc, _("Figures from Phủ Số, counted by the indicator definitions of the unit's board."),
              size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT, italic=True)
        number = 2
        if report.activity_rows:
            _heading(doc, f"{number}. " + _("Activities beyond household visits"))
            _figures_table(doc, activity_heads(), [activity_cells(fmt, row) for row in report.activity_rows],
                           widths=[120, 45])
            _line(doc, str(ACTIVITY_RULE), size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT, italic=True)
            number += 1
        _heading(doc, f"{number}. " + _("Results achieved"))
        _body(doc, report.results)
        _heading(doc, "II. " + _("SHORTCOMINGS AND LIMITATIONS"))
        _body(doc, report.shortcomings)
        _heading(doc, "III. " + _("TASKS FOR THE NEXT PERIOD"))
        _body(doc, report.next_tasks)
        _line(doc)
        _footer(doc, report.recipients, report.signer_title, report.signer_name)
        if photo_annex:
            _photo_annex(doc, photo_annex)
        return _bytes(doc)


# Columns of the roll-up: each indicator's figure for the period where it has one, else to date.
def rollup_columns() -> list[tuple[str, str]]:
    """(row key, which figure) per column: "period" or "to_date"."""
    columns = [(d.key.value, "period" if d.in_period else "to_date") for d in DEFINITIONS]
    columns += [(d.key.value, "to_date") for d in DEFINITIONS if d.in_period]
    # The counts beside the indicators (children 6-13 with level 2, people helped online, teams, members).
    columns += [(b.key, "period" if b.in_period else "to_date") for d in DEFINITIONS for b in d.beside]
    # The activities beyond household visits and the people they helped online (a report sent before they were
    # counted shows "–").
    return [*columns, (VISITS_KEY, "period"), ("activities", "period"), ("activity_people_online", "period")]


def rollup_cell(fmt: NumberFormat, row: FigureRow | None, which: str) -> str:
    if row is None:
        return "–"
    part, whole = (row.period_part, row.period_whole) if which == "period" else (row.part, row.whole)
    if whole is None:
        return fmt.number(part) if part is not None else "–"
    return percent_text(fmt, part, whole)


def rollup_heads() -> list[str]:
    heads = []
    for key, which in rollup_columns():
        label = FigureRow(key=key).label
        if key == VISITS_KEY:
            heads.append(label)
        else:
            heads.append(label + " (" + (_("in the period") if which == "period" else _("to date")) + ")")
    return heads


def rollup_docx(rollup: Rollup) -> bytes:
    with force_locale(DOCUMENT_LOCALE):
        fmt = NumberFormat()
        doc = _new_document(landscape=True)
        columns = rollup_columns()
        _header(doc, rollup.province.authority, "", document_date(rollup.province.place, rollup.as_of), 100, 150)
        _line(doc)
        _line(doc, _("SUMMARY OF THE UNITS' REPORTS"), bold=True)
        _line(doc, _("Community digital-technology teams, %(period)s", period=period_name(rollup.period)), bold=True)
        _line(doc, "(" + period_span(rollup.period) + ")", italic=True)
        _line(doc, _("%(sent)s of %(units)s units sent their report; the others' figures are as they stand on "
                     "%(day)s.", sent=rollup.sent_count, units=len(rollup.lines), day=f"{rollup.as_of:%d/%m/%Y}"),
              size=RECIPIENTS_PT, italic=True)
        heads = [_("No."), _("Unit"), _("Report"), *rollup_heads()]
        lines = []
        for number, line in enumerate(rollup.lines, 1):
            lines.append([str(number), line.names.name, _("sent") if line.sent else _("not sent"),
                          *(rollup_cell(fmt, line.rows.get(key), which) for key, which in columns)])
        lines.append(["", _("Whole province"), f"{rollup.sent_count}/{len(rollup.lines)}",
                      *(rollup_cell(fmt, rollup.total.get(key), which) for key, which in columns)])
        # A4 landscape leaves 252 mm between the margins: number, unit and report, then the figures.
        figures_mm = (252 - 10 - 38 - 16) / len(columns)
        _figures_table(doc, heads, lines, widths=[10, 38, 16, *([figures_mm] * len(columns))], size=9, left=3)
        return _bytes(doc)


def commendation_heads(found: "Commendation", who: str, total: str) -> list[str]:
    """The columns of the list's tables: `who` names the team or the person, `total` what ranks it; a province
    campaign adds the unit."""
    unit = [_("Commune or ward")] if found.campaign.ward_code is None else []
    return [_("No."), who, *unit, _("Rank"), total, _("Level-2 activations"), _("Online-service tutorials"),
            _("Cashless set-ups")]


def commendation_lines(fmt: NumberFormat, found: "Commendation") -> tuple[list[list[str]], list[list[str]]]:
    """The rows of the teams' table (ranked by score) and the volunteers' (by outcomes)."""
    province = found.campaign.ward_code is None

    def line(number: int, name: str, ward: str, rank: int, total: int, counts: dict[str, int]) -> list[str]:
        return [str(number), name, *([ward] if province else []), str(rank), fmt.number(total),
                *(fmt.number(counts[key]) for key in ("level2", "tutored", "cashless"))]

    teams = [line(n, p.standing.team, p.standing.ward, p.standing.rank, p.standing.score, p.standing.counts)
             for n, p in enumerate(found.teams, 1)]
    people = [line(n, f"{v.name} ({v.team})", v.ward, v.rank, v.outcomes, v.counts)
              for n, v in enumerate(found.volunteers, 1)]
    return teams, people


def commendation_rule_text(found: "Commendation") -> str:
    rule = found.rule
    return _("Proposed: the teams ranked in the first %(teams)s places of the leaderboard with at least %(team_min)s "
             "outcomes, and the volunteers ranked in the first %(people)s places by their own outcomes with at "
             "least %(people_min)s. Outcomes: people activated to VNeID level 2, households tutored in an online "
             "public service, households set up for cashless payment. Equal results share a rank.",
             teams=rule.teams, team_min=rule.team_outcomes, people=rule.volunteers, people_min=rule.volunteer_outcomes)


def commendation_docx(found: "Commendation", signer_name: str, day: date) -> bytes:
    """The list of teams and volunteers proposed for a Giấy khen, on A4 landscape (its tables are wide)."""
    campaign = found.campaign
    with force_locale(DOCUMENT_LOCALE):
        fmt = NumberFormat()
        doc = _new_document(landscape=True)
        doc.core_properties.title = f"Danh sách đề nghị khen thưởng {campaign.name}"
        doc.core_properties.author = found.names.name
        _header(doc, found.names.authority, "", document_date(found.names.place, day), 100, 150)
        _line(doc)
        _line(doc, "DANH SÁCH", bold=True)
        _line(doc, _("Teams and volunteers proposed for a certificate of merit (Giấy khen)"), bold=True)
        _line(doc, _("Emulation campaign “%(name)s”, %(start)s – %(end)s", name=campaign.name,
                     start=f"{campaign.start_date:%d/%m/%Y}", end=f"{campaign.end_date:%d/%m/%Y}"), italic=True)
        _line(doc, "———", size=HEADER_PT)
        _body(doc, commendation_rule_text(found))
        teams, people = commendation_lines(fmt, found)
        province = campaign.ward_code is None
        # A4 landscape leaves 252 mm between the margins: number, name (and unit), rank, score or outcomes, counts.
        name_mm = 252 - 12 - 16 - 20 - 3 * 32 - (42 if province else 0)
        widths: list[float] = [12, name_mm, *([42] if province else []), 16, 20, 32, 32, 32]
        _heading(doc, "I. " + _("TEAMS (community digital-technology teams)"))
        if teams:
            _figures_table(doc, commendation_heads(found, _("Team"), _("Score")), teams, widths, left=3 if province else 2)
        else:
            _body(doc, _("No team meets the rule."))
        _heading(doc, "II. " + _("VOLUNTEERS"))
        if people:
            _figures_table(doc, commendation_heads(found, _("Full name (team)"), _("Outcomes")), people, widths,
                           left=3 if province else 2)
        else:
            _body(doc, _("No volunteer meets the rule."))
        _line(doc, _("Figures from Phủ Số, counted until %(day)s by the campaign's rules.",
                     day=f"{found.board.until:%d/%m/%Y}"), size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT,
              italic=True)
        _line(doc)
        _footer(doc, [_("The emulation and commendation council"), _("Filed: office")],
                _("Prepared by"), signer_name)
        return _bytes(doc)
