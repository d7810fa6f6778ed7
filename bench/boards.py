"""Ward board, province board and ward report at province scale: p95 over HTTP (queries and rendering).

    .venv/bin/python -m bench.boards [--backend sqlite|postgresql|both] [--province 92] [--wards N] [--areas 20]
                                     [--households 400] [--visit-rounds 4] [--rounds 60]
                                     [--sqlite-file F] [--pg-url URL] [--seed-only | --reuse]

--households is per area; --visit-rounds draws 0–4 visits per household that many times (1.6 on average
each). PostgreSQL runs in --pg-url or BENCH_PG_URL (its schema is dropped first). Seeding the full size takes
longer than measuring it: --seed-only seeds a --sqlite-file (or the PostgreSQL database) and stops; --reuse
measures that database as it is (bench.ranking can measure the same one).
Goal (the ward-coordinator issue): 103 wards, 800,000 households, 5,000,000 visits; ward board
p95 < 150 ms, province board p95 < 500 ms. --province 79 seeds all 168 units of Hồ Chí Minh City at the same
size per unit (1,344,000 households, about 8.6 million visits; issue 12, item 7) and writes its own section
with the database's size per table. PostgreSQL is vacuumed and analysed before it is measured (autovacuum is
off on the bench machine), so `flask rollup rebuild` then `--reuse` measures rebuilt rollups fairly. Each board's
mean CPU time per request (app and database server) is what it takes on a quiet machine; run
`ALTER DATABASE … SET max_parallel_workers_per_gather = 0` on the bench database first, or the parallel workers'
share is not counted. --no-campaign-units seeds faster, without the household-days no board reads.
"""

from datetime import timedelta

from sqlalchemy import func, select

from bench.common import (
    CAN_THO,
    cpu_clock,
    load_average,
    machine,
    percentiles,
    province_arguments,
    province_dataset,
    table_sizes,
    timed,
    vacuum_analyze,
    write_section,
)


def run(backend: str, args) -> dict:
    from app.clock import local_today
    from app.extensions import db
    from app.models import Household, Visit, Ward
    from app.services import demo

    app, seeded_s = province_dataset(backend, args)
    with app.app_context():
        households = db.session.scalar(select(func.count()).select_from(Household))
        visits = db.session.scalar(select(func.count()).select_from(Visit))
        first_ward = db.session.scalar(select(Ward.code).join(Household, Household.ward_code == Ward.code).limit(1))
    if args.seed_only:
        print({"backend": backend, "households": households, "visits": visits, "seed_s": round(seeded_s)}, flush=True)
        return {}
    extra: dict = {"load_before": load_average()}
    if backend == "postgresql":
        extra["vacuum_s"] = vacuum_analyze(app)
        extra["database_bytes"], extra["tables"] = table_sizes(app)
        extra["load_before"] = load_average()
    coordinator, admin = app.test_client(), app.test_client()
    coordinator.post("/login", data={"username": "dieuphoi", "password": demo.DEMO_PASSWORD})
    admin.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD})

    cpu = cpu_clock(app)

    def samples(client, url: str, n: int) -> dict:
        assert client.get(url).status_code == 200, url  # warm-up
        started = cpu()
        walls = [timed(lambda: client.get(url)) for _ in range(n)]
        return {**percentiles(walls), "cpu": (cpu() - started) * 1000 / n}

    ward = samples(coordinator, "/ward", args.rounds)
    province = samples(admin, "/province", max(args.rounds // 3, 10))
    # The default period is this month so far, a few days early in a month: the last 30 days too.
    today = local_today()
    days30 = f"start={(today - timedelta(days=29)).isoformat()}&end={today.isoformat()}"
    ward30 = samples(coordinator, f"/ward?{days30}", max(args.rounds // 2, 10))
    province30 = samples(admin, f"/province?{days30}", max(args.rounds // 3, 10))
    export_ms = timed(lambda: coordinator.get("/ward/report.xlsx"))
    admin_ward = samples(admin, f"/ward?code={first_ward}", 10)
    return {"backend": backend, "households": households, "visits": visits, "seed_s": seeded_s,
            "ward": ward, "province": province, "export_ms": export_ms, "admin_ward_p95": admin_ward["p95"],
            "ward30": ward30, "province30": province30, "wards": args.wards, "load_after": load_average(), **extra}


def main() -> None:
    args, backends = province_arguments(__doc__, areas=20, households=400)
    results = [run(b, args) for b in backends]
    if args.seed_only:
        return
    for r in results:
        print({k: v for k, v in r.items() if k != "tables"})
    if args.province != CAN_THO:
        write_province_section(args, results)
        return
    rows = "\n".join(
        f"| {r['backend']} | {r['households']:,} | {r['visits']:,} | {r['ward']['p50']:.0f} | {r['ward']['p95']:.0f} "
        f"| {r['province']['p50']:.0f} | {r['province']['p95']:.0f} | {r['export_ms']:.0f} | {r['seed_s']:.0f} s |"
        for r in results
    )
    write_section("Ward and province boards (ward-coordinator issue)", f"""
`python -m bench.boards --wards {args.wards} --areas {args.areas} --households {args.households} \
--visit-rounds {args.visit_rounds}` — {args.wards} wards of Cần Thơ seeded by the demo generator
({args.areas} areas of {args.households} households each, teams of three, three months of visits), so the
province board aggregates every ward. Timed over the Flask test client (queries, Python roll-up and
rendering): the ward board of one ward as its coordinator ({args.rounds} requests), the province board as
the administrator, and one XLSX export of the ward report. Goals: ward board p95 < 150 ms, province board
p95 < 500 ms, at 103 wards / 800,000 households / 5,000,000 visits. Machine: {machine()}.

| database | households | visits | ward p50 ms | ward p95 ms | province p50 ms | province p95 ms | XLSX export ms | seeding |
|---|---|---|---|---|---|---|---|---|
{rows}
""")


def write_province_section(args, results: list[dict]) -> None:
    """The run at another province's size (Hồ Chí Minh City for issue 12): boards, load, and on PostgreSQL the
    database's size per table with bytes per household and per visit, the figures ARCHITECTURE.md scales."""
    from app.services import geo

    name = geo.province_name(args.province)
    rows = "\n".join(
        f"| {r['backend']} | {r['wards']} | {r['households']:,} | {r['visits']:,} | {r['ward']['p50']:.0f} "
        f"| {r['ward']['p95']:.0f} | {r['ward30']['p95']:.0f} | {r['admin_ward_p95']:.0f} | {r['province']['p50']:.0f} "
        f"| {r['province']['p95']:.0f} | {r['province30']['p95']:.0f} | {r['ward']['cpu']:.0f} / {r['ward30']['cpu']:.0f} "
        f"| {r['province']['cpu']:.0f} / {r['province30']['cpu']:.0f} | {r['export_ms']:.0f} "
        f"| {r['load_before']} → {r['load_after']} |"
        for r in results
    )
    sizes = ""
    for r in results:
        if "tables" not in r:
            continue
        mb = 1024 * 1024
        lines = "\n".join(f"| {table} | {count:,} | {size / mb:,.0f} | {size / r['households']:,.0f} |"
                           for table, count, size in r["tables"] if size >= mb)
        seeded = "seeded by an earlier run" if args.reuse else f"seeded in {r['seed_s']:,.0f} s, rollups included"
        sizes = f"""
PostgreSQL ({seeded}) after `VACUUM ANALYZE` ({r['vacuum_s']:,.0f} s):
database {r['database_bytes'] / mb:,.0f} MB, {r['database_bytes'] / r['households']:,.0f} bytes per household
(with its {r['visits'] / r['households']:.1f} visits and every rollup). Tables of 1 MB or more, with their indexes:

| table | rows | MB | bytes per household |
|---|---|---|---|
{lines}
"""
    write_section(f"Boards at the size of {name} (issue 12, item 7)", f"""
`python -m bench.boards --province {args.province} --areas {args.areas} --households {args.households} \
--visit-rounds {args.visit_rounds} --backend postgresql --pg-url URL --seed-only`, then the same with
`--reuse` instead of `--seed-only`: {args.wards} units of {name} seeded by the demo generator at Cần Thơ's
size per unit ({args.areas} areas of {args.households} households, a team of three per area, three months of
visits). Timed over the Flask test client (queries, roll-up and rendering): one ward's board as its
coordinator ({args.rounds} requests) and as the administrator (10), the province board as the administrator
({max(args.rounds // 3, 10)}), both for the default period (this month so far) and for the last 30 days, one XLSX
export of the ward report; times in ms. CPU: the mean CPU time of one request (this month / 30 days), the
app's and PostgreSQL's server processes' together, which is what a request takes on a quiet machine.
Goals: province board p95 < 500 ms, a unit's
board p95 < 150 ms. Machine: {machine()}; load average (1 / 5 / 15 min) before and after the timing, on 2 cores
shared with other sessions' work.

| database | units | households | visits | ward p50 | ward p95 | ward p95, 30 days | ward p95 as admin \
| province p50 | province p95 | province p95, 30 days | ward CPU | province CPU | XLSX export | load average |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
{rows}
{sizes}""")


if __name__ == "__main__":
    main()
