"""The visit write path against the database's own ceiling, in one run on this machine.

    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/NAME .venv/bin/python -m bench.write_path \\
        [--backend sqlite|postgresql|both] [--visits 3000] [--volunteers 60] [--posts 15]

For each database: the ceiling, a plain driver loop of one insert plus one upsert per transaction
(sqlite3 on a WAL file with the app's pragmas; psycopg on the same server); then `visits.record` in-process,
one commit per visit; then the visits POSTed to /api/visits under gunicorn by simulated phones on this same
machine (bench/load.py's phones, no faults). Rates are printed as ratios of the ceiling. After each run:
every acknowledged visit stored once, and `flask rollup verify`.
"""

import argparse
import os
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench import load
from bench.common import ROOT, machine, write_section

CEILING_ROWS = 5000


def sqlite_ceiling(count: int) -> float:
    path = Path(tempfile.mkdtemp(prefix="phuso-ceiling-")) / "ceiling.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "secure_delete=ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, client_id TEXT UNIQUE, household INT, note TEXT)")
    conn.execute("CREATE TABLE day_count (day INT, team INT, visits INT, PRIMARY KEY (day, team))")
    started = time.perf_counter()
    for i in range(count):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO visit (client_id, household, note) VALUES (?, ?, ?)", (str(uuid.uuid4()), i % 97, "x"))
        conn.execute("INSERT INTO day_count VALUES (?, ?, 1) ON CONFLICT (day, team) DO UPDATE SET visits = visits + 1",
                     (i % 30, i % 7))
        conn.execute("COMMIT")
    return count / (time.perf_counter() - started)


def pg_ceiling(url: str, count: int) -> float:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("DROP TABLE IF EXISTS ceiling_visit, ceiling_count")
        conn.execute("CREATE TABLE ceiling_visit (id SERIAL PRIMARY KEY, client_id TEXT UNIQUE, household INT, note TEXT)")
        conn.execute("CREATE TABLE ceiling_count (day INT, team INT, visits INT, PRIMARY KEY (day, team))")
        conn.commit()
        started = time.perf_counter()
        for i in range(count):
            conn.execute("INSERT INTO ceiling_visit (client_id, household, note) VALUES (%s, %s, %s)",
                         (str(uuid.uuid4()), i % 97, "x"))
            conn.execute("INSERT INTO ceiling_count VALUES (%s, %s, 1) ON CONFLICT (day, team) "
                         "DO UPDATE SET visits = ceiling_count.visits + 1", (i % 30, i % 7))
            conn.commit()
        rate = count / (time.perf_counter() - started)
        conn.execute("DROP TABLE ceiling_visit, ceiling_count")
    return rate


def verified(env) -> bool:
    check = subprocess.run([f"{load.VENV_BIN}/flask", "--app", "wsgi", "rollup", "verify"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    if check.returncode:
        print(check.stdout[-2000:], check.stderr[-2000:])
    return check.returncode == 0


def posted_rate(url: str, names: list[str], posts: int) -> dict:
    """Simulated phones POSTing visits to gunicorn: the steady rate once every phone is sending."""
    from app.services import demo

    work_dir = tempfile.mkdtemp(prefix="phuso-write-")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": uuid.uuid4().hex, "PHUSO_INSTANCE_DIR": work_dir,
           "PHUSO_BIND": f"127.0.0.1:{load.free_port()}", "WEB_CONCURRENCY": str(load.WORKERS),
           "PHUSO_LOG_LEVEL": "warning"}
    server = load.Server(env, os.path.join(work_dir, "gunicorn.log"))
    server.start()
    tally = load.Tally()
    deadline = time.perf_counter() + load.LOAD_DEADLINE_S
    phones = [threading.Thread(target=load.volunteer, args=(server.port, name, demo.DEMO_PASSWORD, posts, tally,
                                                            deadline, i)) for i, name in enumerate(names)]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join()
    finished = tally.now()
    server.stop()
    ready = max(tally.phones_ready, default=0)
    # Steady: from the moment the last phone could send until nine visits in ten were done (the tail is
    # phones running out of visits).
    done = sorted(tally.visit_done_at)
    window_end = done[int(len(done) * 0.9)] if done else finished
    steady = sum(1 for at in done if ready <= at <= window_end) / max(window_end - ready, 1e-9)
    return {"env": env, "tally": tally, "steady": steady, "overall": len(done) / finished}


def run(backend: str, args) -> dict:
    pg_url = os.environ.get("BENCH_PG_URL")
    if backend == "postgresql" and (not pg_url or pg_url.rsplit("/", 1)[-1] == "test"):
        raise SystemExit("Set BENCH_PG_URL to a PostgreSQL database of your own (never `test`).")
    ceiling = sqlite_ceiling(CEILING_ROWS) if backend == "sqlite" else pg_ceiling(pg_url, CEILING_ROWS)
    app, url, names, households = load.prepare(backend, args, pg_url if backend == "postgresql" else None)
    env = {**os.environ, "DATABASE_URL": url, "PHUSO_INSTANCE_DIR": tempfile.mkdtemp(prefix="phuso-write-")}
    in_process = load.raw_record_rate(app, args.visits)
    in_process_ok = verified(env)
    posted = posted_rate(url, names, args.posts)
    tally = posted["tally"]
    stored = load.stored_client_ids(app, tally.sent_ids)
    result = {
        "backend": backend, "households": households, "ceiling": ceiling, "in_process": in_process,
        "phones": len(names), "posted": posted["steady"], "posted_overall": posted["overall"],
        "acked": len(tally.acked_ids), "lost": len(tally.acked_ids - set(stored)),
        "doubled": len(stored) - len(set(stored)), "verify": in_process_ok and verified(env),
    }
    print(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--visits", type=int, default=3000, help="visits recorded in-process")
    parser.add_argument("--volunteers", type=int, default=60, help="simulated phones under gunicorn")
    parser.add_argument("--posts", type=int, default=15, help="visits each phone sends")
    parser.add_argument("--wards", type=int, default=4)
    parser.add_argument("--households", type=int, default=8, help="households per area (one area per team)")
    args = parser.parse_args()
    results = [run(b, args) for b in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend])]
    lines = ["| database | ceiling: insert + upsert per transaction | `visits.record` in-process | ratio | "
             f"visit POSTs under gunicorn ({load.WORKERS} workers, phones on this machine), steady | ratio | "
             "lost / doubled | `rollup verify` |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['backend']} | {r['ceiling']:,.0f}/s | {r['in_process']:,.0f}/s | "
                     f"{r['in_process'] / r['ceiling']:.2f} | {r['posted']:,.0f}/s ({r['phones']} phones) | "
                     f"{r['posted'] / r['ceiling']:.2f} | {r['lost']} / {r['doubled']} of {r['acked']} | "
                     f"{'agrees' if r['verify'] else 'DIFFERS'} |")
    body = (f"`python -m bench.write_path` on {machine()}, everything in one run. A visit is at most 8 "
            "statements (tests/test_write_path.py; 17 to 19 before).\n\n" + "\n".join(lines))
    print(body)
    write_section("Visit write path", body)


if __name__ == "__main__":
    main()
