"""Shared pieces of the benchmark scripts: a fresh database, timing, and writing BENCHMARKS.md."""

import argparse
import gzip
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
# Its schema is dropped and recreated: point BENCH_PG_URL at a database of your own.
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CAN_THO = 92
# Responses the production reverse proxy compresses (gzip level 6).
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


class Gzip:
    """WSGI layer that gzips text responses as the production reverse proxy does; counts what crossed it.
    `respond` is where a subclass holds the response (a slow link)."""

    def __init__(self, app):
        self.app, self.bytes, self.requests = app, 0, 0

    def __call__(self, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        answer = self.app(environ, capture)
        try:
            body = b"".join(answer)
        finally:
            getattr(answer, "close", lambda: None)()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        kind = {k.lower(): v for k, v in headers}.get("content-type", "")
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") and kind.startswith(COMPRESSIBLE) and body:
            body = gzip.compress(body, 6)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        self.bytes += len(body)
        self.requests += 1
        self.respond(body)
        start_response(captured["status"], headers)
        return [body]

    def respond(self, body: bytes) -> None:
        """Nothing more than the proxy: answer at once."""


def gzipped_wsgi():
    """The production app (wsgi.py) behind gzip: `gunicorn 'bench.common:gzipped_wsgi()'`."""
    from wsgi import app

    return Gzip(app)


def fresh_app(backend: str, pg_url: str = PG_URL, sqlite_file: str | None = None, reuse: bool = False,
              province: int = CAN_THO):
    """An app on an empty, migrated database with the province's wards loaded (Cần Thơ unless told);
    with `reuse`, on the database a previous run seeded (`sqlite_file` or `pg_url`), left as it is."""
    os.environ.setdefault("PHUSO_INSTANCE_DIR", tempfile.mkdtemp(prefix="phuso-bench-"))
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import geo

    if backend == "postgresql":
        url = pg_url
    else:
        path = Path(sqlite_file) if sqlite_file else Path(tempfile.mkdtemp(prefix="phuso-bench-")) / "bench.db"
        if not reuse:
            for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                stale.unlink(missing_ok=True)
        url = f"sqlite:///{path.resolve()}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    if reuse:
        return app
    with app.app_context():
        if backend == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        geo.load_province(province)
        db.session.commit()
    return app


def province_arguments(description: str, areas: int, households: int):
    """The options of the province-scale benchmarks: the dataset's size, the databases, how often to time.
    Returns the parsed options and the backends to run."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--province", type=int, default=CAN_THO,
                        help="official province code: 92 Cần Thơ (103 wards), 79 Hồ Chí Minh City (168)")
    parser.add_argument("--wards", type=int, default=None, help="wards to seed (default: all of the province's)")
    parser.add_argument("--areas", type=int, default=areas, help="areas (and teams) per ward")
    parser.add_argument("--households", type=int, default=households, help="households per area")
    parser.add_argument("--visit-rounds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=60)
    add_database_options(parser)
    args = parser.parse_args()
    if args.wards is None:
        from app.services import geo

        args.wards = geo.ward_count(args.province)
    return args, (["sqlite", "postgresql"] if args.backend == "both" else [args.backend])


def province_dataset(backend: str, args):
    """The app on the benchmark's database, seeded to the asked size unless --reuse; returns it and the
    seconds seeding took."""
    from app.extensions import db
    from app.services import demo

    app = fresh_app(backend, args.pg_url or PG_URL, args.sqlite_file, args.reuse, args.province)
    with app.app_context():
        started = time.perf_counter()
        if not args.reuse:
            rebuild = _bulk_load() if backend == "postgresql" else []
            demo.seed(args.province, demo.SeedSize(wards=args.wards, areas_per_ward=args.areas,
                                                   households_per_area=args.households, months=3,
                                                   visit_rounds=args.visit_rounds),
                      campaign_units=not args.no_campaign_units)
            for statement in rebuild:
                db.session.execute(text(statement))
            db.session.commit()
    return app, time.perf_counter() - started


BULK_TABLES = ("household", "visit")
# Read while seeding: the rollups are rebuilt from the visits household by household.
BULK_KEEP = ("ix_visit_household_time",)


def _bulk_load() -> list[str]:
    """Make this PostgreSQL transaction a bulk load, as a restore does: foreign keys not checked row by row (the
    generator makes consistent rows; `flask rollup verify` checks the figures), the unique constraints and
    secondary indexes of households and visits built once at the end instead of row by row. Returns the
    statements that build them again."""
    from app.extensions import db

    db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    tables = {"tables": list(BULK_TABLES), "keep": list(BULK_KEEP)}
    constraints = db.session.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'u' AND conrelid::regclass::text = ANY(:tables)"), tables).all()
    indexes = db.session.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(:tables) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint) AND indexname <> ALL(:keep)"), tables).all()
    for table, name, _definition in constraints:
        db.session.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        db.session.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints]


def add_database_options(parser) -> None:
    """--sqlite-file, --pg-url, --reuse and --seed-only: seed the full size once, measure it many times."""
    parser.add_argument("--sqlite-file", help="SQLite database file to seed (or, with --reuse, to measure)")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL URL (default: BENCH_PG_URL)")
    parser.add_argument("--reuse", action="store_true", help="measure the database a previous run seeded")
    parser.add_argument("--seed-only", action="store_true", help="seed, print the sizes and stop")
    parser.add_argument("--no-campaign-units", action="store_true",
                        help="seed without the campaign household-days (the boards never read them; "
                             "`flask rollup rebuild` adds them)")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "max": ordered[-1], "n": len(ordered)}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes: how quiet it was while a bench ran."""
    return " / ".join(f"{load:.1f}" for load in os.getloadavg())


def vacuum_analyze(app) -> float:
    """VACUUM ANALYZE a PostgreSQL database as autovacuum keeps it on a real server (it is off on the bench
    machine): fresh statistics for the planner and a visibility map for index-only scans. Returns seconds."""
    from app.extensions import db

    started = time.perf_counter()
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def cpu_clock(app):
    """A clock of the CPU seconds a request costs, whatever else the machine runs: this process's, plus on
    PostgreSQL those of the database's server processes (Linux /proc, 10 ms ticks; the mean over many
    requests is what counts). On a quiet machine a request takes about that long."""
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return time.process_time
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    import psycopg

    monitor = psycopg.connect(url, autocommit=True)
    tick = os.sysconf("SC_CLK_TCK")

    def server_seconds() -> float:
        pids = [pid for (pid,) in monitor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    return lambda: server_seconds() + time.process_time()


def table_sizes(app) -> tuple[int, list[tuple[str, int, int]]]:
    """A PostgreSQL database's size in bytes, and (table, rows, bytes with its indexes) for every table of the
    public schema, largest first. Rows are counted exactly."""
    from app.extensions import db

    with app.app_context():
        database = db.session.scalar(text("SELECT pg_database_size(current_database())"))
        tables = db.session.execute(text(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC")).all()
        rows = [(name, db.session.scalar(text(f'SELECT count(*) FROM "{name}"')), size) for name, size in tables]
    return database, rows


def write_section(title: str, body: str) -> None:
    """Replace (or add) the `## title` section of BENCHMARKS.md."""
    current = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n\nMeasured by the scripts in bench/.\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    updated = pattern.sub(section + "\n", current) if pattern.search(current) else current.rstrip() + "\n\n" + section
    BENCHMARKS.write_text(updated.rstrip() + "\n")
