"""A unit's periodic report as DOCX, and the province roll-up, at province scale (over HTTP: queries, figures,
python-docx and the response).

    .venv/bin/python -m bench.reports [--backend sqlite|postgresql|both] [--wards 103] [--areas 20]
                                      [--households 400] [--visit-rounds 4] [--rounds 20]
                                      [--sqlite-file F] [--pg-url URL] [--seed-only | --reuse]

Same dataset and options as bench.boards (seed once with --seed-only, measure with --reuse). The coordinator of
the first demo unit writes the current month's and quarter's reports (Decree 09 cut-off), downloads each as
DOCX `--rounds` times and sends the month's; the administrator downloads the province roll-up of the month
(one unit sent, the others counted live: the costlier case). Goal (issue 13): a unit's DOCX under 2 s, the
province roll-up under 5 s. The reports this bench writes are deleted at its start and end.
"""

import io

from sqlalchemy import delete, func, select

from bench.common import (
    machine,
    percentiles,
    province_arguments,
    province_dataset,
    timed,
    vacuum_analyze,
    write_section,
)

TEXT = {"doc_number": "15/BC-UBND", "place": "Ninh Kiều", "doc_date": "2026-12-14",
        "results": "Các tổ đã hỗ trợ các hộ kích hoạt tài khoản định danh mức độ 2.\n" * 20,
        "shortcomings": "Còn nhiều hộ vắng nhà.\n" * 5, "next_tasks": "Quay lại các hộ hẹn hỗ trợ.\n" * 5,
        "recipients": "Sở Khoa học và Công nghệ\nLưu: VT", "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "signer_name": "Nguyễn Văn An"}


def _args(period) -> str:
    return f"kind={period.kind}&cutoff={period.cutoff}&year={period.year}&number={period.number}"


def _forget_reports() -> None:
    from app.extensions import db
    from app.models import PeriodicReport

    db.session.execute(delete(PeriodicReport))
    db.session.commit()


def run(backend: str, args) -> dict:
    from docx import Document

    from app.extensions import db
    from app.models import Household, Visit, Ward
    from app.services import demo
    from app.services.reports.periods import Kind, current

    app, seeded_s = province_dataset(backend, args)
    if backend == "postgresql" and not args.seed_only:
        vacuum_analyze(app)  # as autovacuum keeps a real server (it is off on the bench machine)
    with app.app_context():
        households = db.session.scalar(select(func.count()).select_from(Household))
        visits = db.session.scalar(select(func.count()).select_from(Visit))
        wards = db.session.scalar(select(func.count(func.distinct(Household.ward_code))))
        units = db.session.scalar(select(func.count()).select_from(Ward))
        if args.seed_only:
            print({"backend": backend, "households": households, "visits": visits, "seed_s": round(seeded_s)},
                  flush=True)
            return {}
        _forget_reports()
        month, quarter = current(Kind.MONTH), current(Kind.QUARTER)
    coordinator, admin = app.test_client(), app.test_client()
    assert coordinator.post("/login", data={"username": "dieuphoi", "password": demo.DEMO_PASSWORD}).status_code == 302
    assert admin.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD}).status_code == 302

    def docx_samples(period) -> dict:
        created = coordinator.post(f"/reports/new?{_args(period)}", data=TEXT)
        assert created.status_code == 303, created.status_code
        url = created.location + "/docx"
        first = coordinator.get(url)
        assert first.status_code == 200 and Document(io.BytesIO(first.data)).tables, url
        return {"url": created.location, **percentiles([timed(lambda: coordinator.get(url)) for _ in range(args.rounds)])}

    month_docx = docx_samples(month)
    quarter_docx = docx_samples(quarter)
    sent_status = []
    send_ms = timed(lambda: sent_status.append(coordinator.post(month_docx["url"] + "/send", data=TEXT).status_code))
    assert sent_status == [303], sent_status
    sent_docx = percentiles([timed(lambda: coordinator.get(month_docx["url"] + "/docx")) for _ in range(args.rounds)])
    rollup_url = f"/reports/province/rollup.docx?{_args(month)}"
    first = admin.get(rollup_url)
    assert first.status_code == 200 and len(Document(io.BytesIO(first.data)).tables[-1].rows) == units + 2
    rollup = percentiles([timed(lambda: admin.get(rollup_url)) for _ in range(max(args.rounds // 2, 5))])
    listing = percentiles([timed(lambda: admin.get(f"/reports/province?{_args(month)}")) for _ in range(args.rounds)])
    with app.app_context():
        _forget_reports()
    return {"backend": backend, "households": households, "visits": visits, "wards": wards, "units": units,
            "seed_s": seeded_s, "month": month_docx, "quarter": quarter_docx, "send_ms": send_ms, "sent": sent_docx,
            "rollup": rollup, "listing": listing}


def main() -> None:
    args, backends = province_arguments(__doc__, areas=20, households=400)
    results = [r for r in (run(b, args) for b in backends) if r]
    if not results:
        return
    rows = "\n".join(
        f"| {r['backend']} | {r['wards']} of {r['units']} | {r['households']:,} | {r['visits']:,} "
        f"| {r['month']['p50']:.0f} / {r['month']['p95']:.0f} | {r['quarter']['p50']:.0f} / {r['quarter']['p95']:.0f} "
        f"| {r['send_ms']:.0f} | {r['sent']['p95']:.0f} | {r['rollup']['p50']:.0f} / {r['rollup']['p95']:.0f} "
        f"| {r['listing']['p95']:.0f} |"
        for r in results
    )
    write_section("Periodic report and province roll-up (official figures issue)", f"""
`python -m bench.reports --wards {args.wards} --areas {args.areas} --households {args.households}
--visit-rounds {args.visit_rounds}` — over the Flask test client (queries, the board's figures for the period,
python-docx, the response). The coordinator of one unit downloads its draft report for the current month and
quarter (Decree 09 cut-off) as DOCX, sends the month's (its figures computed once more and frozen), downloads
the sent one (read from its snapshot); the administrator downloads the province roll-up of the month (one unit
sent, every other unit's figures computed live in one province-wide pass) and opens the list of reports
received. Times in ms, p50 / p95 of {args.rounds} downloads ({max(args.rounds // 2, 5)} for the roll-up).
Goal: a unit's DOCX under 2 s, the roll-up under 5 s. Machine: {machine()}; other work was running on it.

| database | units with data | households | visits | month DOCX | quarter DOCX | send | sent DOCX p95 | roll-up DOCX | list p95 |
|---|---|---|---|---|---|---|---|---|---|
{rows}
""")


if __name__ == "__main__":
    main()
