"""The visit write path against the database's own ceiling, in one run on this machine.

    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/NAME .venv/bin/python -m bench.write_path \\
        [--backend sqlite|postgresql|both] [--rounds 5] [--visits 400] [--volunteers 60] [--posts 15]

For each database: the ceiling, a plain driver loop of one insert plus one upsert per transaction (sqlite3 on
a WAL file with the app's pragmas; psycopg on the same server), and `visits.record` in-process, one commit
per visit (bench/load.py's `raw_record_rate`), taken in turns, round after round, so that both see the same
load from whatever else shares the machine: the ratio of each round is of two figures measured within
seconds of each other. Then the time of each stage of a visit (its CPU time and wall time, timed around the
function of each stage), and the visits POSTed to /api/visits under gunicorn by simulated phones on this
same machine (bench/load.py's phones, no faults), beside a ceiling taken just before and just after. After
each run: every acknowledged visit stored once, and `flask rollup verify`.
"""

import argparse
import functools
import os
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

from bench import load
from bench.common import ROOT, machine, write_section


class SqliteCeiling:
    """One insert plus one upsert per transaction, with the app's pragmas, on a file of its own."""

    def __init__(self):
        path = Path(tempfile.mkdtemp(prefix="phuso-ceiling-")) / "ceiling.db"
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "secure_delete=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, client_id TEXT UNIQUE, household INT, note TEXT)")
        self.conn.execute("CREATE TABLE day_count (day INT, team INT, visits INT, PRIMARY KEY (day, team))")
        self.done = 0

    def run(self, count: int) -> None:
        for i in range(self.done, self.done + count):
            self.conn.execute("BEGIN")
            self.conn.execute("INSERT INTO visit (client_id, household, note) VALUES (?, ?, ?)",
                              (str(uuid.uuid4()), i % 97, "x"))
            self.conn.execute("INSERT INTO day_count VALUES (?, ?, 1) ON CONFLICT (day, team) "
                              "DO UPDATE SET visits = visits + 1", (i % 30, i % 7))
            self.conn.execute("COMMIT")
        self.done += count

    def close(self) -> None:
        self.conn.close()


class PostgresCeiling:
    """The same on the PostgreSQL server, with psycopg (server settings as they are: synchronous commit)."""

    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        self.conn.execute("DROP TABLE IF EXISTS ceiling_visit, ceiling_count")
        self.conn.execute("CREATE TABLE ceiling_visit (id SERIAL PRIMARY KEY, client_id TEXT UNIQUE, household INT, "
                          "note TEXT)")
        self.conn.execute("CREATE TABLE ceiling_count (day INT, team INT, visits INT, PRIMARY KEY (day, team))")
        self.conn.commit()
        self.done = 0

    def run(self, count: int) -> None:
        for i in range(self.done, self.done + count):
            self.conn.execute("INSERT INTO ceiling_visit (client_id, household, note) VALUES (%s, %s, %s)",
                              (str(uuid.uuid4()), i % 97, "x"))
            self.conn.execute("INSERT INTO ceiling_count VALUES (%s, %s, 1) ON CONFLICT (day, team) "
                              "DO UPDATE SET visits = ceiling_count.visits + 1", (i % 30, i % 7))
            self.conn.commit()
        self.done += count

    def close(self) -> None:
        self.conn.execute("DROP TABLE ceiling_visit, ceiling_count")
        self.conn.commit()
        self.conn.close()


def timed(run, count: int) -> tuple[float, float]:
    """(operations per second, CPU milliseconds of this process per operation) of `run(count)`."""
    cpu, wall = time.process_time(), time.perf_counter()
    run(count)
    return count / (time.perf_counter() - wall), (time.process_time() - cpu) / count * 1000


def in_turns(ceiling, app, rounds: int, visits: int) -> list[dict]:
    """Ceiling and in-process recording, one after the other, `rounds` times."""
    ceiling_ops = visits * 5 if isinstance(ceiling, SqliteCeiling) else visits
    ceiling.run(50)
    load.raw_record_rate(app, 50)  # warm: statements prepared, caches filled
    found = []
    for _ in range(rounds):
        ceiling_rate, ceiling_cpu = timed(ceiling.run, ceiling_ops)
        record_rate, record_cpu = timed(lambda n: load.raw_record_rate(app, n), visits)
        found.append({"ceiling": ceiling_rate, "ceiling_cpu": ceiling_cpu, "record": record_rate,
                      "record_cpu": record_cpu, "ratio": record_rate / ceiling_rate, "load": os.getloadavg()[0]})
        print(found[-1], flush=True)
    return found


# The stages of a visit, each timed around its function (module, attribute, label); they do not overlap.
STAGES = [
    ("app.web", "load_user", "login: the volunteer read by id (`web.load_user`)"),
    ("app.services.rollups.write_path", "arrive",
     "household `UPDATE … RETURNING` its visits, and the state before replayed from them"),
    ("app.services.visits", "insert_row_ignoring", "visit `INSERT … ON CONFLICT DO NOTHING RETURNING id`"),
    ("app.services.visits", "loaded", "the `Visit` object put in the session as if loaded (no read back)"),
    ("app.services.rollups.write_path", "recorded",
     "rollups: contributions and household-days in Python, one upsert per table that moves"),
    ("app.services.audit", "record", "audit row `INSERT`"),
    ("sqlalchemy.orm.session", "Session.commit", "commit"),
]
RECORD = ("app.services.visits", "record")


def stage_times(app, visits: int) -> tuple[dict, dict, float, float]:
    """CPU and wall milliseconds per visit of each stage, and of the whole loop."""
    import importlib

    cpu: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)
    patched = []

    def wrap(module_name: str, attribute: str, label: str) -> None:
        owner = importlib.import_module(module_name)
        name = attribute
        if "." in attribute:
            class_name, name = attribute.split(".")
            owner = getattr(owner, class_name)
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed_stage(*args, **kwargs):
            started_cpu, started = time.process_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                cpu[label] += time.process_time() - started_cpu
                wall[label] += time.perf_counter() - started

        setattr(owner, name, timed_stage)
        patched.append((owner, name, original))

    for module_name, attribute, label in [*STAGES, (*RECORD, "record")]:
        wrap(module_name, attribute, label)
    try:
        started_cpu, started = time.process_time(), time.perf_counter()
        load.raw_record_rate(app, visits)
        total_cpu, total_wall = time.process_time() - started_cpu, time.perf_counter() - started
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)
    inside = [label for _m, _a, label in STAGES[1:-1]]
    checks = "checks: role, normalising, validation, content hash (the rest of `visits.record`)"
    cpu[checks] = cpu.pop("record") - sum(cpu[label] for label in inside)
    wall[checks] = wall.pop("record") - sum(wall[label] for label in inside)
    outside = "the bench loop itself (choosing, building the input)"
    cpu[outside] = total_cpu - sum(cpu.values())
    wall[outside] = total_wall - sum(wall.values())
    per_visit = 1000 / visits
    return ({k: v * per_visit for k, v in cpu.items()}, {k: v * per_visit for k, v in wall.items()},
            total_cpu * per_visit, total_wall * per_visit)


def verified(env) -> bool:
    check = subprocess.run([f"{load.VENV_BIN}/flask", "--app", "wsgi", "rollup", "verify"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    if check.returncode:
        print(check.stdout[-2000:], check.stderr[-2000:])
    return check.returncode == 0


def _server_cpu(server) -> float:
    """CPU seconds used so far by gunicorn's master and its live workers (/proc: utime + stime)."""
    total = 0
    for pid in [server.process.pid, *server.workers()]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _sample_cpu(server, samples: list, stop: threading.Event) -> None:
    """(time on the tally's clock, server CPU seconds), every 0.1 s until `stop`."""
    while not stop.is_set():
        samples.append((time.perf_counter(), _server_cpu(server)))
        stop.wait(0.1)


def _cpu_between(samples: list, start: float, end: float) -> float:
    """Server CPU seconds used between two moments, from the samples nearest them."""
    def at(moment: float) -> float:
        return min(samples, key=lambda s: abs(s[0] - moment))[1]
    return at(end) - at(start)


def posted_rate(url: str, names: list[str], posts: int, workers: int) -> dict:
    """Simulated phones POSTing visits to gunicorn: the steady rate once every phone is sending."""
    from app.services import demo

    work_dir = tempfile.mkdtemp(prefix="phuso-write-")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": uuid.uuid4().hex, "PHUSO_INSTANCE_DIR": work_dir,
           "PHUSO_BIND": f"127.0.0.1:{load.free_port()}", "WEB_CONCURRENCY": str(workers),
           "PHUSO_LOG_LEVEL": "warning"}
    server = load.Server(env, os.path.join(work_dir, "gunicorn.log"), workers)
    server.start()
    tally = load.Tally()
    deadline = time.perf_counter() + load.LOAD_DEADLINE_S
    phones = [threading.Thread(target=load.volunteer, args=(server.port, name, demo.DEMO_PASSWORD, posts, tally,
                                                            deadline, i)) for i, name in enumerate(names)]
    samples: list = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_cpu, args=(server, samples, stop))
    sampler.start()
    cpu = time.process_time()
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join()
    finished = tally.now()
    phones_cpu = time.process_time() - cpu
    stop.set()
    sampler.join()
    server.stop()
    ready = max(tally.phones_ready, default=0)
    # Steady: from the moment the last phone could send until nine visits in ten were done (the tail is
    # phones running out of visits).
    done = sorted(tally.visit_done_at)
    window_end = done[int(len(done) * 0.9)] if done else finished
    in_window = sum(1 for at in done if ready <= at <= window_end)
    steady = in_window / max(window_end - ready, 1e-9)
    # The tally's times count from its start: the samples' clock is perf_counter.
    origin = tally.started
    server_cpu = _cpu_between(samples, origin + ready, origin + window_end)
    return {"env": env, "tally": tally, "steady": steady, "overall": len(done) / finished,
            "phones_cpu_ms": phones_cpu / max(len(tally.requests), 1) * 1000,
            "server_cpu_ms": server_cpu / max(in_window, 1) * 1000}


def run(backend: str, args) -> dict:
    pg_url = os.environ.get("BENCH_PG_URL")
    if backend == "postgresql" and (not pg_url or pg_url.rsplit("/", 1)[-1] == "test"):
        raise SystemExit("Set BENCH_PG_URL to a PostgreSQL database of your own (never `test`).")
    app, url, names, households = load.prepare(backend, args, pg_url if backend == "postgresql" else None)
    env = {**os.environ, "DATABASE_URL": url, "PHUSO_INSTANCE_DIR": tempfile.mkdtemp(prefix="phuso-write-")}
    load_before = os.getloadavg()
    ceiling = SqliteCeiling() if backend == "sqlite" else PostgresCeiling(pg_url)
    rounds = in_turns(ceiling, app, args.rounds, args.visits)
    stages_cpu, stages_wall, loop_cpu, loop_wall = stage_times(app, args.visits)
    in_process_ok = verified(env)
    posted_ceiling_before, _cpu = timed(ceiling.run, args.visits)
    posted = posted_rate(url, names, args.posts, args.workers)
    posted_ceiling_after, _cpu = timed(ceiling.run, args.visits)
    ceiling.close()
    tally = posted["tally"]
    stored = load.stored_client_ids(app, tally.sent_ids)
    posted_ceiling = (posted_ceiling_before + posted_ceiling_after) / 2
    result = {
        "backend": backend, "households": households, "rounds": rounds,
        "ceiling": statistics.median(r["ceiling"] for r in rounds),
        "ceiling_cpu": statistics.median(r["ceiling_cpu"] for r in rounds),
        "in_process": statistics.median(r["record"] for r in rounds),
        "in_process_cpu": statistics.median(r["record_cpu"] for r in rounds),
        "ratio": statistics.median(r["ratio"] for r in rounds),
        "stages_cpu": stages_cpu, "stages_wall": stages_wall, "loop_cpu": loop_cpu, "loop_wall": loop_wall,
        "phones": len(names), "posted": posted["steady"], "posted_overall": posted["overall"],
        "posted_ceiling": posted_ceiling, "phones_cpu_ms": posted["phones_cpu_ms"],
        "server_cpu_ms": posted["server_cpu_ms"],
        "acked": len(tally.acked_ids), "lost": len(tally.acked_ids - set(stored)),
        "doubled": len(stored) - len(set(stored)), "verify": in_process_ok and verified(env),
        "load": (load_before[0], os.getloadavg()[0]),
    }
    print({k: v for k, v in result.items() if k not in ("rounds", "stages_cpu", "stages_wall")})
    return result


def stage_table(results: list[dict]) -> str:
    lines = ["| stage of one visit | " + " | ".join(f"{r['backend']}: CPU / wall ms" for r in results) + " |",
             "|---|" + "---|" * len(results)]
    for label in results[0]["stages_cpu"]:
        lines.append(f"| {label} | " + " | ".join(
            f"{r['stages_cpu'][label]:.3f} / {r['stages_wall'][label]:.3f}" for r in results) + " |")
    lines.append("| **a visit, in all** | " + " | ".join(
        f"**{r['loop_cpu']:.3f} / {r['loop_wall']:.3f}**" for r in results) + " |")
    lines.append("| the ceiling's transaction (median of the rounds) | " + " | ".join(
        f"{r['ceiling_cpu']:.3f} / {1000 / r['ceiling']:.3f}" for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=5, help="turns of ceiling and in-process recording")
    parser.add_argument("--visits", type=int, default=400, help="visits recorded in-process per round")
    parser.add_argument("--volunteers", type=int, default=60, help="simulated phones under gunicorn")
    parser.add_argument("--posts", type=int, default=15, help="visits each phone sends")
    parser.add_argument("--workers", type=int, default=load.WORKERS, help="gunicorn workers (2 threads each)")
    parser.add_argument("--wards", type=int, default=4)
    # A household gets a few visits in a month, as in the field (a visit replays its household's visits: with 8
    # per area, each got 15 to 40 in one run).
    parser.add_argument("--households", type=int, default=40, help="households per area (one area per team)")
    args = parser.parse_args()
    results = [run(b, args) for b in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend])]
    lines = ["| database | ceiling: insert + upsert per transaction | `visits.record` in-process, one commit each | "
             "ratio | visit POSTs under gunicorn, steady (server CPU per visit; ceiling then) | ratio | lost / doubled | "
             "`rollup verify` | load average |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['ceiling']:,.0f}/s ({r['ceiling_cpu']:.3f} ms CPU) | "
            f"{r['in_process']:,.0f}/s ({r['in_process_cpu']:.2f} ms CPU) | {r['ratio']:.3f} | "
            f"{r['posted']:,.0f}/s ({r['server_cpu_ms']:.2f} ms; {r['posted_ceiling']:,.0f}/s) | "
            f"{r['posted'] / r['posted_ceiling']:.3f} | "
            f"{r['lost']} / {r['doubled']} of {r['acked']} | {'agrees' if r['verify'] else 'DIFFERS'} | "
            f"{r['load'][0]:.1f} → {r['load'][1]:.1f} |")
    rounds = "\n".join(
        f"- {r['backend']}, each round's ceiling / in-process / ratio: " + "; ".join(
            f"{x['ceiling']:,.0f} / {x['record']:,.0f} / {x['ratio']:.3f}" for x in r["rounds"])
        + f"; the phones' own CPU {r['phones_cpu_ms']:.2f} ms per request" for r in results)
    body = (f"`python -m bench.write_path` on {machine()}, everything in one run ({args.rounds} rounds of "
            f"{args.visits} visits in-process, each beside the ceiling; {args.volunteers} phones × {args.posts} "
            f"visits under gunicorn with {args.workers} workers of 2 threads). Medians of the rounds; CPU: this "
            "process's own per operation.\n\n" + "\n".join(lines) + "\n\n" + rounds
            + "\n\nWhere a visit's time goes (one more run of the in-process loop, each stage timed around its "
            "function; wall time counts waiting for the database and for the CPU other processes hold):\n\n"
            + stage_table(results))
    print(body)
    # What the figures mean and what bounds them is the next section, "Visit write path: reading", kept by hand.
    write_section("Visit write path", body)


if __name__ == "__main__":
    main()
