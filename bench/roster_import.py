"""Roster import (花名册) through the services, phase by phase, compared with a raw PostgreSQL COPY.

    createdb -h 127.0.0.1 -U postgres unionportal_roster
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionportal_roster
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/roster_import.py

Builds a workbook of ``--rows`` new, valid members (50,000 by default) for one grassroots union, then runs
the import as a large roster goes through it, calling the services and the Celery task's function directly
(no HTTP, no worker: ``bench/members.py`` measures the pages):

- upload: ``roster_upload`` stores the file and inspects it (the task it queues is caught, not sent);
- validate: ``roster_process`` checks every row, as the worker does, and leaves the roster READY;
- confirm and import: ``roster_confirm`` moves it to IMPORTING, ``roster_process`` imports it.

Before each run the same rows are copied with a raw COPY into an empty scratch table made with
``LIKE members_member INCLUDING ALL`` (same columns and indexes), then dropped: the floor the import is
compared with. ``--runs`` imports (3 by default) are made, each of new people; the figures, medians of the
runs, go to bench/results/roster-import.md. The imported members stay in the database (their audit rows
cannot be deleted), and the uploads under MEDIA_ROOT: use a database of your own, migrated, with
``seed_demo`` (or ``seed_scale``) run once so that grassroots unions exist.
"""

import argparse
import io
import logging
import os
import random
import signal
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and its name would hide the members app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402

from bench._http import machine  # noqa: E402
from bench._roster import roster_xlsx  # noqa: E402
from members import roster, scale  # noqa: E402
from members.models import Member, RosterImport  # noqa: E402
from unionportal.org.models import Organisation  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "roster-import.md"
TARGET = 5000  # validated rows per second, end to end (the members issue)
BENCH_USER = "bench_roster"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


# --- The workbook ------------------------------------------------------------------------------------


def new_people(count: int, union: Organisation, seed: int) -> list[tuple]:
    """``count`` synthetic people for ``union`` (rows in scale.MEMBER_COLUMNS order), members nowhere yet."""
    unions = [u for u in scale.unions_for_members() if u.pk == union.pk]
    first = sql("SELECT coalesce(max(next_value), 1) FROM core_numbersequence WHERE name = 'member'")[0][0]
    generator = scale.MemberGenerator(seed=seed, first_number=first, unions=unions, taken=scale._taken_id_numbers)
    return generator.chunk([f"R{i:07d}" for i in range(count)])


def raw_copy_seconds(people: list[tuple]) -> float:
    """COPY the same rows into an empty scratch table with members_member's columns and indexes, then drop it."""
    now = "2026-01-01T00:00:00+00:00"
    text = "".join("\t".join([*map(scale._tsv, person), now, now]) + "\n" for person in people)
    columns = ", ".join([*scale.MEMBER_COLUMNS, "created_at", "updated_at"])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_roster_copy")
        cursor.execute("CREATE TABLE bench_roster_copy (LIKE members_member INCLUDING ALL)")
        try:
            started = time.perf_counter()  # autocommit: the COPY is committed when it returns
            cursor.cursor.copy_expert(f"COPY bench_roster_copy ({columns}) FROM STDIN", io.StringIO(text))
            return time.perf_counter() - started
        finally:
            cursor.execute("DROP TABLE bench_roster_copy")


# --- The import, phase by phase ------------------------------------------------------------------------


@contextmanager
def caught_tasks():
    """The task calls the services queue, kept here instead of sent to a broker."""
    calls = []
    with mock.patch.object(roster.roster_process, "delay", lambda *args, **kwargs: calls.append((args, kwargs))):
        yield calls


class StepLog(logging.Handler):
    """Keeps the ``steps`` (name → seconds) the import logs, if it logs them."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.steps: dict[str, float] = {}

    def emit(self, record):
        self.steps.update(getattr(record, "steps", None) or {})


def bench_import(content: bytes, *, union: Organisation, actor, rows: int) -> dict:
    phases = {}
    steps = StepLog()
    logging.getLogger("members").addHandler(steps)
    logging.getLogger("members").setLevel(logging.INFO)
    try:
        with caught_tasks() as queued:
            started = time.perf_counter()
            job = roster.roster_upload(
                actor=actor, organisation=union, upload=SimpleUploadedFile("bench-roster.xlsx", content)
            )
            phases["upload (store and inspect the file)"] = time.perf_counter() - started
        if job.status != RosterImport.Status.VALIDATING or len(queued) != 1:
            raise RuntimeError(f"roster {job.pk} is {job.status} after the upload: {job.message}")

        started = time.perf_counter()
        status = roster.roster_process(*queued[0][0], **queued[0][1])
        phases["validate (every row checked, preview and error file)"] = time.perf_counter() - started
        job = RosterImport.objects.get(pk=job.pk)
        if status != RosterImport.Status.READY or job.valid_rows != rows:
            raise RuntimeError(f"roster {job.pk}: {status}, {job.valid_rows} valid of {rows}: {job.errors[:3]}")

        with caught_tasks() as queued:
            started = time.perf_counter()
            job = roster.roster_confirm(actor=actor, roster_import=job, remote_addr="127.0.0.1")
            confirm_s = time.perf_counter() - started
        if job.status != RosterImport.Status.IMPORTING or len(queued) != 1:
            raise RuntimeError(f"roster {job.pk} is {job.status} after the confirmation: {job.message}")
        started = time.perf_counter()
        status = roster.roster_process(*queued[0][0], **queued[0][1])
        phases["confirm and import (members, periods, audit rows)"] = confirm_s + time.perf_counter() - started
    finally:
        logging.getLogger("members").removeHandler(steps)
    job = RosterImport.objects.get(pk=job.pk)
    if status != RosterImport.Status.DONE or job.imported_rows != rows:
        raise RuntimeError(f"roster {job.pk}: {status}, {job.imported_rows} imported of {rows}: {job.message}")
    return {"phases": phases, "steps": steps.steps, "roster": job.pk}


# --- Report ------------------------------------------------------------------------------------------------


def write_results(path: Path, *, info: dict, rows: int, union: str, runs: list[dict]):
    phases = {name: statistics.median([run["phases"][name] for run in runs]) for name in runs[0]["phases"]}
    total = statistics.median([sum(run["phases"].values()) for run in runs])
    copy_s = statistics.median([run["copy_s"] for run in runs])
    rate = rows / total
    lines = [
        "# Roster import",
        "",
        f"Written by `bench/roster_import.py` on {info['date']}: {len(runs)} run(s), each a {rows:,}-row xlsx of new, "
        f"valid members for {union}, uploaded, validated, confirmed and imported through the services and the "
        "task's function (no HTTP, no broker: the figures are the work itself). Each run adds its members to the "
        "database, so the runs start from "
        + ", ".join(f"{run['members']:,}" for run in runs)
        + " members. The time a user spends reading the preview is not counted. Figures are the median of the runs.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {info['nproc']} × {info['cpu'] or 'unknown'} |",
        f"| memory | {info['memory']} |",
        f"| OS | {info['os']} |",
        f"| PostgreSQL | {sql('SHOW server_version')[0][0]} |",
        f"| Python / Django | {info['python']} / {django.get_version()} |",
        "| load average (1 min) before each run | " + ", ".join(f"{run['load']:.2f}" for run in runs) + " |",
        "",
        "## Phases",
        "",
        "| phase | seconds | rows/s |",
        "|---|---:|---:|",
    ]
    for name, seconds in phases.items():
        lines.append(f"| {name} | {seconds:.2f} | {rows / seconds:,.0f} |")
    lines += [
        f"| **total, end to end** | **{total:.2f}** | **{rate:,.0f}** |",
        f"| raw PostgreSQL COPY of the same rows, same indexes as members_member | {copy_s:.2f} | "
        f"{rows / copy_s:,.0f} |",
        "",
        "Each run, end to end: "
        + "; ".join(
            f"{sum(run['phases'].values()):.2f} s ({rows / sum(run['phases'].values()):,.0f} rows/s)" for run in runs
        )
        + ".",
        "",
        f"Target: ≥ {TARGET:,} validated rows/s end to end: **{'met' if rate >= TARGET else 'missed'}**. "
        f"The whole import runs at 1/{(rows / copy_s) / rate:.1f} of the speed of the raw COPY of the members "
        "alone, into an empty table (which writes no periods or audit rows, checks no foreign key, writes no "
        "preview or error file and checks nothing in the rows).",
    ]
    if runs[0]["steps"]:
        steps = {name: statistics.median([run["steps"].get(name, 0.0) for run in runs]) for name in runs[0]["steps"]}
        lines += [
            "",
            "## Inside the confirm and import",
            "",
            "As the import logs them (`members.roster.importing`, one INFO line per import); medians of the runs.",
            "",
            "| step | seconds |",
            "|---|---:|",
            *(f"| {name} | {seconds:.2f} |" for name, seconds in steps.items()),
        ]
    lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the roster (default 50,000)")
    parser.add_argument("--runs", type=int, default=3, help="imports to run; figures are their median (default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--deadline", type=int, default=900, help="stop after this many seconds")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    def out_of_time(signum, frame):
        raise TimeoutError(f"the benchmark ran past --deadline {args.deadline} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.deadline)
    if connection.vendor != "postgresql":
        sys.exit("bench/roster_import.py measures PostgreSQL: set DATABASE_URL to a database of your own.")
    settings.ROSTER_MAX_ROWS = max(settings.ROSTER_MAX_ROWS, args.rows)
    union = (
        Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True).order_by("depth", "path").first()
    )
    if union is None:
        sys.exit("No grassroots union: run `manage.py seed_demo` (or seed_scale) on this database first.")
    city = Organisation.objects.get(depth=1)
    actor, created = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"name": "基准测试", "organisation": city}
    )
    if created:  # never signs in: the services only need who acts
        actor.set_unusable_password()
        actor.save(update_fields=["password"])

    rng = random.Random(args.seed)  # noqa: S311 - synthetic data
    runs = []
    for number in range(1, args.runs + 1):
        log(f"run {number}: {args.rows:,} new people for {union.name} …")
        people = new_people(args.rows, union, rng.randrange(1 << 30))
        content = roster_xlsx(people)
        log(f"workbook {len(content) / 1e6:.1f} MB; raw COPY of the same rows …")
        copy_s = raw_copy_seconds(people)
        log(f"raw COPY {copy_s:.2f} s ({args.rows / copy_s:,.0f} rows/s)")
        members, load = Member.objects.count(), os.getloadavg()[0]
        result = bench_import(content, union=union, actor=actor, rows=args.rows)
        for name, seconds in result["phases"].items():
            log(f"{name}: {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s)")
        total = sum(result["phases"].values())
        log(f"total {total:.2f} s: {args.rows / total:,.0f} rows/s (roster {result['roster']})")
        runs.append({**result, "copy_s": copy_s, "members": members, "load": load})
    write_results(args.out, info=machine(), rows=args.rows, union=union.name, runs=runs)
    log(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
