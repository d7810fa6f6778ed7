"""A unit's periodic report: its figures table (the board's indicator definitions for the report's period),
the narrative the coordinator writes as a draft, sending (which freezes the figures), and the province's view
of who sent what, with a roll-up of all its units.

Figures are a list of rows keyed by indicator, so other figures (the official administrative-procedure ones)
are appended as more rows. A draft's rows are computed live; a sent report's rows are read from its snapshot.
"""

import enum
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import Select, bindparam

from app.clock import local_today, utcnow
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import PeriodicReport, Province, ReportStatus, Role, User, Ward, unit_order
from app.models.geo import MAX_REPORT_DUE_DAYS
from app.services import audit
from app.services.errors import FieldError
from app.services.reports import coverage
from app.services.reports.coverage import Row
from app.services.reports.figures import Ratio
from app.services.reports.indicators import ACTIVITY_COUNTS, ACTIVITY_KEYS, BY_KEY, DEFINITIONS
from app.services.reports.periods import Cutoff, Kind, ReportPeriod
from app.services.reports.units import UnitNames, province_names, unit_names
from app.services.scope import PROVINCE_READERS, actor_parameters, get_in_scope, per_actor_shape, require_role, scoped
from app.services.text import looks_like_citizen_id, printable

DOCUMENT_LOCALE = "vi"  # an administrative document is written in Vietnamese whatever the reader's language
VISITS_KEY = "visits"  # the period's visits: a count beside the indicators


class ReportError(FieldError):
    """A report change was refused."""


@dataclass
class FigureRow:
    """One line of the figures table: an indicator to date and for the period, with the unit's own target."""

    key: str
    part: int | None = None  # to date
    whole: int | None = None
    period_part: int | None = None
    period_whole: int | None = None
    target: float | None = None  # only a target the unit or province set; a default is no target

    @property
    def to_date(self) -> Ratio | None:
        return Ratio(self.part, self.whole) if self.part is not None and self.whole is not None else None

    @property
    def in_period(self) -> Ratio | None:
        if self.period_part is None or self.period_whole is None:
            return None
        return Ratio(self.period_part, self.period_whole)

    @property
    def label(self) -> str:
        definition = _definition(self.key)
        if definition is not None:
            return str(definition.label)
        return str(EXTRA_LABELS.get(self.key, self.key))

    @property
    def lower_is_better(self) -> bool:
        definition = _definition(self.key)
        return bool(definition and definition.lower_is_better)


EXTRA_LABELS = {VISITS_KEY: _l("Visits in the period"),
                **{b.key: b.label for definition in DEFINITIONS for b in definition.beside},
                **{count.key: count.label for count in ACTIVITY_COUNTS}}


def _definition(key: str):
    return BY_KEY.get(key)  # type: ignore[call-overload]  # Indicator is a StrEnum: its value finds it


def rows_from(row: Row) -> list[FigureRow]:
    """The figures table of a board row (a unit's total, for a period): the board's own figures, nothing
    computed again."""
    rows = []
    for definition in DEFINITIONS:
        figure = row.figures[definition.key]
        rows.append(FigureRow(
            key=definition.key.value, part=figure.to_date.part, whole=figure.to_date.whole,
            period_part=figure.in_period.part if figure.in_period else None,
            period_whole=figure.in_period.whole if figure.in_period else None,
            target=figure.target,
        ))
        # Counts beside the indicator, each its own line: a part with no whole.
        rows += [FigureRow(key=b.key, part=b.to_date, period_part=b.in_period) for b in figure.beside]
    rows.append(FigureRow(key=VISITS_KEY, period_part=row.sums.visits))
    # The activities beyond household visits: the report's own section (ReportDocument.activity_rows).
    rows += [FigureRow(key=count.key, period_part=count.of(row.sums)) for count in ACTIVITY_COUNTS]
    return rows


def board_period(period: ReportPeriod) -> coverage.Period:
    return coverage.Period(period.start, period.end)


def live_rows(actor: User, ward: Ward, period: ReportPeriod) -> list[FigureRow]:
    return rows_from(coverage.ward_report(actor, ward, board_period(period)).total)


def period_of(report: PeriodicReport) -> ReportPeriod:
    return ReportPeriod(Kind(report.kind), report.year, report.number, Cutoff(report.cutoff))


def rows_of(actor: User, report: PeriodicReport) -> list[FigureRow]:
    """What the report's table shows: the figures sent, or for a draft the figures now."""
    if report.is_sent and report.snapshot:
        return [FigureRow(**row) for row in report.snapshot["rows"]]
    return live_rows(actor, report.ward, period_of(report))


@dataclass
class Difference:
    row: FigureRow  # as sent
    live: FigureRow  # now


def differences(sent: list[FigureRow], live: list[FigureRow]) -> list[Difference]:
    """The rows whose figure for the period moved since the report was sent (a visit edited, flagged or
    deleted, a household added). Figures to date move every day by design and are not compared."""
    now = {row.key: row for row in live}
    return [Difference(row, now[row.key]) for row in sent
            if row.key in now and (row.period_part, row.period_whole) != (now[row.key].period_part,
                                                                          now[row.key].period_whole)]


# --- The report of a unit ---------------------------------------------------------------------------------

@dataclass
class ReportText:
    """What the coordinator writes: the document's particulars and its narrative."""

    doc_number: str = ""
    place: str = ""
    doc_date: date | None = None
    recipients: str = ""
    signer_title: str = ""
    signer_name: str = ""
    results: str = ""
    shortcomings: str = ""
    next_tasks: str = ""


def coordinators_ward(actor: User) -> Ward:
    require_role(actor, Role.COORDINATOR, what="periodic report")
    return get_in_scope(actor, Ward, actor.ward_code)


def find(actor: User, ward: Ward, period: ReportPeriod) -> PeriodicReport | None:
    return db.session.scalar(scoped(actor, PeriodicReport).where(
        PeriodicReport.ward_code == ward.code, PeriodicReport.kind == period.kind.value,
        PeriodicReport.cutoff == period.cutoff.value, PeriodicReport.year == period.year,
        PeriodicReport.number == period.number))


def suggested_text(ward: Ward, period: ReportPeriod) -> ReportText:
    """A new draft's particulars: the unit's place, today's date, the usual recipients and signer."""
    names = unit_names(ward)
    province = province_names(ward.province)
    with force_locale(DOCUMENT_LOCALE):
        recipients = "\n".join(str(line) for line in (
            _l("%(province)s Department of Science and Technology", province=province.name),
            _l("Standing committee of the Party and People's Council of %(unit)s", unit=names.name),
            _l("Filed: Office"),
        ))
        signer = str(_l("ON BEHALF OF THE PEOPLE'S COMMITTEE\nCHAIRPERSON"))
    return ReportText(doc_number="/BC-UBND", place=names.place, doc_date=local_today(), recipients=recipients,
                      signer_title=signer)


NARRATIVE = ("results", "shortcomings", "next_tasks")


def _write(report: PeriodicReport, text: ReportText) -> None:
    for name in NARRATIVE:
        if looks_like_citizen_id(getattr(text, name)):
            raise ReportError(name, _l("This looks like a citizen-ID (CCCD) number. Phủ Số never stores one: "
                                       "please remove it."))
    for name, value in asdict(text).items():
        if value is None:
            continue
        setattr(report, name, printable(value).strip() if isinstance(value, str) else value)


def create(actor: User, period: ReportPeriod, text: ReportText) -> PeriodicReport:
    """A draft report of the coordinator's unit for the period (one per unit, kind, cut-off and period)."""
    ward = coordinators_ward(actor)
    if find(actor, ward, period) is not None:
        raise ReportError("doc_number", _l("This period's report already exists; open it from the list."))
    report = PeriodicReport(ward_code=ward.code, kind=period.kind.value, cutoff=period.cutoff.value,
                            year=period.year, number=period.number, period_start=period.start,
                            period_end=period.end, status=ReportStatus.DRAFT, created_by_id=actor.id,
                            doc_date=text.doc_date or local_today())
    _write(report, text)
    db.session.add(report)
    db.session.flush()
    audit.record(actor, "report.create", report, period=f"{period.kind}/{period.cutoff}/{period.year}/{period.number}")
    return report


def editable(actor: User, report_id) -> PeriodicReport:
    """The coordinator's own report by id (another unit's is not found)."""
    coordinators_ward(actor)
    return get_in_scope(actor, PeriodicReport, report_id)


def save(actor: User, report: PeriodicReport, text: ReportText) -> None:
    if report.is_sent:
        raise ReportError("results", _l("This report was sent: what was sent cannot be changed."))
    _write(report, text)
    report.updated_at = utcnow()
    audit.record(actor, "report.save", report)


# What must be written before a report goes up, by form field.
REQUIRED_TO_SEND = (
    ("doc_number", _l("Enter the report's number and symbol, e.g. 15/BC-UBND.")),
    ("place", _l("Enter the place written before the date.")),
    ("signer_title", _l("Enter the signer's title.")),
    ("signer_name", _l("Enter the signer's name.")),
    ("results", _l("Write the results of the period before sending.")),
)


def send(actor: User, report: PeriodicReport) -> None:
    """Send the report to the province: its figures and names are frozen as they are now."""
    if report.is_sent:
        raise ReportError("results", _l("This report was already sent."))
    for name, message in REQUIRED_TO_SEND:
        if not (getattr(report, name) or "").strip() or (name == "doc_number" and report.doc_number.startswith("/")):
            raise ReportError(name, message)
    names = unit_names(report.ward)
    rows = live_rows(actor, report.ward, period_of(report))
    report.snapshot = {
        "unit": asdict(names), "province": asdict(province_names(report.ward.province)),
        "as_of": local_today().isoformat(), "rows": [asdict(row) for row in rows],
    }
    report.status = ReportStatus.SENT
    report.sent_at = utcnow()
    report.sent_by_id = actor.id
    audit.record(actor, "report.send", report, rows=len(rows))


def readable(actor: User, report_id) -> PeriodicReport:
    """A report the actor may read: the coordinator's own (draft or sent), or a sent one of the province."""
    require_role(actor, Role.COORDINATOR, *PROVINCE_READERS, what="periodic report")
    return get_in_scope(actor, PeriodicReport, report_id)


def ward_reports(actor: User, ward: Ward, limit: int = 24) -> list[PeriodicReport]:
    return list(db.session.scalars(scoped(actor, PeriodicReport).where(PeriodicReport.ward_code == ward.code)
                                   .order_by(PeriodicReport.period_end.desc(), PeriodicReport.id.desc()).limit(limit)))


@per_actor_shape
def _sent_for_board_query(actor: User) -> Select:
    return (scoped(actor, PeriodicReport)
            .where(PeriodicReport.ward_code == bindparam("ward_code"), PeriodicReport.status == ReportStatus.SENT,
                   PeriodicReport.period_start == bindparam("start"), PeriodicReport.period_end == bindparam("end"))
            .order_by(PeriodicReport.sent_at.desc()).limit(1))


def sent_for_board(actor: User, ward: Ward, start: date, end: date) -> PeriodicReport | None:
    """The sent report whose period is exactly the board's, if any (the board then shows what moved)."""
    return db.session.scalar(_sent_for_board_query(actor),
                             {**actor_parameters(actor), "ward_code": ward.code, "start": start, "end": end})


# --- The document -----------------------------------------------------------------------------------------

@dataclass
class ReportDocument:
    """Everything the DOCX and the print view show, in the document's language."""

    names: UnitNames
    period: ReportPeriod
    doc_number: str
    place: str
    doc_date: date
    subject: str
    period_line: str
    rows: list[FigureRow]
    as_of: date
    results: str
    shortcomings: str
    next_tasks: str
    recipients: list[str]
    signer_title: str
    signer_name: str
    sent: bool = False

    @property
    def indicator_rows(self) -> list[FigureRow]:
        return [row for row in self.rows if row.key not in ACTIVITY_KEYS]

    @property
    def activity_rows(self) -> list[FigureRow]:
        """The section of activities beyond household visits (none in a report sent before they were counted)."""
        return [row for row in self.rows if row.key in ACTIVITY_KEYS]


def period_name(period: ReportPeriod) -> str:
    """"tháng 12 năm 2026", "quý IV năm 2026", "6 tháng đầu năm 2026", "năm 2026" (in the current language)."""
    if period.kind == Kind.MONTH:
        return str(_l("month %(month)s of %(year)s", month=period.number, year=period.year))
    if period.kind == Kind.QUARTER:
        return str(_l("quarter %(quarter)s of %(year)s", quarter=("I", "II", "III", "IV")[period.number - 1],
                      year=period.year))
    if period.kind == Kind.HALF:
        if period.number == 1:
            return str(_l("the first six months of %(year)s", year=period.year))
        return str(_l("the last six months of %(year)s", year=period.year))
    return str(_l("the year %(year)s", year=period.year))


def period_span(period: ReportPeriod) -> str:
    return str(_l("from %(start)s to %(end)s", start=f"{period.start:%d/%m/%Y}", end=f"{period.end:%d/%m/%Y}"))


def document(actor: User, report: PeriodicReport) -> ReportDocument:
    """The report as a document, in Vietnamese: sent, from its snapshot; a draft, from the figures now."""
    period = period_of(report)
    snapshot = report.snapshot if report.is_sent and report.snapshot else None
    names = UnitNames(**snapshot["unit"]) if snapshot else unit_names(report.ward)
    rows = rows_of(actor, report)
    with force_locale(DOCUMENT_LOCALE):
        subject = str(_l("Results of the community digital-technology teams in %(period)s", period=period_name(period)))
        period_line = "(" + period_span(period) + ")"
    recipients = [line.strip().lstrip("-").strip() for line in report.recipients.splitlines() if line.strip()]
    return ReportDocument(
        names=names, period=period, doc_number=report.doc_number, place=report.place, doc_date=report.doc_date,
        subject=subject, period_line=period_line, rows=rows,
        as_of=date.fromisoformat(snapshot["as_of"]) if snapshot else local_today(),
        results=report.results, shortcomings=report.shortcomings, next_tasks=report.next_tasks,
        recipients=recipients, signer_title=report.signer_title, signer_name=report.signer_name,
        sent=report.is_sent,
    )


def record_download(actor: User, report: PeriodicReport, what: str) -> None:
    audit.record(actor, "report.download", report, format=what)


# --- The province -----------------------------------------------------------------------------------------

class Timeliness(enum.StrEnum):
    """Where a unit's report for a period stands against the province's deadline (DHIS2's reporting rates)."""

    ON_TIME = "on_time"
    LATE = "late"  # sent after the deadline
    OVERDUE = "overdue"  # not sent, and the deadline has passed
    WAITING = "waiting"  # not sent, still in time


def due_date(province: Province, period: ReportPeriod) -> date:
    return period.due(province.report_due_days)


def sent_day(report: PeriodicReport) -> date | None:
    return local_today(report.sent_at) if report.sent_at else None


def timeliness(report: PeriodicReport | None, due: date, today: date) -> Timeliness:
    day = sent_day(report) if report is not None and report.is_sent else None
    if day is None:
        return Timeliness.OVERDUE if today > due else Timeliness.WAITING
    return Timeliness.ON_TIME if day <= due else Timeliness.LATE


def days_late(report: PeriodicReport | None, due: date) -> int:
    """Days past the deadline: of a report sent late, or, unsent, as of today."""
    day = sent_day(report) if report is not None else None
    return max(((day or local_today()) - due).days, 0)


@dataclass
class UnitStatus:
    ward: Ward
    names: UnitNames
    report: PeriodicReport | None  # sent reports only: a unit's draft is its own
    timeliness: Timeliness

    @property
    def sent(self) -> bool:
        return self.report is not None

    def days_late(self, due: date) -> int:
        return days_late(self.report, due)


@dataclass
class ProvinceReports:
    period: ReportPeriod
    due_days: int
    due: date
    units: list[UnitStatus]

    @property
    def sent_count(self) -> int:
        return sum(1 for unit in self.units if unit.sent)

    @property
    def on_time_count(self) -> int:
        return sum(1 for unit in self.units if unit.timeliness == Timeliness.ON_TIME)

    @property
    def completeness(self) -> Ratio:
        """Units that sent, out of all units."""
        return Ratio(self.sent_count, len(self.units))

    @property
    def on_time(self) -> Ratio:
        """Units that sent by the deadline, out of all units."""
        return Ratio(self.on_time_count, len(self.units))


def province_reports(actor: User, period: ReportPeriod) -> ProvinceReports:
    """Every unit of the actor's province, with its report for the period if it was sent and where it stands
    against the deadline."""
    require_role(actor, *PROVINCE_READERS, what="province reports")
    province = get_in_scope(actor, Province, actor.province_code)
    due = due_date(province, period)
    today = local_today()
    wards = list(db.session.scalars(scoped(actor, Ward).order_by(*unit_order())))
    sent = {r.ward_code: r for r in db.session.scalars(scoped(actor, PeriodicReport).where(
        PeriodicReport.kind == period.kind.value, PeriodicReport.cutoff == period.cutoff.value,
        PeriodicReport.year == period.year, PeriodicReport.number == period.number,
        PeriodicReport.status == ReportStatus.SENT))}
    units = [UnitStatus(ward, unit_names(ward), sent.get(ward.code), timeliness(sent.get(ward.code), due, today))
             for ward in wards]
    # Units that sent first, latest last; then those still to send, in the units' order.
    rank = {ward.code: n for n, ward in enumerate(wards)}
    units.sort(key=lambda u: (not u.sent, u.report.sent_at if u.report and u.report.sent_at else utcnow(),
                              rank[u.ward.code]))
    return ProvinceReports(period, province.report_due_days, due, units)


def set_due_days(actor: User, days: int) -> Province:
    """The administrator sets how many days after a period's last day its units' reports are due."""
    require_role(actor, Role.ADMIN, what="report.due_days")
    if not 0 <= days <= MAX_REPORT_DUE_DAYS:
        raise ReportError("due_days", _l("Enter a number of days from 0 to %(most)s.", most=MAX_REPORT_DUE_DAYS))
    province = get_in_scope(actor, Province, actor.province_code)
    previous, province.report_due_days = province.report_due_days, days
    audit.record(actor, "report.due_days", None, ward_code=None, value=days, previous=previous)
    return province


@dataclass
class RollupLine:
    names: UnitNames
    sent: bool
    rows: dict[str, FigureRow]


@dataclass
class Rollup:
    province: UnitNames
    period: ReportPeriod
    lines: list[RollupLine]
    total: dict[str, FigureRow] = field(default_factory=dict)
    as_of: date = field(default_factory=local_today)

    @property
    def sent_count(self) -> int:
        return sum(1 for line in self.lines if line.sent)


def _add(total: dict[str, FigureRow], rows: list[FigureRow]) -> None:
    for row in rows:
        into = total.setdefault(row.key, FigureRow(key=row.key))
        for name in ("part", "whole", "period_part", "period_whole"):
            value = getattr(row, name)
            if value is not None:
                setattr(into, name, (getattr(into, name) or 0) + value)


def rollup(actor: User, period: ReportPeriod) -> Rollup:
    """Every unit's figures for the period: as sent where the unit sent its report, else as they stand now
    (the same definitions, one grouped computation for the whole province), and their sum."""
    status = province_reports(actor, period)
    live = {row.ward_code: row for row in coverage.province_rows(actor, board_period(period))[0]}
    lines: list[RollupLine] = []
    total: dict[str, FigureRow] = {}
    for unit in status.units:
        if unit.report is not None and unit.report.snapshot:
            rows = [FigureRow(**row) for row in unit.report.snapshot["rows"]]
        elif unit.ward.code in live:
            rows = rows_from(live[unit.ward.code])
        else:
            rows = []
        lines.append(RollupLine(unit.names, unit.sent, {row.key: row for row in rows}))
        _add(total, rows)
    lines.sort(key=lambda line: line.names.name)
    province = db.session.get(Province, actor.province_code)
    names = province_names(province) if province else UnitNames("", "", "")
    return Rollup(names, period, lines, total)


def record_rollup(actor: User, period: ReportPeriod) -> None:
    audit.record(actor, "report.rollup", None, ward_code=None,
                 period=f"{period.kind}/{period.cutoff}/{period.year}/{period.number}")

