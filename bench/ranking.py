"""A province-wide campaign's leaderboard at province scale: p95 over HTTP (queries and rendering).

    .venv/bin/python -m bench.ranking [--backend sqlite|postgresql|both] [--wards 103] [--areas 18]
                                      [--households 100] [--visit-rounds 4] [--rounds 60]
                                      [--sqlite-file F] [--pg-url URL] [--seed-only | --reuse]

The demo generator seeds `--wards` wards of `--areas` areas, one team of three per area (103 x 18 = 1,854
teams), three months of visits; the campaign covers the last 30 days. Goal (youth-union issue): p95 under
300 ms for ~1,800 teams and a month of visits out of 5,000,000. PostgreSQL runs in its own database (or
--pg-url). --reuse measures a database seeded before (by --seed-only here or in bench.boards) as it is,
adding the leader and the campaign if they are missing.
"""

from datetime import timedelta

from sqlalchemy import func, select, text

from bench.common import machine, percentiles, province_arguments, province_dataset, timed, write_section

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ranking_bench"
HEADER = ("| database | teams | households | visits | visits in the campaign | team-day rows | board p50 ms "
          "| board p95 ms | all teams p95 ms | ward filter p95 ms | public p95 ms | team detail p95 ms | seeding |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def prepare_campaign(app, backend: str, province_code: int) -> tuple[int, int, int, dict]:
    """The province's youth-union leader and a 30-day province campaign (added when missing); PostgreSQL's
    statistics made fresh. Returns the campaign's id, the first team's, its ward's code and the sizes."""
    from app.clock import local_today
    from app.extensions import db
    from app.models import Campaign, Household, Role, ScoreUnit, Team, TeamDayScore, User, Visit, Ward
    from app.services import demo, ranking
    from app.services.accounts import hash_password

    with app.app_context():
        today = local_today()
        if db.session.scalar(select(User).where(User.username == "doan-tinh")) is None:
            db.session.add(User(username="doan-tinh", display_name="Đoàn Tỉnh", role=Role.YOUTH_LEADER,
                                province_code=province_code, password_hash=hash_password(demo.DEMO_PASSWORD)))
        campaign = db.session.scalar(select(Campaign).where(Campaign.share_token == "bench-board"))
        if campaign is None:
            campaign = Campaign(name="Tháng thi đua", start_date=today - timedelta(days=29), end_date=today,
                                province_code=province_code, weights=dict(ranking.DEFAULT_WEIGHTS), share_token="bench-board")
            db.session.add(campaign)
        if backend == "postgresql":
            # Fresh statistics, as autovacuum keeps them on a real server (it is off on the bench machine):
            # without them the planner loops over every team's areas.
            db.session.execute(text("ANALYZE"))
        db.session.commit()
        sizes = {
            "households": db.session.scalar(select(func.count()).select_from(Household)),
            "visits": db.session.scalar(select(func.count()).select_from(Visit)),
            "month_visits": db.session.scalar(select(func.count()).select_from(Visit).where(
                Visit.visited_at >= today - timedelta(days=30))),
            "teams": db.session.scalar(select(func.count()).select_from(Team)),
            "units": db.session.scalar(select(func.count()).select_from(ScoreUnit)),
            "team_days": db.session.scalar(select(func.count()).select_from(TeamDayScore)),
        }
        team_id = db.session.scalar(select(Team.id).order_by(Team.id))
        ward_code = db.session.scalar(select(Ward.code).join(Team, Team.ward_code == Ward.code).limit(1))
        return campaign.id, team_id, ward_code, sizes


def run(backend: str, args) -> dict:
    from app.services import demo

    app, seeded_s = province_dataset(backend, args)
    campaign_id, team_id, ward_code, sizes = prepare_campaign(app, backend, args.province)
    if args.seed_only:
        print({"backend": backend, **sizes, "seed_s": round(seeded_s)}, flush=True)
        return {}
    client = app.test_client()
    client.post("/login", data={"username": "doan-tinh", "password": demo.DEMO_PASSWORD})
    public = app.test_client()

    def samples(c, url: str, n: int, headers=None) -> dict:
        assert c.get(url, headers=headers).status_code == 200, url  # warm-up
        return percentiles([timed(lambda: c.get(url, headers=headers)) for _ in range(n)])

    board_url = f"/campaigns/{campaign_id}"
    return {
        "backend": backend, **sizes, "seed_s": seeded_s,
        "board": samples(client, board_url, args.rounds),
        "all": samples(client, f"{board_url}?all=1", args.rounds // 3, {"HX-Request": "true"}),
        "ward": samples(client, f"{board_url}?ward={ward_code}", args.rounds // 2, {"HX-Request": "true"}),
        "public": samples(public, "/board/public/bench-board", args.rounds // 2),
        "team": samples(client, f"{board_url}/teams/{team_id}", args.rounds // 2),
    }


def main() -> None:
    args, backends = province_arguments(__doc__, areas=18, households=100)
    results = [run(b, args) for b in backends]
    if args.seed_only:
        return
    rows = "\n".join(
        f"| {r['backend']} | {r['teams']:,} | {r['households']:,} | {r['visits']:,} | {r['month_visits']:,} "
        f"| {r['team_days']:,} | {r['board']['p50']:.0f} | {r['board']['p95']:.0f} | {r['all']['p95']:.0f} "
        f"| {r['ward']['p95']:.0f} "
        f"| {r['public']['p95']:.0f} | {r['team']['p95']:.0f} | {r['seed_s']:.0f} s |"
        for r in results
    )
    write_section("Campaign leaderboard (youth-union issue)", f"""
`python -m bench.ranking --wards {args.wards} --areas {args.areas} --households {args.households} \
--visit-rounds {args.visit_rounds}` — the demo generator seeds {args.wards} wards of Cần Thơ with {args.areas}
areas each and one team of three per area, {args.households} households per area and three months of visits;
seeding includes `rollup rebuild` of the counters and the campaign household-days. A province-wide campaign
covers the last 30 days. Timed over the Flask test client as a province-level youth-union leader (queries,
ranking in Python, rendering): the leaderboard page (the top 50 teams; {args.rounds} requests), every team
through "show all" (htmx), one ward's teams through the htmx filter, the public board (no login) and one team's
detail. Goal: leaderboard p95 < 300 ms for ~1,800 teams. Machine: {machine()}.

{HEADER}
{rows}
""")
    for r in results:
        print(r)


if __name__ == "__main__":
    main()
