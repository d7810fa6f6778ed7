"""Importing 20,000 households from one CSV file: upload and check (preview), then confirm (bulk insert).

    .venv/bin/python -m bench.import_households [--backend sqlite|postgresql|both] [--rows 20000]
"""

import argparse
import io

from sqlalchemy import func, select

from bench.common import fresh_app, machine, timed, write_section

HEADER = ("Khu vực,Địa chỉ,Tên hiển thị,Số người,Số người từ 14 tuổi,Số điện thoại,Đồng ý lưu số điện thoại,Nhóm ưu tiên,"
          "Đồng ý lưu nhóm ưu tiên")
AREAS = 40


def _file(rows: int) -> bytes:
    lines = [HEADER] + [
        f"Khu vực {n % AREAS + 1},Số {n} Đường Trần Hưng Đạo,Nguyễn Văn {n},4,3,09{n:08d},có,Hộ nghèo,có"
        for n in range(rows)
    ]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def run(backend: str, rows: int) -> dict:
    from app.extensions import db
    from app.models import Area, Household, Role, User
    from app.services.accounts import hash_password

    app = fresh_app(backend)
    ward_code = 31135
    with app.app_context():
        db.session.add_all(Area(ward_code=ward_code, name=f"Khu vực {n + 1}") for n in range(AREAS))
        db.session.add(User(username="dieuphoi", display_name="Điều phối", role=Role.COORDINATOR,
                            password_hash=hash_password("mat-khau-bench-1"), province_code=92, ward_code=ward_code))
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "dieuphoi", "password": "mat-khau-bench-1"})
    data = _file(rows)
    answers = {}

    def upload():
        answers["upload"] = client.post("/lists/import", data={"file": (io.BytesIO(data), "ho.csv")},
                                        content_type="multipart/form-data")

    check_ms = timed(upload)
    token = answers["upload"].location.rsplit("/", 1)[-1]
    store_ms = timed(lambda: answers.update(confirm=client.post(f"/lists/import/{token}")))
    assert answers["confirm"].status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Household))
    assert stored == rows, stored
    return {"backend": backend, "rows": rows, "bytes": len(data), "check_s": check_ms / 1000, "store_s": store_ms / 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [run(b, args.rows) for b in backends]
    table = "\n".join(
        f"| {r['backend']} | {r['rows']:,} | {r['bytes'] / 1e6:.1f} MB | {r['check_s']:.1f} | {r['store_s']:.1f} "
        f"| {r['check_s'] + r['store_s']:.1f} |"
        for r in results
    )
    write_section("Household import (ward lists issue)", f"""
`python -m bench.import_households` — one CSV file of {args.rows:,} households (UTF-8 with BOM, Vietnamese
headers, name, phone and a sensitive priority group with consent on every row) over 40 areas of one ward, sent by a
coordinator over the Flask test client. "check" is step 1 (upload, read, check every row against the ward's
areas and addresses, write the waiting file); "store" is step 2 (confirm: re-check addresses, bulk insert in
one transaction, commit). Goal: under 30 s in all. Machine: {machine()}.

| database | rows | file | check s | store s | total s |
|---|---|---|---|---|---|
{table}
""")
    for r in results:
        print(r)


if __name__ == "__main__":
    main()
