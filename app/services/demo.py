"""A believable, invented dataset: areas, teams of about three, households and months of visits.

Rows go in with bulk inserts in batches, so the same generator feeds benchmarks with hundreds of
thousands of households. Every name and address is made up from common parts; none is a real person.
"""

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import psycopg
from sqlalchemy import func, insert, select

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import (
    SENSITIVE_TAGS,
    ActivityKind,
    Area,
    DailyCount,
    Household,
    Indicator,
    OfficialFigure,
    OfficialIndicator,
    Outcome,
    PeriodKind,
    PlanItem,
    Province,
    ProvinceTarget,
    Role,
    Target,
    Team,
    User,
    Visit,
    Ward,
    member_areas,
)
from app.services import activities, plans, ranking, rollups
from app.services.accounts import hash_password
from app.services.rollups import HouseholdState, apply_visit
from app.services.text import fold
from app.units import AreaWord

DEMO_PASSWORD = "phuso-demo-2026"
# Preferred first: a commune, as most units are (Xã Thới Lai; its areas are ấp), then the Ninh Kiều and Cái Răng
# wards named in DOMAIN.md (khu vực). `make run` seeds the first two, so the demo shows both kinds of unit.
PREFERRED_WARDS = (31258, 31135, 31186, 31201)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ",
          "Ngô", "Hồ", "Dương", "Lý", "Châu", "Lâm", "Thái", "Tạ"]
MIDDLE = ["Văn", "Thị", "Minh", "Hoàng", "Ngọc", "Thanh", "Hữu", "Kim", "Quốc", "Thu", "Đức", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương",
         "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Nhân", "Phúc", "Phương", "Quân", "Sơn",
         "Tâm", "Thảo", "Thắng", "Trâm", "Trung", "Tuấn", "Uyên", "Vân", "Việt", "Yến", "Đạt", "Ánh"]
STREETS = ["Đường 3 Tháng 2", "Đường 30 Tháng 4", "Đường Trần Hưng Đạo", "Đường Nguyễn Văn Cừ",
           "Đường Mậu Thân", "Đường Lý Tự Trọng", "Đường Trần Văn Khéo", "Đường Võ Văn Kiệt",
           "Đường Hùng Vương", "Đường Nguyễn Trãi", "Đường Lê Bình", "Đường Quang Trung",
           "Đường Cách Mạng Tháng 8", "Đường Trần Phú", "Đường Phạm Ngũ Lão"]
HAMLETS = ["Thới Hòa", "Phú Lợi", "Mỹ Khánh", "Tân Thạnh", "Long Hòa", "Bình Yên", "Thạnh Mỹ", "An Hòa",
           "Phước Lộc", "Tân Lợi", "Hòa Bình", "Mỹ Hưng"]
OUTCOME_WEIGHTS = [(Outcome.MET, 70), (Outcome.NOBODY_HOME, 20), (Outcome.DECLINED, 7), (Outcome.MOVED_AWAY, 3)]
SERVICE_CODES = ["residence", "passport", "civil_status", "fees_taxes", "health_insurance"]
BATCH = 5000

DEMO_ACCOUNTS = [
    ("admin", "Quản trị Cần Thơ", Role.ADMIN),
    ("so", "Võ Thị Sở Tổng Hợp", Role.PROVINCE),
    ("dieuphoi", "Trần Thị Điều Phối", Role.COORDINATOR),
    ("doan", "Lê Văn Đoàn", Role.YOUTH_LEADER),
    ("totruong", "Nguyễn Minh Tổ Trưởng", Role.TEAM_LEADER),
    ("tinhnguyen", "Phạm Ngọc Tình Nguyện", Role.VOLUNTEER),
]


@dataclass
class SeedSize:
    wards: int = 2
    areas_per_ward: int = 6
    households_per_area: int = 60
    months: int = 3
    # Each round draws 0–4 visits per household (1.6 on average); benchmarks raise it for busier wards.
    visit_rounds: int = 1
    seed: int = 2026


# What a demo may ask for: the sizes of real wards, with room for the benchmarks' busy ones.
LIMITS = {"wards": (1, 200), "areas_per_ward": (1, 500), "households_per_area": (0, 5000), "months": (1, 24),
          "visit_rounds": (1, 20)}


class SeedRefused(ValueError):
    """The seed cannot run as asked; the message says why, in one line."""


@dataclass
class SeedResult:
    wards_seeded: list[str]
    wards_skipped: list[str]
    households: int
    visits: int


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _address(rng: random.Random, hamlet: str | None) -> str:
    number = rng.randint(1, 400)
    if hamlet:
        return f"Số {number}, {hamlet}"
    street = rng.choice(STREETS)
    if rng.random() < 0.45:
        return f"{number}/{rng.randint(1, 60)} Hẻm {rng.randint(1, 250)}, {street}"
    return f"Số {number} {street}"


def _client_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _pick_wards(province_code: int, count: int) -> list[Ward]:
    wards = list(db.session.scalars(select(Ward).where(Ward.province_code == province_code).order_by(Ward.code)))
    wards.sort(key=lambda w: (w.code not in PREFERRED_WARDS, PREFERRED_WARDS.index(w.code)
                              if w.code in PREFERRED_WARDS else 0, w.code))
    return wards[:count]


def _flush_rows(table, rows: list[dict]) -> None:
    """Insert the rows (all with the same keys) and empty the list: by COPY on PostgreSQL, cheaper than a
    multi-row INSERT for the millions of rows of a province-size benchmark."""
    if not rows:
        return
    driver = db.session.connection().connection.driver_connection
    if isinstance(driver, psycopg.Connection):
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    else:
        db.session.execute(insert(table), rows)
    rows.clear()


def seed(province_code: int, size: SeedSize, campaign_units: bool = True) -> SeedResult:
    """Seed the first `size.wards` wards that have no areas yet; wards already seeded are skipped.

    Each ward draws from its own generator, seeded by the seed and the ward's code, so a later run that
    adds wards makes data (and client ids) of its own instead of repeating the first ward's.
    """
    for name, (low, high) in LIMITS.items():
        if not low <= getattr(size, name) <= high:
            raise SeedRefused(f"{name.replace('_', ' ')} must be between {low} and {high}.")
    if db.session.get(Province, province_code) is None:
        raise SeedRefused(f"Province {province_code} is not loaded; run `flask geo load --province {province_code}`.")
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow().replace(microsecond=0)
    result = SeedResult([], [], 0, 0)
    wards = _pick_wards(province_code, size.wards)
    for ward in wards:
        if db.session.scalar(select(func.count()).select_from(Area).where(Area.ward_code == ward.code)):
            result.wards_skipped.append(ward.name)
            continue
        rng = random.Random(f"{size.seed}:{ward.code}")
        households, visits = _seed_ward(rng, ward, size, password_hash, now)
        result.wards_seeded.append(ward.name)
        result.households += households
        result.visits += visits
    _demo_accounts(province_code, wards[0] if wards else None, password_hash)
    sync_id_sequences()
    # Households and visits went in by bulk insert, past the services that count them: count them once,
    # set-based (their state was worked out while generating).
    rollups.rebuild_counts(campaign_units)
    official_figures(province_code, [w for w in wards if w.name in result.wards_seeded])
    if wards and wards[0].name in result.wards_seeded:
        unit_targets(wards[0])
        unit_campaign(wards[0])
        unit_activities(wards[0])
        unit_plans(wards[0])
    return result


def unit_campaign(ward: Ward) -> None:
    """The first unit's campaign, run by the demo youth-union leader from the first of last month to two weeks
    from now, with its public link: the leaderboard has teams to rank and the public board is there to see."""
    leader = db.session.scalar(select(User).where(User.role == Role.YOUTH_LEADER, User.ward_code == ward.code))
    if leader is None:
        return
    today = local_today()
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    campaign = ranking.create(leader, ranking.CampaignInput(
        name="Tháng cao điểm chuyển đổi số", start_date=start, end_date=today + timedelta(days=14),
        ward_code=ward.code))
    db.session.flush()
    ranking.share(leader, campaign)


def unit_activities(ward: Ward) -> None:
    """The first unit's activities beyond household visits in the last three weeks, each recorded by its team's
    leader through the service (as from the phone): a help desk, an area sweep and a class per team."""
    rng = random.Random(f"activities:{ward.code}")  # its own generator: the rest of the seed stays as it was
    leaders = db.session.scalars(select(User).where(User.role == Role.TEAM_LEADER, User.ward_code == ward.code)
                                 .order_by(User.id))
    today = local_today()
    for leader in leaders:
        team = db.session.get_one(Team, leader.team_id)
        for days_ago, kind in ((2, ActivityKind.HELP_DESK), (9, ActivityKind.AREA_SWEEP), (16, ActivityKind.CLASS)):
            helped = 0 if kind == ActivityKind.CLASS else rng.randint(5, 25)
            activities.record(leader, activities.ActivityInput(
                client_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), kind=kind,
                held_on=today - timedelta(days=days_ago),
                area_id=team.areas[0].id if kind != ActivityKind.HELP_DESK else None,
                place="Bộ phận một cửa UBND" if kind == ActivityKind.HELP_DESK else None,
                people_online=helped, services={"residence": helped // 2} if helped else {},
                level2_activated=rng.randint(0, helped // 3) if helped else 0,
                people_trained=rng.randint(10, 30) if kind == ActivityKind.CLASS else 0))


def unit_plans(ward: Ward) -> None:
    """The first unit's plans for this week: each team's leader plans a sweep today (its first volunteer assigned),
    a help desk in two days and a class in four, through the service; and the help desk two days ago, planned
    then (stored as it was: the service plans no past day), which its recorded help desk answers."""
    leaders = db.session.scalars(select(User).where(User.role == Role.TEAM_LEADER, User.ward_code == ward.code)
                                 .order_by(User.id))
    today = local_today()
    planned: set[int] = set()
    for leader in leaders:
        team = db.session.get_one(Team, leader.team_id)
        if team.id in planned:  # a team with two leaders has one plan
            continue
        planned.add(team.id)
        volunteer = next((u for u in team.members if u.role == Role.VOLUNTEER and u.active), None)
        db.session.add(PlanItem(ward_code=ward.code, team_id=team.id, planned_on=today - timedelta(days=2),
                                kind=ActivityKind.HELP_DESK, place="Bộ phận một cửa UBND", created_by_id=leader.id))
        for days_ahead, kind in ((0, ActivityKind.AREA_SWEEP), (2, ActivityKind.HELP_DESK), (4, ActivityKind.CLASS)):
            plans.add(leader, plans.PlanInput(
                planned_on=today + timedelta(days=days_ahead), kind=kind,
                area_id=team.areas[0].id if kind == ActivityKind.AREA_SWEEP else None,
                place="Nhà văn hóa" if kind == ActivityKind.CLASS else None,
                member_ids=(volunteer.id,) if volunteer and kind == ActivityKind.AREA_SWEEP else ()))


# The first unit's own targets for this year, as its coordinator would set them; the other units have none, and
# their boards show none (nothing is invented).
UNIT_TARGETS = {Indicator.REACH: 80, Indicator.LEVEL2: 80, Indicator.ONLINE: 50}


def unit_targets(ward: Ward) -> None:
    year = local_today().year
    db.session.add_all(Target(ward_code=ward.code, indicator=indicator, period_start=date(year, 1, 1),
                              period_end=date(year, 12, 31), value=value)
                       for indicator, value in UNIT_TARGETS.items())


def _seed_ward(rng, ward: Ward, size: SeedSize, password_hash: str, now: datetime):
    word = AreaWord(ward.area_word)
    is_commune = word in (AreaWord.AP, AreaWord.THON)  # named hamlets and villages; numbered areas in wards
    prefix = {AreaWord.AP: "Ấp", AreaWord.THON: "Thôn", AreaWord.KHU_VUC: "Khu vực", AreaWord.KHU_PHO: "Khu phố",
              AreaWord.TO_DAN_PHO: "Tổ dân phố"}[word]
    household_rows: list[dict] = []
    visit_rows: list[dict] = []
    visit_count = household_count = 0
    for a in range(1, size.areas_per_ward + 1):
        hamlet = HAMLETS[(a - 1) % len(HAMLETS)] if is_commune else None
        name = f"{prefix} {hamlet}" if hamlet else f"{prefix} {a}"
        if hamlet and a > len(HAMLETS):
            name = f"{name} {a // len(HAMLETS) + 1}"
        area = Area(ward_code=ward.code, name=name,
                    official_households=size.households_per_area + rng.randint(0, size.households_per_area // 5))
        team = Team(ward_code=ward.code, name=f"Tổ CNSCĐ {name}", areas=[area])
        db.session.add_all([area, team])
        db.session.flush()
        members = []
        for m in range(3):
            role = Role.TEAM_LEADER if m == 0 else Role.VOLUNTEER
            user = User(username=f"w{ward.code}a{a}m{m}", display_name=_person(rng), role=role,
                        password_hash=password_hash, province_code=ward.province_code,
                        ward_code=ward.code, team_id=team.id)
            db.session.add(user)
            members.append(user)
        db.session.flush()
        db.session.execute(insert(member_areas), [{"user_id": u.id, "area_id": area.id} for u in members])
        first_id = (db.session.scalar(select(func.max(Household.id))) or 0) + 1
        for h in range(size.households_per_area):
            people = rng.choices([1, 2, 3, 4, 5, 6], weights=[8, 18, 24, 26, 15, 9])[0]
            eligible = max(1, people - rng.choice([0, 0, 1, 1, 2])) if people > 1 else 1
            address = _address(rng, f"{prefix} {hamlet}" if hamlet else None)
            display_name = _person(rng) if rng.random() < 0.8 else None
            # Children 6-13 and their level 2 from the household's own generator, so the rest of the seed stays
            # as it was: about one household in three has a child of that age.
            kin = random.Random(first_id + h)
            children = kin.choice([0, 0, 1, 1, 2]) if people - eligible else 0
            children = min(children, people - eligible)
            state = HouseholdState(people=people, eligible_people=eligible, children=children)
            created = now - timedelta(days=size.months * 30 + rng.randint(0, 30))
            household_id = first_id + h
            visits = sum(rng.choices([0, 1, 2, 3, 4], weights=[15, 40, 25, 12, 8])[0] for _ in range(size.visit_rounds))
            for _ in range(visits):
                visit = _visit_row(rng, kin, household_id, area, team, members, state, now, size.months)
                visit_rows.append(visit)
            tags = "elderly_alone" if rng.random() < 0.06 else ("poor" if rng.random() < 0.05 else "")
            household_rows.append({
                "id": household_id, "ward_code": ward.code, "area_id": area.id, "address": address,
                "display_name": display_name, "address_key": fold(address),
                "search_key": fold(f"{address} {display_name or ''}"),
                "people": people, "eligible_people": eligible, "children": children,
                "children_level2": state.children_level2,
                # A sensitive tag only with the household's consent, given when it was listed.
                "priority_tags": tags, "tags_consent_at": created if tags in SENSITIVE_TAGS else None,
                "status": "active", "people_level2": state.people_level2, "people_online": state.people_online,
                "cashless": state.cashless, "reached_at": state.reached_at, "last_visit_at": state.last_visit_at,
                "created_by_id": members[0].id, "created_at": created, "updated_at": created,
            })
            if len(household_rows) >= BATCH:
                household_count += len(household_rows)
                _flush_rows(Household.__table__, household_rows)
        household_count += len(household_rows)
        _flush_rows(Household.__table__, household_rows)
        visit_count += len(visit_rows)
        _flush_rows(Visit.__table__, visit_rows)
    return household_count, visit_count


def _visit_row(rng, kin, household_id: int, area: Area, team: Team, members: list[User],
               state: HouseholdState, now: datetime, months: int) -> dict:
    """One visit drawn from `rng`; its children's level 2 from the household's own `kin`."""
    outcome = rng.choices([o for o, _ in OUTCOME_WEIGHTS], weights=[w for _, w in OUTCOME_WEIGHTS])[0]
    visited_at = now - timedelta(days=rng.randint(0, months * 30), hours=rng.randint(0, 10))
    visited_at = visited_at.replace(hour=rng.randint(7, 19), minute=rng.choice([0, 15, 30, 45]), second=0)
    met = outcome == Outcome.MET
    remaining = state.eligible_people - state.people_level2
    level2 = rng.randint(0, remaining) if met and remaining else 0
    children_remaining = state.children - state.children_level2
    level2_children = kin.randint(0, children_remaining) if met and children_remaining else 0
    services = rng.sample(SERVICE_CODES, k=rng.choice([0, 0, 1, 1, 2])) if met else []
    online_people = min(state.people, rng.randint(1, 2)) if services else 0
    cashless = met and rng.random() < 0.25
    followup = met and rng.random() < 0.12
    apply_visit(state, visited_at=visited_at, met=met, level2_activated=level2, level2_children=level2_children,
                online_people=online_people, cashless_setup=cashless)
    client_id = _client_id(rng)
    due = (visited_at + timedelta(days=rng.randint(3, 21))).date() if followup else None
    return {
        "client_id": client_id, "content_hash": hashlib.sha256(client_id.encode()).hexdigest(),
        "household_id": household_id, "ward_code": area.ward_code, "area_id": area.id, "team_id": team.id,
        "volunteer_id": rng.choice(members).id, "visited_at": visited_at, "outcome": outcome.value,
        "vneid_installed": level2 if level2 else 0, "level2_activated": level2,
        "level2_children": level2_children,
        "services": ",".join(services), "online_people": online_people, "cashless_setup": cashless,
        "followup_needed": followup,
        "followup_reason": "Hẹn quay lại khi con cái có nhà" if followup else None,
        "followup_due": due,
        "followup_closed_at": visited_at + timedelta(days=5) if due and due < now.date() and rng.random() < 0.6 else None,
        "note": None, "flagged": False, "created_at": visited_at, "updated_at": visited_at,
    }


def _demo_accounts(province_code: int, ward: Ward | None, password_hash: str) -> None:
    """One login per role, attached to the first demo ward and its first team."""
    team = db.session.scalar(select(Team).where(Team.ward_code == ward.code).order_by(Team.id)) if ward else None
    for username, name, role in DEMO_ACCOUNTS:
        if db.session.scalar(select(User).where(User.username == username)):
            continue
        user = User(username=username, display_name=name, role=role, password_hash=password_hash,
                    province_code=province_code)
        if role not in (Role.ADMIN, Role.PROVINCE) and ward is not None:
            user.ward_code = ward.code
        if role in (Role.TEAM_LEADER, Role.VOLUNTEER) and team is not None:
            user.team_id = team.id
        db.session.add(user)
        if team is not None and user.team_id:
            user.assigned_areas = list(team.areas)
    db.session.flush()


def sync_id_sequences() -> None:
    """Bulk inserts name their ids; PostgreSQL's sequences must then be moved past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("household", "visit"):
        db.session.execute(
            db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
        )


# The province's official figures ---------------------------------------------------------------------------

# Cần Thơ's 2024 targets for every xã and phường (DOMAIN.md), in force until the province sets others.
PROVINCE_TARGETS = {OfficialIndicator.DIGITISED: 80, OfficialIndicator.ONLINE_DOSSIERS: 50,
                    OfficialIndicator.ONLINE_PAYMENT: 45}
# Shares of the kind Cái Răng's wards reported in April 2024: (digitised, online dossiers, online payment), in
# hundredths of a percent. The first units get these; the others draw shares around them.
KNOWN_SHARES = [(9348, 2660, 1672), (8089, 3480, 3946)]


def official_figures(province_code: int, seeded: list[Ward]) -> None:
    """The province's targets, the last two months' procedure figures of every unit of the province, and the
    police's level-2 counts of the seeded units: the first meets what its teams reported, the second is short of
    it by a few accounts (marked for review). Figures already there are kept."""
    if not db.session.scalar(select(func.count()).select_from(ProvinceTarget)
                             .where(ProvinceTarget.province_code == province_code)):
        db.session.add_all(ProvinceTarget(province_code=province_code, indicator=indicator.value,
                                          valid_from=date(2024, 1, 1), value=value)
                           for indicator, value in PROVINCE_TARGETS.items())
    last_month_end = local_today().replace(day=1) - timedelta(days=1)
    months = [last_month_end.replace(day=1), (last_month_end.replace(day=1) - timedelta(days=1)).replace(day=1)]
    existing = set(db.session.execute(select(OfficialFigure.ward_code, OfficialFigure.period_year,
                                             OfficialFigure.period_number, OfficialFigure.indicator)
                                      .where(OfficialFigure.period_kind == PeriodKind.MONTH.value)))
    rows = []

    def add(ward_code: int, month: date, indicator: OfficialIndicator, numerator: int, denominator: int | None):
        if (ward_code, month.year, month.month, indicator.value) not in existing:
            rows.append({"ward_code": ward_code, "period_kind": PeriodKind.MONTH.value, "period_year": month.year,
                         "period_number": month.month, "indicator": indicator.value, "numerator": numerator,
                         "denominator": denominator, "source": "import", "updated_at": utcnow()})

    wards = _pick_wards(province_code, 10_000)
    for position, ward in enumerate(wards):
        rng = random.Random(f"official:{ward.code}")
        for age, month in enumerate(months):
            shares = KNOWN_SHARES[position] if position < len(KNOWN_SHARES) and age == 0 else (
                rng.randint(6500, 9900), rng.randint(1800, 7200), rng.randint(1200, 6500))
            dossiers = rng.randint(300, 3000)
            payments = rng.randint(100, dossiers)
            for indicator, share, whole in zip(PROVINCE_TARGETS, shares, (dossiers, dossiers, payments), strict=True):
                # A whole count whose share rounds to the one wanted: the denominator of 10,000 where needed.
                if position < len(KNOWN_SHARES) and age == 0:
                    add(ward.code, month, indicator, share, 10_000)
                else:
                    add(ward.code, month, indicator, whole * share // 10_000, whole)
    for position, ward in enumerate(seeded[:2]):
        reported = db.session.scalar(select(func.coalesce(func.sum(DailyCount.level2_activated), 0)).where(
            DailyCount.ward_code == ward.code, DailyCount.day.between(months[0], last_month_end))) or 0
        before = 4_000 + random.Random(f"police:{ward.code}").randint(0, 6_000)
        increase = reported + 15 if position == 0 else max(0, reported - 7)
        add(ward.code, months[1], OfficialIndicator.LEVEL2_ACCOUNTS, before, None)
        add(ward.code, months[0], OfficialIndicator.LEVEL2_ACCOUNTS, before + increase, None)
    if rows:
        db.session.execute(insert(OfficialFigure), rows)
