"""Household search on a ward of 20,000 households: p95 over HTTP (query, scope filter and rendering).

    .venv/bin/python -m bench.search [--backend sqlite|postgresql|both] [--households 20000]
"""

import argparse
import random
import time

from sqlalchemy import select

from bench.common import fresh_app, machine, percentiles, timed, write_section

QUERIES = ["nguyen van", "duong 3 thang 2", "hem 51", "tran", "so 12", "le thi", "mau than", "51/3", "binh", "xyz khong co"]


def run(backend: str, households: int, rounds: int) -> dict:
    from app.extensions import db
    from app.models import Role, User
    from app.services import demo
    from app.services.lists import households as household_search

    app = fresh_app(backend)
    areas = 40
    with app.app_context():
        started = time.perf_counter()
        demo.seed(92, demo.SeedSize(wards=1, areas_per_ward=areas, households_per_area=households // areas, months=1))
        db.session.commit()
        seeded_s = time.perf_counter() - started
        leader = db.session.scalar(select(User.username).where(User.role == Role.TEAM_LEADER).limit(1))
        # The same search over the whole ward (20,000 rows in scope), as a coordinator's lookup would run it.
        coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
        rng = random.Random(3)
        ward_samples = [timed(lambda q=rng.choice(QUERIES): household_search.search(coordinator, q)) for _ in range(rounds)]
        ward = percentiles(ward_samples)
    client = app.test_client()
    client.post("/login", data={"username": leader, "password": demo.DEMO_PASSWORD})
    rng = random.Random(7)
    for q in QUERIES:  # warm-up
        client.get("/households", query_string={"q": q}, headers={"HX-Request": "true"})
    samples = [
        timed(lambda q=rng.choice(QUERIES): client.get("/households", query_string={"q": q}, headers={"HX-Request": "true"}))
        for _ in range(rounds)
    ]
    return {"backend": backend, "households": households, "seed_s": seeded_s, "ward_p95": ward["p95"],
            **percentiles(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [run(b, args.households, args.rounds) for b in backends]
    rows = "\n".join(
        f"| {r['backend']} | {r['households']:,} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
        f"| {r['ward_p95']:.1f} | {r['seed_s']:.0f} s |"
        for r in results
    )
    write_section("Household search (field issue)", f"""
`python -m bench.search` — a ward of {args.households:,} households in 40 areas; a team leader searches its
team's area by typed words without diacritics (htmx fragment, over the Flask test client, so the figure
includes the scope filter, the query and the rendering). "ward-wide p95" is the same search service with all
{args.households:,} households in scope (a coordinator's lookup), without HTTP. Goal: p95 under 50 ms.
Machine: {machine()}.

| database | households in the ward | requests | p50 ms | p95 ms | p99 ms | ward-wide p95 ms | seeding |
|---|---|---|---|---|---|---|---|
{rows}
""")
    for r in results:
        print(r)


if __name__ == "__main__":
    main()
