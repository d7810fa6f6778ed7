"""Ward board, province board and ward report at province scale: p95 over HTTP (queries and rendering).

    .venv/bin/python -m bench.boards [--backend sqlite|postgresql|both] [--wards 103] [--areas 20]
                                     [--households 400] [--visit-rounds 4] [--rounds 60]
                                     [--sqlite-file F] [--pg-url URL] [--seed-only | --reuse]

--households is per area; --visit-rounds draws 0–4 visits per household that many times (1.6 on average
each). PostgreSQL runs in --pg-url or BENCH_PG_URL (its schema is dropped first). Seeding the full size takes
longer than measuring it: --seed-only seeds a --sqlite-file (or the PostgreSQL database) and stops; --reuse
measures that database as it is (bench.ranking can measure the same one).
Goal (the ward-coordinator issue): 103 wards, 800,000 households, 5,000,000 visits; ward board
p95 < 150 ms, province board p95 < 500 ms.
"""


from sqlalchemy import func, select

from bench.common import machine, percentiles, province_arguments, province_dataset, timed, write_section


def run(backend: str, args) -> dict:
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
    coordinator, admin = app.test_client(), app.test_client()
    coordinator.post("/login", data={"username": "dieuphoi", "password": demo.DEMO_PASSWORD})
    admin.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD})

    def samples(client, url: str, n: int) -> dict:
        assert client.get(url).status_code == 200, url  # warm-up
        return percentiles([timed(lambda: client.get(url)) for _ in range(n)])

    ward = samples(coordinator, "/ward", args.rounds)
    province = samples(admin, "/province", max(args.rounds // 3, 10))
    export_ms = timed(lambda: coordinator.get("/ward/report.xlsx"))
    admin_ward = samples(admin, f"/ward?code={first_ward}", 10)
    return {"backend": backend, "households": households, "visits": visits, "seed_s": seeded_s,
            "ward": ward, "province": province, "export_ms": export_ms, "admin_ward_p95": admin_ward["p95"]}


def main() -> None:
    args, backends = province_arguments(__doc__, areas=20, households=400)
    results = [run(b, args) for b in backends]
    if args.seed_only:
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
    for r in results:
        print(r)


if __name__ == "__main__":
    main()
