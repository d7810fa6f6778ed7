"""The official figures on the province board at province scale: the whole board, and what the section adds.

    .venv/bin/python -m bench.official [--backend sqlite|postgresql|both] [--sqlite-file F] [--pg-url URL]
                                       [--reuse] [--rounds 30] (and bench.boards' size options)

Seeds (or, with --reuse, measures as it is) a province with the demo generator, which also fills the last two
months' official figures of every unit of the province, the province's targets and two units' police counts.
Times the province board as the administrator over the Flask test client (queries and rendering), and the
official part alone (`official.board` for every unit: the period's figures, the targets, the teams' level-2
sums), with the SQL statements the part sends. Goal (issue 13): the province board with official figures
p95 < 500 ms at 103 units / 800,000 households / 5,000,000 visits.
"""

import os

from sqlalchemy import event, func, select

from bench.common import machine, percentiles, province_arguments, province_dataset, timed, write_section


def run(backend: str, args) -> dict:
    from app.extensions import db
    from app.models import Household, OfficialFigure, Role, User, Visit, Ward
    from app.services import demo
    from app.services.reports import official

    app, seeded_s = province_dataset(backend, args)
    if args.seed_only:
        print({"backend": backend, "seed_s": round(seeded_s)}, flush=True)
        return {}
    admin = app.test_client()
    admin.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD})
    assert admin.get("/province").status_code == 200  # warm-up
    page = percentiles([timed(lambda: admin.get("/province")) for _ in range(args.rounds)])
    with app.app_context():
        households = db.session.scalar(select(func.count()).select_from(Household))
        visits = db.session.scalar(select(func.count()).select_from(Visit))
        figures = db.session.scalar(select(func.count()).select_from(OfficialFigure))
        actor = db.session.scalar(select(User).where(User.role == Role.ADMIN, User.username == "admin"))
        units = [(w.code, w.name) for w in db.session.scalars(select(Ward).where(Ward.province_code == 92))]
        period = official.chosen_period(actor, None, [code for code, _name in units])
        sent: list[str] = []
        note = lambda _conn, _cursor, statement, *_args: sent.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", note)
        board = official.board(actor, units, period)
        event.remove(db.engine, "before_cursor_execute", note)
        part = percentiles([timed(lambda: official.board(actor, units, period)) for _ in range(args.rounds)])
    return {"backend": backend, "households": households, "visits": visits, "figures": figures, "units": len(units),
            "period": period.key, "checks": len(board.level2), "statements": len(sent), "page": page, "part": part}


def main() -> None:
    args, backends = province_arguments(__doc__, areas=20, households=400)
    results = [run(b, args) for b in backends]
    if args.seed_only:
        return
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    rows = "\n".join(
        f"| {r['backend']} | {r['households']:,} | {r['visits']:,} | {r['figures']:,} | {r['page']['p50']:.0f} "
        f"| {r['page']['p95']:.0f} | {r['part']['p50']:.1f} | {r['part']['p95']:.1f} | {r['statements']} |"
        for r in results
    )
    write_section("Official figures on the province board (issue 13)", f"""
`python -m bench.official` over the province `bench.boards` seeds ({args.wards} units of Cần Thơ, {args.areas}
areas of {args.households} households each, three months of visits); the demo adds the last two months'
official figures of all 103 units, the province's targets and two units' police level-2 counts. The province
board as the administrator ({args.rounds} requests, Flask test client: queries, Python and rendering; it opens
on the latest period with figures), and the official part alone (`official.board` for every unit). Goal:
province board with official figures p95 < 500 ms at 103 units / 800,000 households / 5,000,000 visits.
Below that size the board's own figure only shows the order of things (`bench.boards` measures the full-size
board); the official part does not grow with households or visits. Machine: {machine()}; load average while
measuring {load} (other work on the machine slows every figure alike).

| database | households | visits | figures | board p50 ms | board p95 ms | part p50 ms | part p95 ms | part SQL |
|---|---|---|---|---|---|---|---|---|
{rows}
""")
    for r in results:
        print(r)


if __name__ == "__main__":
    main()
