"""A unit's official figures: the province's three administrative-procedure indicators and the police's count of
level-2 accounts, per unit and reporting period; entered by the unit's coordinator or imported by the province.

Periods are named by (kind, year, number) as in models/official.py; `OfficialPeriod` reads and writes them
("11/2026", "Quý 3/2026", "6 tháng đầu năm 2026", "Năm 2026"; the key "2026-11", "2026-Q3", "2026-H1",
"2026") and gives their calendar days, over which the teams' reported level-2 activations are added up.

Every change is written to the audit log with the old and the new values; a file is stored whole or not at all.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select

from app.clock import local_today
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import (
    RATE_INDICATORS,
    OfficialFigure,
    OfficialIndicator,
    PeriodKind,
    Role,
    User,
    Ward,
    WardDayCount,
)
from app.services import audit
from app.services.errors import FieldError
from app.services.prepared import read
from app.services.reports.figures import Ratio
from app.services.reports.targets import ProvinceTargetValue, province_targets
from app.services.scope import (
    WARD_CODES,
    OutOfScope,
    actor_parameters,
    in_given_wards,
    per_actor_shape,
    require_role,
    scoped,
)
from app.services.text import fold

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_COUNT = 999_999_999  # a count that fits every database's integer, far above any unit's dossiers

LABELS = {
    OfficialIndicator.DIGITISED: _l("Dossiers and results digitised"),
    OfficialIndicator.ONLINE_DOSSIERS: _l("Dossiers submitted online"),
    OfficialIndicator.ONLINE_PAYMENT: _l("Fees paid online"),
    OfficialIndicator.LEVEL2_ACCOUNTS: _l("Level-2 accounts (police count)"),
}
NUMERATORS = {
    OfficialIndicator.DIGITISED: _l("Number of dossiers and results digitised"),
    OfficialIndicator.ONLINE_DOSSIERS: _l("Number of dossiers submitted online"),
    OfficialIndicator.ONLINE_PAYMENT: _l("Payments made online"),
    OfficialIndicator.LEVEL2_ACCOUNTS: _l("Level-2 accounts at the end of the period"),
}
DENOMINATORS = {
    OfficialIndicator.DIGITISED: _l("Dossiers handled"),
    OfficialIndicator.ONLINE_DOSSIERS: _l("Dossiers received"),
    OfficialIndicator.ONLINE_PAYMENT: _l("Fee payments"),
}
# Indicator names a file may use (folded): our codes, the Vietnamese names and the short ones officials write.
INDICATOR_NAMES = {
    **{fold(i.value): i for i in OfficialIndicator},
    "so hoa": OfficialIndicator.DIGITISED, "so hoa ho so": OfficialIndicator.DIGITISED,
    "so hoa ho so ket qua": OfficialIndicator.DIGITISED,
    "ty le so hoa ho so ket qua giai quyet tthc": OfficialIndicator.DIGITISED,
    "ty le so hoa ho so": OfficialIndicator.DIGITISED,
    "ho so truc tuyen": OfficialIndicator.ONLINE_DOSSIERS, "ty le ho so truc tuyen": OfficialIndicator.ONLINE_DOSSIERS,
    "nop ho so truc tuyen": OfficialIndicator.ONLINE_DOSSIERS,
    "thanh toan truc tuyen": OfficialIndicator.ONLINE_PAYMENT,
    "ty le thanh toan truc tuyen": OfficialIndicator.ONLINE_PAYMENT,
    "tai khoan muc do 2": OfficialIndicator.LEVEL2_ACCOUNTS, "muc do 2": OfficialIndicator.LEVEL2_ACCOUNTS,
    "tai khoan dinh danh dien tu muc do 2": OfficialIndicator.LEVEL2_ACCOUNTS,
    "tai khoan dinh danh muc do 2": OfficialIndicator.LEVEL2_ACCOUNTS,
}
# The names written in the template and on the preview, one per indicator.
TEMPLATE_NAMES = {
    OfficialIndicator.DIGITISED: "Số hóa hồ sơ",
    OfficialIndicator.ONLINE_DOSSIERS: "Hồ sơ trực tuyến",
    OfficialIndicator.ONLINE_PAYMENT: "Thanh toán trực tuyến",
    OfficialIndicator.LEVEL2_ACCOUNTS: "Tài khoản mức độ 2",
}


class FigureError(FieldError):
    """An official figure was refused."""


# Periods ------------------------------------------------------------------------------------------------------

PER_YEAR = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.HALF: 2, PeriodKind.YEAR: 1}
_KEY_MARK = {PeriodKind.QUARTER: "Q", PeriodKind.HALF: "H"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_PERIOD_FORMS = (
    (PeriodKind.MONTH, re.compile(r"(?P<y>\d{4}) ?- ?(?P<n>\d{1,2})")),
    (PeriodKind.MONTH, re.compile(r"(?:thang )?(?P<n>\d{1,2}) ?[/.-] ?(?P<y>\d{4})")),
    (PeriodKind.MONTH, re.compile(r"thang (?P<n>\d{1,2}) nam (?P<y>\d{4})")),
    (PeriodKind.QUARTER, re.compile(r"(?P<y>\d{4}) ?- ?q ?(?P<n>[1-4])")),
    (PeriodKind.QUARTER, re.compile(r"(?:quy|q) ?(?P<n>[1-4]|iv|i{1,3}) ?(?:[/.-]|nam)? ?(?P<y>\d{4})")),
    (PeriodKind.HALF, re.compile(r"(?P<y>\d{4}) ?- ?h ?(?P<n>[12])")),
    (PeriodKind.HALF, re.compile(r"(?:6 thang|sau thang|nua nam|h) ?(?P<n>[12]|dau|cuoi) ?(?:nam)? ?[/.-]? ?(?P<y>\d{4})")),
    (PeriodKind.YEAR, re.compile(r"(?:nam )?(?P<y>\d{4})")),
)


@dataclass(frozen=True, order=True)
class OfficialPeriod:
    kind: PeriodKind
    year: int
    number: int  # month 1-12, quarter 1-4, half 1-2, 1 for the year

    def __post_init__(self):
        object.__setattr__(self, "kind", PeriodKind(self.kind))
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.number <= PER_YEAR[self.kind]):
            raise ValueError(f"no period {self.kind} {self.number}/{self.year}")

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.year)
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-{_KEY_MARK[self.kind]}{self.number}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return str(_l("Month %(month)s/%(year)s", month=f"{self.number:02d}", year=self.year))
        if self.kind == PeriodKind.QUARTER:
            return str(_l("Quarter %(number)s/%(year)s", number=self.number, year=self.year))
        if self.kind == PeriodKind.HALF:
            return str(_l("First half of %(year)s", year=self.year) if self.number == 1
                       else _l("Second half of %(year)s", year=self.year))
        return str(_l("Year %(year)s", year=self.year))

    @property
    def months(self) -> int:
        return 12 // PER_YEAR[self.kind]

    @property
    def start(self) -> date:
        """The first calendar day."""
        return date(self.year, (self.number - 1) * self.months + 1, 1)

    @property
    def end(self) -> date:
        """The last calendar day, included."""
        last = self.number * self.months
        following = date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)
        return following - timedelta(days=1)

    def previous(self) -> "OfficialPeriod | None":
        if self.number > 1:
            return OfficialPeriod(self.kind, self.year, self.number - 1)
        return None if self.year == FIRST_YEAR else OfficialPeriod(self.kind, self.year - 1, PER_YEAR[self.kind])

    @classmethod
    def parse(cls, text: str | None) -> "OfficialPeriod | None":
        """The period a person wrote, in any of the forms above; None when it names none."""
        words = re.sub(r"[^a-z0-9/.-]+", " ", fold(str(text or ""))[:60]).strip()
        for kind, form in _PERIOD_FORMS:
            match = form.fullmatch(words)
            if match:
                raw = match.group("n") if "n" in form.groupindex else "1"
                number = _ROMAN.get(raw) or {"dau": 1, "cuoi": 2}.get(raw) or int(raw)
                try:
                    return cls(kind, int(match.group("y")), number)
                except ValueError:
                    return None
        return None

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> "OfficialPeriod":
        months = 12 // PER_YEAR[kind]
        return cls(kind, day.year, (day.month - 1) // months + 1)


def period_choices(today: date, also: OfficialPeriod | None = None) -> list[OfficialPeriod]:
    """The periods offered in a list: the last twelve months, four quarters, two halves and two years (the
    current ones included, a period may be entered while it runs), and `also` when it is older."""
    chosen: list[OfficialPeriod] = []
    for kind, count in ((PeriodKind.MONTH, 12), (PeriodKind.QUARTER, 4), (PeriodKind.HALF, 2), (PeriodKind.YEAR, 2)):
        period: OfficialPeriod | None = OfficialPeriod.containing(today, kind)
        for _ in range(count):
            if period is None:
                break
            chosen.append(period)
            period = period.previous()
    if also is not None and also not in chosen:
        chosen.append(also)
    return chosen


def started(period: OfficialPeriod) -> bool:
    return period.start <= local_today()


# Checking values ----------------------------------------------------------------------------------------------

_COUNT = re.compile(r"\d{1,9}|\d{1,3}(?:[., ]\d{3}){1,2}")


def parse_count(text: str | None) -> int | None:
    """A whole number of 0 or more as people write it ("1234", "1.234", "1,234"); None otherwise."""
    cleaned = str(text or "").strip()
    if not _COUNT.fullmatch(cleaned):
        return None
    value = int(re.sub(r"\D", "", cleaned))
    return value if value <= MAX_COUNT else None


def check_values(indicator: OfficialIndicator, numerator: int | None, denominator: int | None,
                 numerator_field: str = "numerator", denominator_field: str = "denominator") -> None:
    """The rules every figure keeps, entered or imported: FigureError naming the field otherwise."""
    if numerator is None:
        raise FigureError(numerator_field, _l("The numerator must be a whole number, 0 or more."))
    if indicator in RATE_INDICATORS and denominator is None:
        raise FigureError(denominator_field, _l("The denominator is missing: a rate needs both numbers."))
    if denominator is not None and numerator > denominator:
        raise FigureError(numerator_field, _l("The numerator (%(numerator)s) is larger than the denominator "
                                              "(%(denominator)s).", numerator=numerator, denominator=denominator))


# Writing ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FigureInput:
    ward_code: int
    period: OfficialPeriod
    indicator: OfficialIndicator
    numerator: int
    denominator: int | None


@dataclass
class Change:
    """What storing one figure does: a new figure, a changed one (with its old values), or none."""

    figure: FigureInput
    old: tuple[int, int | None] | None

    @property
    def new(self) -> tuple[int, int | None]:
        return self.figure.numerator, self.figure.denominator

    @property
    def status(self) -> str:
        return "new" if self.old is None else "same" if self.old == self.new else "changed"


def _stored(actor: User, inputs: list[FigureInput]) -> dict[tuple, OfficialFigure]:
    """The figures already stored under the keys of `inputs`, by (ward, kind, year, number, indicator)."""
    if not inputs:
        return {}
    stmt = scoped(actor, OfficialFigure).where(
        OfficialFigure.ward_code.in_({i.ward_code for i in inputs}),
        OfficialFigure.period_kind.in_({i.period.kind.value for i in inputs}),
        OfficialFigure.period_year.in_({i.period.year for i in inputs}),
        OfficialFigure.indicator.in_({i.indicator.value for i in inputs}))
    return {(f.ward_code, f.period_kind, f.period_year, f.period_number, f.indicator): f
            for f in db.session.scalars(stmt)}


def _key(figure: FigureInput) -> tuple:
    return (figure.ward_code, figure.period.kind.value, figure.period.year, figure.period.number,
            figure.indicator.value)


def changes(actor: User, inputs: list[FigureInput]) -> list[Change]:
    stored = _stored(actor, inputs)
    result = []
    for figure in inputs:
        row = stored.get(_key(figure))
        result.append(Change(figure, None if row is None else (row.numerator, row.denominator)))
    return result


def write_figures(actor: User, inputs: list[FigureInput], source: str) -> list[Change]:
    """Insert or update each figure; audit each one that changes (old and new values). Units must be in scope."""
    stored = _stored(actor, inputs)
    done = []
    for figure in inputs:
        row = stored.get(_key(figure))
        old = None if row is None else (row.numerator, row.denominator)
        change = Change(figure, old)
        done.append(change)
        if change.status == "same":
            continue
        if row is None:
            row = OfficialFigure(ward_code=figure.ward_code, period_kind=figure.period.kind,
                                 period_year=figure.period.year, period_number=figure.period.number,
                                 indicator=figure.indicator)
            db.session.add(row)
        row.numerator, row.denominator = figure.numerator, figure.denominator
        row.source, row.updated_by_id = source, actor.id
        audit.record(actor, "official_figure.set", ward_code=figure.ward_code, period=figure.period.key,
                     indicator=figure.indicator.value, old=list(old) if old else None, new=list(change.new),
                     source=source)
    return done


def save_entry(actor: User, ward: Ward, period: OfficialPeriod,
               values: dict[OfficialIndicator, tuple[int | None, int | None]]) -> list[Change]:
    """The coordinator's figures of its unit for one period, checked all together: one refusal stores nothing.
    An indicator left blank (both numbers missing) is left as it is."""
    require_role(actor, Role.COORDINATOR, what="official_figure.set")
    if ward.code != actor.ward_code:
        raise OutOfScope("ward", ward.code)
    if not started(period):
        raise FigureError("period", _l("The period %(period)s has not started yet.", period=period.label))
    inputs = []
    for indicator, (numerator, denominator) in values.items():
        if numerator is None and denominator is None:
            continue
        check_values(indicator, numerator, denominator, f"{indicator.value}_numerator",
                     f"{indicator.value}_denominator")
        assert numerator is not None  # checked above
        inputs.append(FigureInput(ward.code, period, indicator, numerator, denominator))
    if not inputs:
        raise FigureError("period", _l("Enter at least one figure."))
    return write_figures(actor, inputs, "form")


# Reading ------------------------------------------------------------------------------------------------------

@dataclass
class Value:
    """One rate indicator of one unit for a period, beside the province's target."""

    ward_code: int
    name: str
    ratio: Ratio
    target: ProvinceTargetValue | None
    rank: int | None = None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio.percent is None:
            return None
        return round(self.ratio.percent, 2) >= self.target.value


@dataclass
class Ranking:
    """The units of the province on one indicator: best first (rank 1 is the highest share)."""

    indicator: OfficialIndicator
    target: ProvinceTargetValue | None
    values: list[Value]
    missing: int  # units with no figure for the period

    @property
    def label(self) -> str:
        return str(LABELS[self.indicator])

    @property
    def not_met(self) -> int:
        return sum(1 for v in self.values if v.met is False)

    @property
    def judged(self) -> int:
        """Units with a figure that can be compared with the target."""
        return sum(1 for v in self.values if v.met is not None)


@dataclass
class Level2Check:
    """The police's count of level-2 accounts beside the level-2 activations the teams reported."""

    ward_code: int
    name: str
    count: int | None  # accounts at the end of the period
    previous: int | None  # at the end of the period before
    reported: int  # activations the teams reported over the period's calendar days

    @property
    def increase(self) -> int | None:
        return None if self.count is None or self.previous is None else self.count - self.previous

    @property
    def needs_review(self) -> bool:
        """More activations reported than the police's count grew by: the teams' figures need checking."""
        return self.increase is not None and self.reported > self.increase


@dataclass
class OfficialBoard:
    period: OfficialPeriod
    rankings: list[Ranking]
    level2: list[Level2Check] = field(default_factory=list)
    units: int = 0

    @property
    def choices(self) -> list[OfficialPeriod]:
        """The periods the board's list offers."""
        return period_choices(local_today(), self.period)

    @property
    def any_figure(self) -> bool:
        return any(r.values for r in self.rankings) or any(c.count is not None for c in self.level2)

    @property
    def to_review(self) -> list[Level2Check]:
        return [c for c in self.level2 if c.needs_review]


@per_actor_shape
def _periods_query(actor: User, of_wards: bool) -> Select:
    """The periods with figures in the actor's scope since a year (of the wards given, `of_wards`)."""
    stmt = scoped(actor, OfficialFigure, OfficialFigure.period_kind, OfficialFigure.period_year,
                  OfficialFigure.period_number).where(OfficialFigure.period_year >= bindparam("since_year")).distinct()
    return stmt.where(in_given_wards(OfficialFigure.ward_code)) if of_wards else stmt


def latest_period(actor: User, ward_codes: list[int] | None = None) -> OfficialPeriod | None:
    """The period with figures in scope (of these units) that ended last; of two ending the same day, the shorter."""
    given = {**actor_parameters(actor), "since_year": local_today().year - 2, WARD_CODES: ward_codes}
    periods = []
    for kind, year, number in read(_periods_query(actor, ward_codes is not None), given):
        try:
            periods.append(OfficialPeriod(kind, year, number))
        except ValueError:
            continue
    periods = [p for p in periods if started(p)]
    if not periods:
        return None
    return max(periods, key=lambda p: (p.end, -p.months))


@cache
def _reported_level2_query() -> Select:
    return (select(WardDayCount.ward_code, func.sum(WardDayCount.level2_activated))
            .where(in_given_wards(WardDayCount.ward_code), WardDayCount.day.between(bindparam("start"), bindparam("end")))
            .group_by(WardDayCount.ward_code))


def _reported_level2(ward_codes: list[int], period: OfficialPeriod) -> dict[int, int]:
    """Level-2 activations the teams reported in the period's calendar days, per unit (those the police counted):
    one grouped query over the units' days (`ward_day_count`: what the daily counters add up to per unit)."""
    given = {WARD_CODES: ward_codes, "start": period.start, "end": period.end}
    return {code: int(total or 0) for code, total in read(_reported_level2_query(), given)}


@per_actor_shape
def _board_query(actor: User) -> Select:
    """The figures of the wards given for a period, and the level-2 counts of the period before."""
    figure = OfficialFigure
    return scoped(actor, figure, figure.ward_code, figure.period_year, figure.period_number,
                  figure.indicator, figure.numerator, figure.denominator).where(
        in_given_wards(figure.ward_code), figure.period_kind == bindparam("kind"),
        (figure.period_year == bindparam("year")) & (figure.period_number == bindparam("number"))
        | ((figure.period_year == bindparam("previous_year")) & (figure.period_number == bindparam("previous_number"))
           & (figure.indicator == OfficialIndicator.LEVEL2_ACCOUNTS.value)))


def board(actor: User, units: list[tuple[int, str]], period: OfficialPeriod) -> OfficialBoard:
    """The official figures of these units (code, name; in the actor's scope) for the period, ranked per
    indicator against the province's targets, with the level-2 check. One query reads the period's figures
    and the level-2 counts of the period before; the targets are one more, and the teams' reported
    activations one grouped query, only when the police gave a count."""
    codes = [code for code, _name in units]
    names = dict(units)
    previous = period.previous()
    given = {**actor_parameters(actor), WARD_CODES: codes, "kind": period.kind.value, "year": period.year,
             "number": period.number, "previous_year": previous.year if previous else 0,
             "previous_number": previous.number if previous else 0}
    rows = read(_board_query(actor), given)
    current: dict[str, dict[int, tuple[int, int | None]]] = {i.value: {} for i in OfficialIndicator}
    before: dict[int, int] = {}
    for code, year, number, indicator, numerator, denominator in rows:
        if (year, number) == (period.year, period.number):
            current[indicator][code] = (numerator, denominator)
        else:
            before[code] = numerator
    targets = province_targets(actor, period.end)
    rankings = []
    for indicator in RATE_INDICATORS:
        target = targets.get(indicator.value)
        values = [Value(code, names[code], Ratio(n, d or 0), target) for code, (n, d) in current[indicator].items()]
        values.sort(key=lambda v: (v.ratio.percent is None, -(v.ratio.percent or 0), v.name))
        _rank(values)
        rankings.append(Ranking(indicator, target, values, missing=len(codes) - len(values)))
    counts = current[OfficialIndicator.LEVEL2_ACCOUNTS.value]
    level2 = []
    if counts:
        reported = _reported_level2([code for code in codes if code in counts], period)
        level2 = [Level2Check(code, names[code], counts[code][0], before.get(code), reported.get(code, 0))
                  for code in codes if code in counts]
        level2.sort(key=lambda c: (not c.needs_review, c.name))
    return OfficialBoard(period, rankings, level2, units=len(codes))


def _rank(values: list[Value]) -> None:
    """Competition ranking on the share to two decimals (93,48% twice: both 1st, the next one 3rd)."""
    last, rank = None, 0
    for position, value in enumerate(values, start=1):
        if value.ratio.percent is None:
            continue
        shown = round(value.ratio.percent, 2)
        if shown != last:
            rank, last = position, shown
        value.rank = rank


def unit_values(actor: User, ward: Ward, period: OfficialPeriod) -> dict[OfficialIndicator, tuple[int, int | None]]:
    """The unit's stored figures for the period (what the entry form starts from)."""
    stmt = scoped(actor, OfficialFigure).where(
        OfficialFigure.ward_code == ward.code, OfficialFigure.period_kind == period.kind.value,
        OfficialFigure.period_year == period.year, OfficialFigure.period_number == period.number)
    return {OfficialIndicator(f.indicator): (f.numerator, f.denominator) for f in db.session.scalars(stmt)}


def chosen_period(actor: User, text: str | None, ward_codes: list[int] | None = None) -> OfficialPeriod:
    """The period named in the query string; else the latest with figures of these units; else last month."""
    period = OfficialPeriod.parse(text) if text else None
    if period is not None:
        return period
    last_month = local_today().replace(day=1) - timedelta(days=1)
    return latest_period(actor, ward_codes) or OfficialPeriod.containing(last_month, PeriodKind.MONTH)
