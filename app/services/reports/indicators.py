"""The indicators of PRODUCT.md, defined once: what each counts, over what, for which period, and which way
is better. The ward and province boards and the exported report all read them from here.

Each indicator turns the `Sums` of a group (an area, a team, a ward) into two ratios: to date (the state
now) and for the chosen period (what the period added). Targets apply to the figure to date; an indicator has
one only where the unit or the province set it (services/reports/targets.py), never a built-in default.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields

from app.extensions import lazy_gettext as _l
from app.models import Indicator
from app.services.reports.figures import Ratio

# A figure within this many percentage points of its target is "near"; further off is "far".
NEAR_POINTS = 10
# What each band of `Definition.band` says, beside the figure or in a report's column.
BAND_LABELS = {"band-ok": _l("At or past the target"), "band-near": _l("Within 10 points of the target"),
               "band-far": _l("Far from the target"), "band-none": _l("No figure"),
               "band-untargeted": _l("No target set")}


@dataclass
class Sums:
    """The raw numbers of one group, added up from household state, follow-ups and the daily counters."""

    households: int = 0  # active households on the list
    base: int = 0  # households on the list, or the official count of each area where that is larger
    reached: int = 0
    reached_in_period: int = 0
    eligible: int = 0  # people aged 14 and over
    level2: int = 0  # of them, with level 2
    children: int = 0  # aged 6 to 13
    children_level2: int = 0
    online_households: int = 0
    people_online: int = 0  # people (not households) tutored in an online public service
    cashless_households: int = 0
    areas: int = 0  # areas in use
    areas_covered: int = 0  # of them, covered by at least one active team
    teams: int = 0  # active teams: active, with at least one active member
    stale: int = 0
    open_followups: int = 0
    overdue_followups: int = 0
    members: int = 0
    visits: int = 0
    visits_met: int = 0
    level2_activated: int = 0
    level2_children: int = 0  # level-2 activations of children 6-13 in the period
    online_people: int = 0  # people tutored online in the period
    online_tutored: int = 0
    cashless_setup: int = 0
    followups_opened: int = 0
    followups_closed: int = 0
    visits_week: int = 0
    # Activities beyond household visits in the period (services/activities.py): their own figures, never in
    # the household ratios above.
    help_desks: int = 0
    area_sweeps: int = 0
    classes: int = 0
    other_activities: int = 0
    activity_people_online: int = 0
    activity_level2: int = 0
    activity_trained: int = 0
    weeks: float = 1.0  # length of the period in weeks
    # Members with a visit this week / in the period: their ids where the counters are read member by member
    # (areas, teams, a ward); or, where SQL already counted the distinct members of each ward (the province
    # board), their number. A group uses one or the other, never both.
    active_week: set[int] = field(default_factory=set)
    active_period: set[int] = field(default_factory=set)
    active_week_count: int = 0
    active_period_count: int = 0

    @property
    def activities(self) -> int:
        return self.help_desks + self.area_sweeps + self.classes + self.other_activities

    # Totals of the visits' and the activities' figures: each help is recorded once, on one or the other.
    @property
    def people_online_total(self) -> int:
        return self.online_people + self.activity_people_online

    @property
    def level2_visits(self) -> int:
        """Level-2 activations at visits in the period, of all ages (an activity's are not split by age)."""
        return self.level2_activated + self.level2_children

    @property
    def level2_total(self) -> int:
        return self.level2_visits + self.activity_level2

    @property
    def members_active_week(self) -> int:
        return len(self.active_week) + self.active_week_count

    @property
    def members_active_period(self) -> int:
        return len(self.active_period) + self.active_period_count

    def add_figures(self, figures: dict[str, int], member: int | None = None) -> None:
        """Add the few figures one source read, by name (a ward's board adds some three hundred such parts:
        all of a group's fields each time cost more than its queries). `member`: whose daily counters they
        are, then active in the period, or this week, where it had visits then."""
        mine = self.__dict__
        for name, value in figures.items():
            mine[name] += value
        if member is not None:
            if figures.get("visits"):
                self.active_period.add(member)
            if figures.get("visits_week"):
                self.active_week.add(member)

    def add(self, other: "Sums") -> None:
        """Add another group's numbers to this one (not `weeks`). A province board adds thousands of groups:
        the integer fields are summed through the instances' dicts, with the names found once."""
        mine, theirs = self.__dict__, other.__dict__
        for name in _SUMMED:
            mine[name] += theirs[name]
        if other.active_week:
            self.active_week.update(other.active_week)
        if other.active_period:
            self.active_period.update(other.active_period)


_SUMMED = tuple(f.name for f in fields(Sums) if f.type in (int, "int"))


@dataclass(frozen=True)
class Beside:
    """A count shown beside an indicator's ratio, never mixed into it (children 6-13 with level 2 beside the
    people aged 14+): to date, and what the period added where it has a figure for that."""

    key: str
    label: str
    to_date: Callable[[Sums], int]
    in_period: Callable[[Sums], int] | None = None


@dataclass(frozen=True)
class Definition:
    key: Indicator
    label: str
    explanation: str
    numerator: str
    denominator: str
    period_numerator: str | None
    to_date: Callable[[Sums], Ratio]
    in_period: Callable[[Sums], Ratio] | None = None
    lower_is_better: bool = False
    beside: tuple[Beside, ...] = ()

    def band(self, ratio: Ratio, target: float | None) -> str:
        """A CSS class: at or past the target, within NEAR_POINTS of it, far from it; or no figure, or no target."""
        value = ratio.percent
        if value is None:
            return "band-none"
        if target is None:
            return "band-untargeted"
        gap = (value - target) if self.lower_is_better else (target - value)
        if gap <= 0:
            return "band-ok"
        return "band-near" if gap <= NEAR_POINTS else "band-far"

    def worst_first_key(self, ratio: Ratio) -> tuple[bool, float]:
        """Sort key putting the groups furthest from the goal first, and those with no figure last."""
        value = ratio.percent
        if value is None:
            return (True, 0.0)
        return (False, -value if self.lower_is_better else value)


def _rate(visits: int, members: int, weeks: float) -> float | None:
    return visits / members / weeks if members and weeks else None


def visits_per_member_week(sums: Sums) -> float | None:
    """Activity this week: visits per member active this week."""
    return _rate(sums.visits_week, sums.members_active_week, 1)


def visits_per_member_period(sums: Sums) -> float | None:
    """Activity in the period: visits per member active in the period, per week of the period."""
    return _rate(sums.visits, sums.members_active_period, sums.weeks)


STALE_DAYS = 90

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        key=Indicator.REACH, label=_l("Households reached"),
        explanation=_l("Households where a team met someone at least once, out of the households of the area: "
                       "the registered list, or the official count where that is larger."),
        numerator=_l("Households met at least once"), denominator=_l("Households (list or official count)"),
        period_numerator=_l("Households first met in the period"),
        to_date=lambda s: Ratio(s.reached, s.base), in_period=lambda s: Ratio(s.reached_in_period, s.base),
    ),
    Definition(
        key=Indicator.LEVEL2, label=_l("VNeID level-2 coverage"),
        explanation=_l("People with VNeID level 2 activated, out of the people aged 14 and over who can have it."),
        numerator=_l("People with level 2"), denominator=_l("People aged 14 and over"),
        period_numerator=_l("Level-2 activations in the period"),
        to_date=lambda s: Ratio(s.level2, s.eligible), in_period=lambda s: Ratio(s.level2_activated, s.eligible),
        # Nghị định 69/2024: children 6-13 may have level 2 too; the figure provinces report is of people 14+.
        beside=(Beside("children_level2", _l("Children aged 6 to 13 with level 2"), lambda s: s.children_level2,
                       lambda s: s.level2_children),),
    ),
    Definition(
        key=Indicator.ONLINE, label=_l("Online-service coverage"),
        explanation=_l("Households where someone was shown at least one online public service, out of the "
                       "households of the area."),
        numerator=_l("Households tutored in an online service"), denominator=_l("Households (list or official count)"),
        period_numerator=_l("Visits with online-service tutoring in the period"),
        to_date=lambda s: Ratio(s.online_households, s.base), in_period=lambda s: Ratio(s.online_tutored, s.base),
        beside=(Beside("people_online", _l("People helped with online services"), lambda s: s.people_online,
                       lambda s: s.online_people),),
    ),
    Definition(
        key=Indicator.CASHLESS, label=_l("Cashless payment"),
        explanation=_l("Households where someone was helped to set up cashless payment, out of the households "
                       "of the area."),
        numerator=_l("Households with cashless payment set up"),
        denominator=_l("Households (list or official count)"),
        period_numerator=_l("Cashless payment set-ups in the period"),
        to_date=lambda s: Ratio(s.cashless_households, s.base),
        in_period=lambda s: Ratio(s.cashless_setup, s.base),
    ),
    Definition(
        key=Indicator.FOLLOWUP, label=_l("Overdue follow-ups"),
        explanation=_l("Follow-ups past their date, out of the follow-ups still open. Lower is better."),
        numerator=_l("Open follow-ups past their date"), denominator=_l("Open follow-ups"),
        period_numerator=_l("Follow-ups asked for in the period and still open"),
        to_date=lambda s: Ratio(s.overdue_followups, s.open_followups),
        in_period=lambda s: Ratio(s.followups_opened - s.followups_closed, s.followups_opened),
        lower_is_better=True,
    ),
    Definition(
        key=Indicator.ACTIVITY, label=_l("Members active"),
        explanation=_l("Members who logged at least one visit this week, out of the team members; with the "
                       "visits per active member per week."),
        numerator=_l("Members with a visit this week"), denominator=_l("Team members"),
        period_numerator=_l("Members with a visit in the period"),
        to_date=lambda s: Ratio(s.members_active_week, s.members),
        in_period=lambda s: Ratio(s.members_active_period, s.members),
    ),
    Definition(
        key=Indicator.STALENESS, label=_l("Households not visited for 90 days"),
        explanation=_l("Households on the list with no visit in the last 90 days, or never visited. "
                       "Lower is better."),
        numerator=_l("Households without a visit for 90 days"), denominator=_l("Households on the list"),
        period_numerator=None,
        to_date=lambda s: Ratio(s.stale, s.households), lower_is_better=True,
    ),
    Definition(
        key=Indicator.AREAS_COVERED, label=_l("Residential areas with an active team"),
        explanation=_l("Residential areas covered by at least one active team (a team with at least one active "
                       "member), out of all the residential areas in use: at least one team per area."),
        numerator=_l("Residential areas with at least one active team"), denominator=_l("Residential areas"),
        period_numerator=None,
        to_date=lambda s: Ratio(s.areas_covered, s.areas),
        beside=(Beside("teams", _l("Active teams"), lambda s: s.teams),
                Beside("members", _l("Team members"), lambda s: s.members)),
    ),
)

BY_KEY = {d.key: d for d in DEFINITIONS}


@dataclass(frozen=True)
class PeriodCount:
    """A count of the period shown as its own line (boards, the report's figures table), with no ratio."""

    key: str
    label: str
    of: Callable[[Sums], int]


# What the activities beyond household visits added in the period, and the totals of people helped with them.
# Never twice: an activity's people are recorded on the activity alone and never enter a household's state, so
# a total is the visits' figure plus the activities' (services/activities.py states the rule).
ACTIVITY_COUNTS: tuple[PeriodCount, ...] = (
    PeriodCount("activities", _l("Activities beyond household visits"), lambda s: s.activities),
    PeriodCount("help_desks", _l("of which: help desks at the one-stop shop"), lambda s: s.help_desks),
    PeriodCount("area_sweeps", _l("of which: area sweeps"), lambda s: s.area_sweeps),
    PeriodCount("classes", _l("of which: “Bình dân học vụ số” classes"), lambda s: s.classes),
    PeriodCount("other_activities", _l("of which: other activities"), lambda s: s.other_activities),
    PeriodCount("activity_people_online", _l("People helped with online services at activities"),
                lambda s: s.activity_people_online),
    PeriodCount("activity_level2", _l("Level-2 activations at activities"), lambda s: s.activity_level2),
    PeriodCount("activity_trained", _l("People trained at activities"), lambda s: s.activity_trained),
    PeriodCount("people_online_total", _l("People helped with online services: visits and activities"),
                lambda s: s.people_online_total),
    PeriodCount("level2_total", _l("Level-2 activations: visits (all ages) and activities"),
                lambda s: s.level2_total),
)
ACTIVITY_KEYS = frozenset(count.key for count in ACTIVITY_COUNTS)
ACTIVITY_RULE = _l("People helped at an activity are counted in the activity only, never in a household's figures; "
                   "a total adds the visits' and the activities' figures, so no help is counted twice.")
