"""Mutual aid at scale: the reviewer's pages over HTTP against a minimal view, and the daily deadline scan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionportal_mabench .venv/bin/python bench/mutualaid.py

Run ``manage.py seed_scale --members 1000000 --claims 300000`` against that database first. The script:

- serves the portal with gunicorn (2 sync workers, DEBUG=0) under ``bench/settings_bench.py``, whose URLconf
  (``bench/urls_bench.py``) is the portal's plus ``/bench/minimal/``, a view that answers "ok": the floor of
  what any Django request costs on this machine in this run;
- signs in as a city-level reviewer (made here if missing, a fresh random password each run) and times, in
  interleaved rounds, the minimal view, the reviewer queue ``/mutualaid/queue/?stage=assess`` and the detail
  page of a claim drawn at random (``/mutualaid/claims/<pk>/``); target: each page's p50 and p95 within 3× the
  minimal view's;
- times the deadline scan (``mutualaid.claims.clock.scan``) in this database, where ``seed_scale`` made 1,000 of the
  claims due (7 or 3 days away, or overdue), and in a second, small database holding 1,000 claims in all, every
  one of them due (``--small-url``, made and seeded here if it is empty: 20,000 members, the same 5,000 unions,
  ``bench.scale.mutualaid.add_claims(1000, due=1000)``). Each timed scan runs in a transaction that is rolled back,
  so every repeat does the full work (the outbox's dedupe would make a second pass free) and no notice is
  sent. Target: the scan over 301,000 claims within 2× the scan over 1,000.

Figures go to bench/results/mutualaid.md. Everything started here is stopped at the end; the whole run is
bounded by --deadline.

``--scan`` measures only the deadline scan against its floor, in the database of ``DATABASE_URL`` (seeded here if
it has no claims: ``--scan-members`` members, ``--scan-claims`` claims, then enough claims due to make 1,000), a
size this machine does in a few minutes::

    createdb -h 127.0.0.1 -U postgres up_flows_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_flows_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_flows_bench .venv/bin/python bench/mutualaid.py --scan

Interleaved, each in a transaction rolled back: the scan (``mutualaid.claims.clock.scan``) over the 1,000 due claims,
and one ``INSERT … SELECT`` writing 2,000 outbox rows for the same claims (two recipients each, text concatenated in
SQL): the least any scan that writes the notices could cost. Target: the scan within 5× the INSERT, as a ratio of
medians from the same run. Its section of the results file is replaced, the rest kept.
"""

import argparse
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and its name would hide the mutualaid app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench._http import Client, Timings, bench_env, gunicorn, machine  # noqa: E402
from mutualaid.claims import clock  # noqa: E402
from mutualaid.models import Claim  # noqa: E402
from unionportal.notifications.models import Notice  # noqa: E402
from unionportal.org.models import Organisation  # noqa: E402

BENCH_USER = "bench_city_reviewer"
RESULTS = ROOT / "bench" / "results" / "mutualaid.md"
WORK = Path(settings.VAR_DIR) / "bench"
SMALL_URL = "postgres://postgres@127.0.0.1:5432/unionportal_mabench_small"
PAGE_RATIO = 3  # each page within 3× the minimal view
SCAN_RATIO = 2  # the scan over the big history within 2× the scan over 1,000 claims
SMALL_CLAIMS = 1000
INSERT_RATIO = 5  # the scan within 5× one INSERT … SELECT of 2,000 outbox rows for the same claims
SCAN_SECTION = "## Deadline scan against one INSERT … SELECT (`--scan`)"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_bench_user() -> tuple[str, str]:
    """A reviewer at the root of the tree, with a new random password (printed nowhere)."""
    from axes.utils import reset

    city = Organisation.objects.get(depth=1, code="611000")
    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"name": "基准测试审核员", "organisation": city}
    )
    password = secrets.token_urlsafe(18) + "Aa1!"
    user.set_password(password)
    user.organisation, user.is_active = city, True
    user.save()
    user.groups.set([Group.objects.get(name="reviewer")])
    reset(username=BENCH_USER)
    return BENCH_USER, password


def sample(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def dataset() -> dict:
    counts = dict(sample("SELECT status, count(*) FROM mutualaid_claim GROUP BY status"))
    return {
        "members": sample("SELECT count(*) FROM members_member")[0][0],
        "unions": Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS).count(),
        "covers": sample("SELECT count(*) FROM mutualaid_policy")[0][0],
        "claims": sum(counts.values()),
        "by_status": counts,
        "events": sample("SELECT count(*) FROM mutualaid_claimevent")[0][0],
        "postgres": sample("SHOW server_version")[0][0],
    }


# --- The scan, in one database (run in a subprocess per database) ------------------------------------


def due_count() -> int:
    from django.utils import timezone

    return Claim.objects.filter(status__in=Claim.OPEN, clock__next_on__lte=timezone.localdate()).count()


class Rollback(Exception):
    pass


def time_scan(repeats: int) -> dict:
    """The scan ``repeats`` times, each in a transaction rolled back afterwards; seconds and what it did."""
    ensure_bench_user()  # the same holders to tell in both databases
    seconds, result = [], None
    for _ in range(repeats):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                result = clock.scan()
                seconds.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
    return {
        "claims": Claim.objects.count(),
        "due": due_count(),
        "reminded": result.reminded,
        "escalated": result.escalated,
        "seconds": seconds,
    }


# --- The scan against its floor (--scan) -----------------------------------------------------------


REFERENCE_SQL = """
INSERT INTO notifications_notice (
    channel, kind, dedupe_key, recipient_phone, recipient_user_id, member_source, member_reference,
    organisation_path, language, subject, body, status, attempts, next_attempt_at, last_error,
    provider_message_id, created_at
)
SELECT 'inbox', 'claim.due_soon', 'bench:' || c.id || ':' || u.id, '', u.id, '', '', c.org_path, 'zh-hans',
       '理赔即将到期', '理赔 ' || c.number || '（' || m.name || '）须于 ' || to_char(c.due_on, 'YYYY年FMMM月FMDD日')
       || '前支付。', 'queued', 0, now(), '', '', now()
-- the due claims as the scan takes them: one batch of clocks (clock.BATCH), by claim id
FROM (SELECT claim_id FROM mutualaid_claimclock WHERE next_on <= %s ORDER BY claim_id LIMIT 1000) k
JOIN mutualaid_claim c ON c.id = k.claim_id
JOIN members_member m ON m.id = c.member_id
CROSS JOIN (SELECT id FROM accounts_user WHERE is_active ORDER BY id LIMIT 2) u
WHERE c.status IN ('accepted', 'assessed', 'approved')
"""


def _rolled_back(work, after=lambda value: value) -> tuple[float, object]:
    """``work`` timed in a transaction rolled back afterwards; ``after`` (untimed) reads what it wrote."""
    outcome = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            value = work()
            outcome["seconds"] = time.perf_counter() - started
            outcome["value"] = after(value)
            raise Rollback
    except Rollback:
        pass
    return outcome["seconds"], outcome["value"]


def time_scan_and_floor(repeats: int) -> dict:
    """The scan and the INSERT … SELECT, interleaved ``repeats`` times, each rolled back; seconds and rows."""
    from django.utils import timezone

    ensure_bench_user()
    today = timezone.localdate()
    scans, inserts, result, scan_rows, insert_rows = [], [], None, 0, 0

    notices_before = Notice.objects.count()

    def scan():
        return clock.scan(today=today)

    def with_rows(result):
        return result, Notice.objects.count() - notices_before

    def insert():
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL, [today])
            return cursor.rowcount

    for _ in range(repeats):
        seconds, (result, scan_rows) = _rolled_back(scan, with_rows)
        scans.append(seconds)
        seconds, insert_rows = _rolled_back(insert)
        inserts.append(seconds)
    return {
        "claims": Claim.objects.count(), "due": due_count(), "reminded": result.reminded,
        "escalated": result.escalated, "scan_rows": scan_rows, "insert_rows": insert_rows, "scan": scans,
        "insert": inserts,
    }  # fmt: skip


def scan_mode(args) -> int:
    """--scan: seed if empty, make 1,000 claims due, time the scan against its floor, write the section."""
    from io import StringIO

    from django.core.management import call_command

    from bench.scale import mutualaid as scale

    if not Claim.objects.exists():
        log(f"seeding {args.scan_members:,} members and {args.scan_claims:,} claims …")
        call_command("seed_scale", members=args.scan_members, claims=args.scan_claims, stdout=StringIO())
    missing = SMALL_CLAIMS - due_count()
    if missing > 0:
        log(f"adding {missing:,} claims due today …")
        scale.add_claims(missing, seed=args.seed, log=lambda message: None, due=missing)
    # Every timed round is rolled back, and leaves its dead row versions behind: start each run from a vacuumed
    # database, so that a run does not time the bloat of the runs before it.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    data = dataset()
    log(f"{data['members']:,} members, {data['claims']:,} claims, {due_count():,} due; timing …")
    figures = time_scan_and_floor(args.repeats)
    scan_s, insert_s = statistics.median(figures["scan"]), statistics.median(figures["insert"])
    ratio = scan_s / insert_s
    log(f"  scan {scan_s:.3f} s, INSERT … SELECT {insert_s:.3f} s: {ratio:.2f}×")
    info = machine()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    section = [
        SCAN_SECTION,
        "",
        f"Written by `bench/mutualaid.py --scan` on {info['date']} ({info['nproc']} × {info['cpu'] or 'CPU'}, "
        f"PostgreSQL {data['postgres']}), in a database of {data['members']:,} members, {data['covers']:,} covers "
        f"and {data['claims']:,} claims, {figures['due']:,} of them due today. The scan and the floor ran "
        f"{args.repeats} times each, interleaved, each in a transaction rolled back, after a VACUUM ANALYZE; median "
        "wall-clock time. "
        f"Load average when written: {load} (other work shared the 2 cores: read the ratio, not the seconds).",
        "",
        "| | rows written | median s | runs (s) |",
        "|---|---:|---:|---|",
        f"| `clock.scan()` ({figures['reminded']:,} reminded, {figures['escalated']:,} escalated) "
        f"| {figures['scan_rows']:,} | {scan_s:.3f} | {', '.join(f'{s:.3f}' for s in figures['scan'])} |",
        f"| one `INSERT … SELECT` (two recipients per due claim) | {figures['insert_rows']:,} | {insert_s:.3f} "
        f"| {', '.join(f'{s:.3f}' for s in figures['insert'])} |",
        "",
        f"Scan / INSERT … SELECT: **{ratio:.2f}×** (target ≤ {INSERT_RATIO}×: {verdict(ratio <= INSERT_RATIO)}). "
        "Before the due column and the batched outbox writes (2026-11-30, at 1M members): 8.12 s, about 30× the "
        "0.25 s the same INSERT took then.",
        "",
    ]
    text = args.out.read_text() if args.out.exists() else "# Mutual aid at scale\n"
    if SCAN_SECTION in text:
        head, rest = text.split(SCAN_SECTION, 1)
        tail = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        text = head + "\n".join(section) + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section)
    args.out.write_text(text)
    log(f"written {args.out}")
    return 0


def prepare_small(members: int) -> str:
    """Fill an empty small database: the scale city with ``members`` members and 1,000 claims, all due."""
    from io import StringIO

    from django.core.management import call_command

    from bench.scale import mutualaid as scale

    if Claim.objects.exists():
        return f"already has {Claim.objects.count():,} claims"
    call_command("seed_scale", members=members, stdout=StringIO())
    return scale.add_claims(SMALL_CLAIMS, seed=2026, log=lambda message: None, due=SMALL_CLAIMS)


def run_self(database_url: str, *args: str, timeout: float) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} on {database_url} failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def ensure_small_database(url: str, members: int, timeout: float) -> None:
    name = url.rsplit("/", 1)[1]
    made = subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True, text=True)
    if made.returncode and "already exists" not in made.stderr:
        raise RuntimeError(f"createdb {name}: {made.stderr.strip()}")
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True, timeout=timeout
    )
    log(f"  small database: {run_self(url, '--prepare-small', str(members), timeout=timeout)}")


# --- Pages -------------------------------------------------------------------------------------------


def bench_pages(client: Client, *, requests: int, warmup: int, rng: random.Random) -> dict[str, Timings]:
    """Interleaved rounds: minimal view, queue, a claim's detail page, the figures page; each answer checked."""
    pks = [
        row[0]
        for row in sample(
            "SELECT id FROM mutualaid_claim TABLESAMPLE BERNOULLI (1) REPEATABLE (%s) LIMIT %s",
            [rng.randrange(1 << 30), requests + warmup],
        )
    ]
    rng.shuffle(pks)
    if len(pks) < requests + warmup:
        pks = [rng.choice(pks) for _ in range(requests + warmup)]
    calls = {
        "minimal": lambda i: ("/bench/minimal/", b"ok"),
        "queue": lambda i: ("/mutualaid/queue/?stage=assess", b'data-testid="queue"'),
        "detail": lambda i: (f"/mutualaid/claims/{pks[i]}/", b"LP"),
        "figures": lambda i: ("/mutualaid/figures/", b'data-testid="figures"'),  # for information: no target
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(warmup + requests):
        for name, call in calls.items():
            path, expect = call(i)
            response = client.get(path)
            if response.status != 200 or expect not in response.body:
                raise RuntimeError(f"{name}: {path} answered {response.status} {response.text[:300]!r}")
            if i >= warmup:
                samples[name].append(response.seconds)
    results = {name: Timings(values) for name, values in samples.items()}
    for name, t in results.items():
        log(f"  {name}: p50 {t.p50:.1f} ms, p95 {t.p95:.1f} ms, max {t.max:.1f} ms ({t.count})")
    return results


# --- Report ------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_results(path: Path, *, info: dict, data: dict, pages: dict, scans: dict, args, note: str) -> None:
    minimal = pages["minimal"]
    lines = [
        "# Mutual aid at scale",
        "",
        f"Written by `bench/mutualaid.py` on {info['date']}. Page figures are wall-clock times per request, "
        "measured by the client over HTTP on loopback (gunicorn, 2 sync workers, DEBUG=0, settings "
        "`bench/settings_bench.py`), signed in as a city-level reviewer; the four requests are interleaved, "
        f"round after round, after {args.warmup} untimed warm-up rounds.",
        "",
    ]
    if note:
        lines += [note, ""]
    lines += [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {info['nproc']} × {info['cpu'] or 'unknown'} |",
        f"| memory | {info['memory']} |",
        f"| OS | {info['os']} |",
        f"| PostgreSQL | {data['postgres']} |",
        f"| Python / Django | {info['python']} / {django.get_version()} |",
        "",
        "## Data set",
        "",
        f"{data['members']:,} members in {data['unions']:,} grassroots unions; {data['covers']:,} covers from five "
        f"years of paid group enrolments; {data['claims']:,} claims "
        f"({', '.join(f'{s} {n:,}' for s, n in sorted(data['by_status'].items()))}) with "
        f"{data['events']:,} events (`manage.py seed_scale --members … --claims …`).",
        "",
        "## Pages",
        "",
        "| request | n | p50 ms | p95 ms | max ms | p50 / minimal | p95 / minimal | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
        f"| minimal Django view `/bench/minimal/` | {minimal.count} | {minimal.p50:.1f} | {minimal.p95:.1f} "
        f"| {minimal.max:.1f} | 1 | 1 | | |",
    ]
    for label, key in [
        ("reviewer queue `/mutualaid/queue/?stage=assess`", "queue"),
        ("claim detail `/mutualaid/claims/<pk>/` (random claims)", "detail"),
    ]:
        t = pages[key]
        r50, r95 = t.p50 / minimal.p50, t.p95 / minimal.p95
        lines.append(
            f"| {label} | {t.count} | {t.p50:.1f} | {t.p95:.1f} | {t.max:.1f} | {r50:.2f} | {r95:.2f} "
            f"| ≤ {PAGE_RATIO}× | {verdict(r50 <= PAGE_RATIO and r95 <= PAGE_RATIO)} |"
        )
    t = pages["figures"]
    lines.append(
        f"| figures `/mutualaid/figures/` (all counties, this month and a year before, 24 months; no target) "
        f"| {t.count} | {t.p50:.1f} | {t.p95:.1f} | {t.max:.1f} | {t.p50 / minimal.p50:.2f} "
        f"| {t.p95 / minimal.p95:.2f} | | |"
    )
    big, small = scans["big"], scans["small"]
    big_s, small_s = statistics.median(big["seconds"]), statistics.median(small["seconds"])
    lines += [
        "",
        "## Deadline scan",
        "",
        f"`mutualaid.claims.clock.scan()` run {len(big['seconds'])} times in each database, each run in a transaction "
        "rolled back afterwards (so each does the full work: reading the due claims, finding their holders, "
        "writing the outbox rows); median wall-clock time. The small database is a second PostgreSQL database "
        f"(`{args.small_url.rsplit('/', 1)[1]}`) on the same server, seeded the same way with "
        f"{args.small_members:,} members and {SMALL_CLAIMS:,} claims, all of them due.",
        "",
        "| database | claims | due (T−7, T−3, overdue) | reminded | escalated | median s | runs (s) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, scan in [("bench (history)", big), ("small", small)]:
        runs = ", ".join(f"{s:.2f}" for s in scan["seconds"])
        lines.append(
            f"| {label} | {scan['claims']:,} | {scan['due']:,} | {scan['reminded']:,} | {scan['escalated']:,} "
            f"| {statistics.median(scan['seconds']):.2f} | {runs} |"
        )
    ratio = big_s / small_s
    lines += [
        "",
        f"Scan with history / scan with 1,000 claims in all: **{ratio:.2f}×** (target ≤ {SCAN_RATIO}×: "
        f"{verdict(ratio <= SCAN_RATIO)}).",
        "",
        "## Targets",
        "",
        "From the mutual-aid issue, with 1M members and 300,000 claims on PostgreSQL: the reviewer queue and claim "
        f"detail pages each within {PAGE_RATIO}× the time of a minimal Django view served by the same gunicorn in "
        f"the same run; the daily deadline scan with 1,000 due claims no more than {SCAN_RATIO}× the time it takes "
        "with 1,000 claims in total (it must not grow with history).",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


# --- Main --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed rounds (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="timed scans per database (default 5)")
    parser.add_argument("--small-url", default=SMALL_URL, help=f"the small database (default {SMALL_URL})")
    parser.add_argument("--small-members", type=int, default=20_000, help="members of the small database")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--deadline", type=int, default=1800, help="stop everything after this many seconds")
    parser.add_argument("--note", default="", help="a sentence for the results file (e.g. a smaller scale)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--scan-only", type=int, metavar="REPEATS", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-small", type=int, metavar="MEMBERS", help=argparse.SUPPRESS)
    parser.add_argument("--scan", action="store_true", help="only the deadline scan against one INSERT … SELECT")
    parser.add_argument("--scan-members", type=int, default=100_000, help="members to seed for --scan if empty")
    parser.add_argument("--scan-claims", type=int, default=30_000, help="claims to seed for --scan if empty")
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("bench/mutualaid.py measures PostgreSQL: set DATABASE_URL to the database seed_scale filled.")
    if args.scan_only:
        print(json.dumps(time_scan(args.scan_only)))
        return 0
    if args.prepare_small:
        print(prepare_small(args.prepare_small))
        return 0
    if args.scan:
        return scan_mode(args)

    def out_of_time(signum, frame):
        raise TimeoutError(f"the benchmark ran past --deadline {args.deadline} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, out_of_time)  # so that the servers are stopped on the way out
    signal.alarm(args.deadline)

    data = dataset()
    if data["claims"] < 1000:
        sys.exit("Too few claims: run `manage.py seed_scale --members 1000000 --claims 300000` first.")
    log(f"{data['members']:,} members, {data['claims']:,} claims, PostgreSQL {data['postgres']}")
    info = machine()
    rng = random.Random(args.seed)  # noqa: S311 - picks which claims to open

    log("deadline scan …")
    ensure_small_database(args.small_url, args.small_members, timeout=args.deadline)
    scans = {
        name: json.loads(run_self(url, "--scan-only", str(args.repeats), timeout=args.deadline))
        for name, url in (("big", os.environ["DATABASE_URL"]), ("small", args.small_url))
    }
    for name, scan in scans.items():
        log(f"  {name}: {scan['claims']:,} claims, {scan['due']:,} due, runs {scan['seconds']}")

    username, password = ensure_bench_user()  # after the scans: each scan run makes sure the user is there
    WORK.mkdir(parents=True, exist_ok=True)
    env = bench_env(
        REDIS_URL=args.redis_url, CELERY_BROKER_URL=args.redis_url, STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media"),
    )  # fmt: skip
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"  # the portal plus /bench/minimal/
    log("collectstatic (the manifest storage needs it with DEBUG=0) …")
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    done = subprocess.run(collect, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        sys.exit(f"collectstatic failed:\n{done.stderr.strip()[-1500:]}")
    with gunicorn(env=env, log_dir=WORK) as port:
        client = Client(port)
        client.login(username, password)
        log(f"gunicorn on 127.0.0.1:{port}, signed in as {username}")
        pages = bench_pages(client, requests=args.requests, warmup=args.warmup, rng=rng)
    write_results(args.out, info=info, data=data, pages=pages, scans=scans, args=args, note=args.note)
    log(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
