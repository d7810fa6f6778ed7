"""Every board at the full province size, beside the plainest SQL it needs and the raw grouped scan of visits.

    .venv/bin/python -m bench.headroom [--backend sqlite|postgresql|both] [--rounds 30]
                                       [--sqlite-file F] [--pg-url URL] [--seed-only | --reuse]

The full size by default: 103 wards of Cần Thơ, 18 areas of 432 households each and one team of three per
area (1,854 teams, 800,000 households), three months of visits (about 5,000,000). Seeding takes longer than
measuring: --seed-only seeds a --sqlite-file (or the PostgreSQL database) and stops; --reuse brings that
database to the latest schema (a migration fills a new rollup from the old ones) and measures it.

In one run per database, each board over HTTP (the Flask test client: queries, Python and rendering, p50 and
p95 of --rounds requests; the XLSX export a third as many), beside its plainest SQL: one minimal grouped
query per rollup the board reads, with no more columns or conditions than its figures need, and one small
query for each other thing it shows (names, members, targets, activities, official figures), timed the same
way (p95 of the whole set); and beside one grouped scan of the raw visits per ward and day (what the
rollups spare every board). Goals (issue 12, item 8): each board within 3x of its plainest SQL; the
province board p95 under 250 ms and the leaderboard under 150 ms (half their goals), a ward's board under
150 ms, "show all" under 300 ms.
"""

import os
import time
from datetime import timedelta

from sqlalchemy import and_, case, func, select, text

from bench.common import machine, percentiles, province_arguments, province_dataset, timed, write_section
from bench.ranking import prepare_campaign

BOARDS = ("province board", "ward board", "ward report XLSX", "leaderboard", "show all (1,854 teams)",
          "team detail")


def plainest_queries(campaign, ward_code: int, team_id: int):
    """{board: [statements]}: the least SQL each board's figures need, one grouped query per rollup read."""
    from app.clock import local_today
    from app.models import (
        Activity,
        ActivityService,
        Area,
        AreaCount,
        DailyCount,
        Household,
        HouseholdStatus,
        OfficialFigure,
        PeriodicReport,
        ProvinceTarget,
        ScoreUnit,
        Target,
        Team,
        TeamDayScore,
        User,
        Visit,
        Ward,
        WardDayCount,
        member_areas,
        team_areas,
    )
    from app.services.as_stored import as_stored
    from app.services.reports import board_periods

    today = local_today()
    shown = board_periods.default()  # what a board shows unasked: this reporting month (15th to 14th)
    month, month_end = shown.start, shown.end
    last_month_end = today.replace(day=1) - timedelta(days=1)  # the official figures' latest period, as a rule
    recent = today - timedelta(days=89)
    week = today - timedelta(days=today.weekday())
    trend = week - timedelta(weeks=11)
    open_followups = and_(Visit.followup_needed.is_(True), Visit.followup_closed_at.is_(None),
                          Visit.flagged.is_(False))
    # Dates in CASE expressions are compared as stored (as the boards compare them; app/services/as_stored.py).
    # Read ward by ward: the keys of daily_count and of the visits' follow-up index start with the ward, so
    # without it SQLite reads every day, or every visit, of every ward to find the few it needs.
    wards = select(Ward.code).where(Ward.province_code == campaign.province_code)
    province = [
        # The ward-days of the period and of the last 90 days, per ward.
        select(WardDayCount.ward_code, func.sum(WardDayCount.visits), func.sum(WardDayCount.visits_met),
               func.sum(WardDayCount.level2_activated), func.sum(WardDayCount.level2_children),
               func.sum(WardDayCount.online_people), func.sum(WardDayCount.online_tutored),
               func.sum(WardDayCount.cashless_setup), func.sum(WardDayCount.followups_opened),
               func.sum(WardDayCount.followups_closed), func.sum(WardDayCount.first_reached),
               func.sum(WardDayCount.last_visited))
        .where(WardDayCount.day >= min(month, recent)).group_by(WardDayCount.ward_code),
        # The members with a visit in the period, and this week, per ward.
        select(DailyCount.ward_code, func.count(func.distinct(case((as_stored(DailyCount.day) >= month, DailyCount.member_id)))),
               func.count(func.distinct(case((as_stored(DailyCount.day) >= week, DailyCount.member_id)))))
        .where(DailyCount.ward_code.in_(wards), DailyCount.day >= min(month, week), DailyCount.visits > 0)
        .group_by(DailyCount.ward_code),
        select(AreaCount.ward_code, func.sum(AreaCount.households), func.sum(AreaCount.reached),
               func.sum(AreaCount.eligible_people), func.sum(AreaCount.people_level2),
               func.sum(AreaCount.children), func.sum(AreaCount.children_level2),
               func.sum(AreaCount.online_households), func.sum(AreaCount.people_online),
               func.sum(AreaCount.cashless_households)).group_by(AreaCount.ward_code),
        # Open follow-ups, and those overdue, per ward.
        select(Visit.ward_code, func.count(), func.count(case((as_stored(Visit.followup_due) < today, 1))))
        .where(Visit.ward_code.in_(wards), open_followups).group_by(Visit.ward_code),
        # Beside the rollups: the units' names, the province's targets, the activities of the period per unit,
        # the units' official figures (the latest period picked from them) and the teams' level-2 count beside them.
        select(Ward.code, Ward.name, Ward.division_type).where(Ward.province_code == campaign.province_code),
        select(ProvinceTarget.indicator, ProvinceTarget.value)
        .where(ProvinceTarget.province_code == campaign.province_code, ProvinceTarget.valid_from <= month_end),
        select(Activity.ward_code, Activity.kind, func.count(), func.sum(Activity.people_online),
               func.sum(Activity.level2_activated), func.sum(Activity.people_trained))
        .where(Activity.held_on.between(month, month_end)).group_by(Activity.ward_code, Activity.kind),
        select(OfficialFigure.ward_code, OfficialFigure.period_kind, OfficialFigure.period_year,
               OfficialFigure.period_number, OfficialFigure.indicator, OfficialFigure.numerator,
               OfficialFigure.denominator).where(OfficialFigure.period_year >= today.year - 1),
        select(WardDayCount.ward_code, func.sum(WardDayCount.level2_activated))
        .where(WardDayCount.day.between(last_month_end.replace(day=1), last_month_end))
        .group_by(WardDayCount.ward_code),
    ]
    ward = [
        # The ward's members' counters in the period, and their visits this week.
        select(DailyCount.area_id, DailyCount.team_id, DailyCount.member_id, func.sum(DailyCount.visits),
               func.sum(DailyCount.visits_met), func.sum(DailyCount.level2_activated),
               func.sum(DailyCount.level2_children), func.sum(DailyCount.online_people),
               func.sum(DailyCount.online_tutored), func.sum(DailyCount.cashless_setup),
               func.sum(DailyCount.followups_opened), func.sum(DailyCount.followups_closed),
               func.sum(case((as_stored(DailyCount.day) >= week, DailyCount.visits), else_=0)))
        .where(DailyCount.ward_code == ward_code, DailyCount.day >= min(month, week))
        .group_by(DailyCount.area_id, DailyCount.team_id, DailyCount.member_id),
        # Its areas' households first reached in the period and visited in the last 90 days.
        select(Household.area_id, func.count(case((as_stored(Household.reached_at) >= month, 1))),
               func.count(case((as_stored(Household.last_visit_at) >= recent, 1))))
        .where(Household.area_id.in_(select(Area.id).where(Area.ward_code == ward_code)),
               Household.status == HouseholdStatus.ACTIVE).group_by(Household.area_id),
        # Its areas: names, official household numbers and household figures to date.
        select(Area.id, Area.name, Area.official_households, AreaCount.households, AreaCount.reached,
               AreaCount.eligible_people, AreaCount.people_level2, AreaCount.children, AreaCount.children_level2,
               AreaCount.online_households, AreaCount.people_online, AreaCount.cashless_households)
        .outerjoin(AreaCount, AreaCount.area_id == Area.id).where(Area.ward_code == ward_code),
        select(WardDayCount.day, WardDayCount.visits, WardDayCount.first_reached)
        .where(WardDayCount.ward_code == ward_code, WardDayCount.day >= trend),
        select(Visit.area_id, Visit.team_id, func.count(), func.count(case((as_stored(Visit.followup_due) < today, 1))))
        .where(Visit.ward_code == ward_code, open_followups).group_by(Visit.area_id, Visit.team_id),
    ]
    # Beside the rollups, what a ward's board and its report show: the teams with their members, which areas each
    # covers, the members per area, the unit's and the province's targets, the activities of the period.
    ward_rest = [
        select(Team.id, Team.name, func.count(User.id)).outerjoin(User, User.team_id == Team.id)
        .where(Team.ward_code == ward_code).group_by(Team.id, Team.name),
        select(team_areas.c.team_id, team_areas.c.area_id).join(Team, Team.id == team_areas.c.team_id)
        .where(Team.ward_code == ward_code),
        select(member_areas.c.area_id, func.count(member_areas.c.user_id))
        .join(Area, Area.id == member_areas.c.area_id).where(Area.ward_code == ward_code)
        .group_by(member_areas.c.area_id),
        select(Target.indicator, Target.value)
        .where(Target.ward_code == ward_code, Target.period_start <= month_end, Target.period_end >= month),
        select(ProvinceTarget.indicator, ProvinceTarget.value)
        .where(ProvinceTarget.province_code == campaign.province_code, ProvinceTarget.valid_from <= month_end),
        select(Activity.team_id, Activity.kind, func.count(), func.sum(Activity.people_online),
               func.sum(Activity.level2_activated), func.sum(Activity.people_trained))
        .where(Activity.ward_code == ward_code, Activity.held_on.between(month, month_end))
        .group_by(Activity.team_id, Activity.kind),
    ]
    # The board's own: people helped per online service at activities, the unit's official figures (the
    # latest period picked from them) with the teams' level-2 count for the police's comparison, and the
    # report sent for the period.
    ward_board_only = [
        select(ActivityService.service, func.sum(ActivityService.people))
        .join(Activity, Activity.id == ActivityService.activity_id)
        .where(Activity.ward_code == ward_code, Activity.held_on.between(month, month_end))
        .group_by(ActivityService.service),
        select(OfficialFigure.period_kind, OfficialFigure.period_year, OfficialFigure.period_number,
               OfficialFigure.indicator, OfficialFigure.numerator, OfficialFigure.denominator)
        .where(OfficialFigure.ward_code == ward_code, OfficialFigure.period_year >= today.year - 1),
        select(func.sum(WardDayCount.level2_activated))
        .where(WardDayCount.ward_code == ward_code,
               WardDayCount.day.between(last_month_end.replace(day=1), last_month_end)),
        select(PeriodicReport.id).where(PeriodicReport.ward_code == ward_code, PeriodicReport.period_start == month,
                                        PeriodicReport.period_end == month_end),
    ]
    leaderboard = [
        select(TeamDayScore.team_id, *(func.sum(getattr(TeamDayScore, c)) for c in
                                       ("met", "level2", "tutored", "cashless", "followups_closed", "first_reach")))
        .where(TeamDayScore.day.between(campaign.start_date, campaign.end_date)).group_by(TeamDayScore.team_id),
        select(team_areas.c.team_id, func.sum(AreaCount.households), func.sum(AreaCount.reached))
        .join(AreaCount, AreaCount.area_id == team_areas.c.area_id).group_by(team_areas.c.team_id),
        # The teams' names and units, and their members (a score per member is shown beside the score).
        select(Team.id, Team.name, Ward.name).join(Ward, Ward.code == Team.ward_code)
        .where(Ward.province_code == campaign.province_code),
        select(User.team_id, func.count()).where(User.team_id.is_not(None)).group_by(User.team_id),
    ]
    # A team's page shows its rank, which needs every team's sums: the leaderboard's queries, then its own rows.
    team = [
        *leaderboard,
        select(TeamDayScore.day, TeamDayScore.met, TeamDayScore.level2, TeamDayScore.tutored,
               TeamDayScore.cashless, TeamDayScore.followups_closed, TeamDayScore.first_reach)
        .where(TeamDayScore.team_id == team_id, TeamDayScore.day.between(campaign.start_date, campaign.end_date)),
        select(ScoreUnit.household_id, ScoreUnit.day, Area.name, ScoreUnit.met, ScoreUnit.level2,
               ScoreUnit.tutored, ScoreUnit.cashless, ScoreUnit.followups_closed, ScoreUnit.first_reach)
        .join(Area, Area.id == ScoreUnit.area_id)
        .where(ScoreUnit.team_id == team_id, ScoreUnit.day.between(campaign.start_date, campaign.end_date)),
    ]
    # The report's last sheet lists the ward's open follow-ups, each with its household, area, team and volunteer.
    followups = [
        select(Area.name, Team.name, Household.display_name, Household.address, Visit.followup_reason,
               Visit.followup_due, User.display_name)
        .join(Household, Household.id == Visit.household_id).join(Area, Area.id == Visit.area_id)
        .join(Team, Team.id == Visit.team_id).join(User, User.id == Visit.volunteer_id)
        .where(Visit.ward_code == ward_code, open_followups),
    ]
    return {"province board": province, "ward board": ward + ward_rest + ward_board_only,
            "ward report XLSX": ward + ward_rest + followups, "leaderboard": leaderboard,
            "show all (1,854 teams)": leaderboard, "team detail": team}


def raw_scan():
    """The visits grouped per ward and Vietnamese day, straight from the visit table: the ward-days'
    recompute, what a board without rollups would start from."""
    from app.services.rollups import daily

    return daily.counter_select(by_member=False)


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run(backend: str, args) -> dict:
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Campaign
    from app.services import demo

    app, seeded_s = province_dataset(backend, args)
    if args.reuse:
        with app.app_context():
            upgrade()
    campaign_id, team_id, ward_code, sizes = prepare_campaign(app, backend, args.province)
    if args.seed_only:
        print({"backend": backend, **sizes, "seed_s": round(seeded_s)}, flush=True)
        return {}
    load_before = _load()
    admin, coordinator, leader = app.test_client(), app.test_client(), app.test_client()
    admin.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD})
    coordinator.post("/login", data={"username": "dieuphoi", "password": demo.DEMO_PASSWORD})
    leader.post("/login", data={"username": "doan-tinh", "password": demo.DEMO_PASSWORD})
    with app.app_context():
        coordinator_ward = db.session.scalar(text("SELECT ward_code FROM \"user\" WHERE username = 'dieuphoi'"))
    board = f"/campaigns/{campaign_id}"
    htmx = {"HX-Request": "true"}
    pages = {
        "province board": (admin, "/province", None, args.rounds),
        "ward board": (coordinator, "/ward", None, args.rounds),
        "ward report XLSX": (coordinator, "/ward/report.xlsx", None, max(args.rounds // 3, 5)),
        "leaderboard": (leader, board, None, args.rounds),
        "show all (1,854 teams)": (leader, f"{board}?all=1", htmx, args.rounds),
        "team detail": (leader, f"{board}/teams/{team_id}", None, args.rounds),
    }
    results = {}
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        plainest = plainest_queries(campaign, coordinator_ward, team_id)
    def get(client, url, headers):
        return lambda: client.get(url, headers=headers)

    def run_all(statements):
        return lambda: [db.session.execute(s).all() for s in statements]

    def wall_and_cpu(fn, rounds: int) -> tuple[dict, dict]:
        """Percentiles of the wall time and of this process's CPU time (the test client, the app and, on
        SQLite, the database: what other processes on the machine cannot inflate)."""
        walls, cpus = [], []
        for _ in range(rounds):
            cpu = time.process_time()
            walls.append(timed(fn))
            cpus.append((time.process_time() - cpu) * 1000)
        return percentiles(walls), percentiles(cpus)

    for name, (client, url, headers, rounds) in pages.items():
        assert client.get(url, headers=headers).status_code == 200, url  # warm-up
        http, http_cpu = wall_and_cpu(get(client, url, headers), rounds)
        with app.app_context():
            statements = plainest[name]
            run_all(statements)()  # warm-up
            sql, sql_cpu = wall_and_cpu(run_all(statements), rounds)
            db.session.rollback()
        results[name] = {"http": http, "sql": sql, "http_cpu": http_cpu, "sql_cpu": sql_cpu,
                         "statements": len(statements)}
        print(name, {k: round(v, 1) for k, v in http.items()}, "plainest", round(sql["p95"], 1), "CPU p50",
              round(http_cpu["p50"], 1), round(sql_cpu["p50"], 1), flush=True)
    with app.app_context():
        started = time.perf_counter()
        rows = len(db.session.execute(raw_scan()).all())
        raw_ms = (time.perf_counter() - started) * 1000
        db.session.rollback()
    print("raw grouped scan", round(raw_ms), "ms,", rows, "ward-days", flush=True)
    return {"backend": backend, **sizes, "boards": results, "raw_ms": raw_ms, "raw_rows": rows,
            "load_before": load_before, "load_after": _load(), "ward_code": ward_code}


GOALS = {"province board": 250, "ward board": 150, "leaderboard": 150, "show all (1,854 teams)": 300}


def table(results: list[dict]) -> str:
    head = ("| database | board | HTTP p50 / p95 ms | goal p95 ms | plainest SQL p50 / p95 ms (queries) | HTTP ÷ SQL "
            "(p95) | CPU of the request p50 ms | CPU of the plainest SQL p50 ms | raw grouped scan ÷ HTTP p95 |\n"
            "|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in results:
        for name in BOARDS:
            b = r["boards"][name]
            goal = GOALS.get(name)
            lines.append(
                f"| {r['backend']} | {name} | {b['http']['p50']:.0f} / {b['http']['p95']:.0f} "
                f"| {goal if goal else '–'} | {b['sql']['p50']:.1f} / {b['sql']['p95']:.1f} ({b['statements']}) "
                f"| {b['http']['p95'] / b['sql']['p95']:.1f} | {b['http_cpu']['p50']:.0f} "
                f"| {b['sql_cpu']['p50']:.1f} | {r['raw_ms'] / b['http']['p95']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    args, backends = province_arguments(__doc__, areas=18, households=432)
    results = [run(b, args) for b in backends]
    if args.seed_only:
        return
    for r in results:
        write_section(f"Boards beside their plainest SQL, {r['backend']} (issue 12, item 8)", f"""
`python -m bench.headroom --backend {r['backend']} --rounds {args.rounds} --reuse` on a database seeded by
`--seed-only`: {r['teams']:,} teams, {r['households']:,} households, {r['visits']:,} visits ({r['month_visits']:,} in
the campaign's 30 days), {r['team_days']:,} team-day rows. Each board over the Flask test client (queries, Python,
rendering; {args.rounds} requests, the XLSX export {max(args.rounds // 3, 5)}), then its plainest SQL timed the
same way: one minimal grouped query per rollup the board reads (`bench/headroom.py` lists them; a team's page
ranks the team, so its set holds the leaderboard's; names, members, targets, activities and official figures
beside the rollups). The raw grouped scan (every visit grouped per ward and
day, what the rollups spare the boards) took {r['raw_ms'] / 1000:.1f} s ({r['raw_rows']:,} ward-days).
Machine: {machine()}; load average (1 / 5 / 15 min) {r['load_before']} before, {r['load_after']} after.

{table([r])}
""")
    for r in results:
        print(r)


if __name__ == "__main__":
    main()
