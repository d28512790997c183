"""Members at scale, measured through the real views over HTTP (gunicorn on loopback).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionportal_bench .venv/bin/python bench/members.py

Run ``manage.py seed_scale --members 1000000`` against that database first. The script signs in as a
city-level staff user (made here if missing, with a fresh random password each run), then times:

- exact lookup: POST /members/ q=<ID number> → 302 to the member page;
- name search: POST /members/ q=<2-character name prefix> and q=<3-character full name> → results page;
- member list: GET /members/list/ page 1 and "page 5,000" (the keyset cursor of the row at offset 249,999);
- roster import: a 50,000-row xlsx of new members uploaded, validated, confirmed and imported through the
  roster pages (a Celery worker does the work), and in the same run a raw PostgreSQL COPY of the same rows
  into a scratch table shaped like members_member (dropped afterwards).

Figures go to bench/results/members.md. Everything started here (gunicorn, the worker) is stopped at the end,
and the whole run is bounded by --deadline. The roster import adds its 50,000 members to the database for
good (audit rows cannot be deleted); use --skip-import to leave the database as it is.
"""

import argparse
import io
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and its name would hide the members app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from bench._http import Client, Timings, bench_env, celery_worker, gunicorn, machine  # noqa: E402
from bench._roster import roster_xlsx  # noqa: E402
from bench.scale import members as scale  # noqa: E402
from members.models import RosterImport  # noqa: E402
from unionportal.org.models import Organisation  # noqa: E402

BENCH_USER = "bench_city_staff"
RESULTS = ROOT / "bench" / "results" / "members.md"
WORK = Path(settings.VAR_DIR) / "bench"
TARGETS = {  # from the members issue: benchmarks, not timed tests
    "lookup": 50,
    "name": 300,
    "list": 150,
    "import_rows_per_s": 5000,
}
DEEP_OFFSET = 249_999  # the last row of page 5,000 at 50 rows a page


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Setting the stage -------------------------------------------------------------------------------


def ensure_bench_user() -> tuple[str, str]:
    """A city_staff account at the root of the tree, with a new random password (printed nowhere)."""
    from axes.utils import reset

    User = get_user_model()
    city = Organisation.objects.get(depth=1, code="611000")
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"name": "基准测试", "organisation": city})
    password = secrets.token_urlsafe(18) + "Aa1!"
    user.set_password(password)
    user.organisation, user.is_active = city, True
    user.save()
    user.groups.set([Group.objects.get(name="city_staff")])
    reset(username=BENCH_USER)  # a lockout left by an interrupted earlier run
    return BENCH_USER, password


def sample(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def dataset() -> dict:
    members = sample("SELECT count(*) FROM members_member")[0][0]
    unions = Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS).count()
    return {"members": members, "unions": unions, "postgres": sample("SHOW server_version")[0][0]}


# --- Timed requests ----------------------------------------------------------------------------------


def timed(name: str, client: Client, calls: list, check, warmup: int) -> Timings:
    """Run ``calls`` (functions of the client) after ``warmup`` untimed ones; ``check`` each response."""
    for call in calls[:warmup]:
        call(client)
    seconds, failures = [], 0
    for index, call in enumerate(calls):
        response = call(client)
        if not check(index, response):
            failures += 1
            if failures == 1:
                log(f"  {name}: unexpected answer {response.status} {response.location or response.text[:200]!r}")
        seconds.append(response.seconds)
    if failures:
        raise RuntimeError(f"{name}: {failures} of {len(calls)} requests gave an unexpected answer")
    result = Timings(seconds)
    log(f"  {name}: p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms, max {result.max:.1f} ms ({result.count})")
    return result


def bench_pages(client: Client, *, requests: int, warmup: int, rng: random.Random) -> dict[str, Timings]:
    lookup = reverse("members:member-lookup")
    members = sample(
        "SELECT id, id_number, name FROM members_member TABLESAMPLE BERNOULLI (1) REPEATABLE (%s) LIMIT %s",
        [rng.randrange(1 << 30), max(requests * 20, 2000)],
    )
    rng.shuffle(members)
    results = {}

    def lookup_call(q):
        return lambda c: c.post(lookup, {"q": q})

    exact = members[:requests]
    detail = {pk: reverse("members:member-detail", args=[pk]) for pk, _, _ in exact}
    expected = {id_number: detail[pk] for pk, id_number, _ in exact}
    calls = [lookup_call(id_number) for _, id_number, _ in exact]
    results["lookup"] = timed(
        "exact lookup (ID number)",
        client,
        calls,
        lambda i, r: r.status == 302 and r.location.endswith(expected[exact[i][1]]),
        warmup,
    )

    # Two characters: a surname and the first given character, matched as a prefix (张伟 → 张伟, 张伟华, ...).
    prefixes = [
        name[:2] for _, _, name in members if len(name) >= 2 and name[:2] not in ("欧阳", "司马", "诸葛", "上官")
    ]
    results["name2"] = timed(
        "name search, 2 characters",
        client,
        [lookup_call(q) for q in prefixes[:requests]],
        lambda i, r: r.status == 200,
        warmup,
    )
    full = [name for _, _, name in members if len(name) == 3]
    results["name3"] = timed(
        "name search, 3-character full name",
        client,
        [lookup_call(q) for q in full[:requests]],
        lambda i, r: r.status in (200, 302),  # a name held by one person may open the member at once
        warmup,
    )

    member_list = reverse("members:member-list")
    results["list1"] = timed(
        "member list, page 1", client, [lambda c: c.get(member_list)] * requests, lambda i, r: r.status == 200, warmup
    )
    path, pk = sample("SELECT org_path, id FROM members_member ORDER BY org_path, id OFFSET %s LIMIT 1", [DEEP_OFFSET])[
        0
    ]
    deep = f"{member_list}?after={path}.{pk}"
    results["list5000"] = timed(
        "member list, page 5,000", client, [lambda c: c.get(deep)] * requests, lambda i, r: r.status == 200, warmup
    )
    return results


# --- Roster import -----------------------------------------------------------------------------------


def roster_rows(count: int, union: Organisation, rng: random.Random) -> list[tuple]:
    """``count`` new people for ``union``: valid, unique, and not yet members anywhere."""
    unions = [u for u in scale.unions_for_members() if u.pk == union.pk]
    first = sample("SELECT coalesce(max(next_value), 1) FROM core_numbersequence WHERE name = 'member'")[0][0]
    generator = scale.MemberGenerator(
        seed=rng.randrange(1 << 30), first_number=first, unions=unions, taken=scale._taken_id_numbers
    )
    return generator.chunk([f"R{i:07d}" for i in range(count)])


def raw_copy_seconds(rows: list[tuple], *, indexes: bool) -> float:
    """COPY the same rows into an empty scratch table shaped like members_member, then drop it.

    With ``indexes`` the table has the same indexes (``LIKE … INCLUDING ALL``: primary key, unique ID and
    member numbers, the trigram index on names…), which the import must keep up too; without, the columns only.
    """
    from bench.scale.members import MEMBER_COLUMNS, _tsv

    now = "2026-01-01T00:00:00+00:00"
    text = "".join("\t".join([*map(_tsv, row), now, now]) + "\n" for row in rows)
    columns = ", ".join([*MEMBER_COLUMNS, "created_at", "updated_at"])
    including = "INCLUDING ALL" if indexes else "INCLUDING DEFAULTS INCLUDING IDENTITY"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_member_copy")
        cursor.execute(f"CREATE TABLE bench_member_copy (LIKE members_member {including})")
        try:
            started = time.perf_counter()  # autocommit: the COPY is committed when it returns
            cursor.cursor.copy_expert(f"COPY bench_member_copy ({columns}) FROM STDIN", io.StringIO(text))
            return time.perf_counter() - started
        finally:
            cursor.execute("DROP TABLE bench_member_copy")


def wait_for(client: Client, progress: str, pk: int, states: set, deadline: float) -> RosterImport:
    """Poll the progress page until the roster reaches one of ``states`` (read from the database)."""
    limit = time.monotonic() + deadline
    while True:
        client.get(progress)
        job = RosterImport.objects.get(pk=pk)
        if job.status in states:
            return job
        if job.status in (RosterImport.Status.FAILED, RosterImport.Status.CANCELLED):
            raise RuntimeError(f"roster {pk} ended {job.status}: {job.message}")
        if time.monotonic() > limit:
            raise RuntimeError(f"roster {pk} still {job.status} ({job.progress}%) after {deadline} s")
        time.sleep(0.2)


def upload_fields(html: str, union: Organisation) -> tuple[str, dict]:
    """The upload form's file field and its other fields, read from the page (the union chosen by id)."""
    form = re.search(r"<form[^>]*multipart/form-data.*?</form>", html, re.S)
    if not form:
        raise RuntimeError("the roster page has no upload form")
    body = form.group(0)
    file_field = re.search(r'<input[^>]*type="file"[^>]*name="([^"]+)"|<input[^>]*name="([^"]+)"[^>]*type="file"', body)
    if not file_field:
        raise RuntimeError("the roster upload form has no file field")
    data = {}
    for name in re.findall(r'<select[^>]*name="([^"]+)"', body):
        data[name] = str(union.pk)
    # Above 200 unions in scope the form takes the union's code in a text field instead of a select.
    if re.search(r'<input[^>]*name="organisation"', body) and "organisation" not in data:
        data["organisation"] = union.code
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and name.group(1) != "csrfmiddlewaretoken" and (kind and kind.group(1)) in ("hidden", "text"):
            value = re.search(r'value="([^"]*)"', tag)
            data.setdefault(name.group(1), value.group(1) if value else "")
    if data.get("organisation") == "":
        data["organisation"] = union.code
    return file_field.group(1) or file_field.group(2), data


def bench_import(client: Client, *, rows_count: int, rng: random.Random, deadline: float) -> dict:
    union = (
        Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True, depth=4)
        .exclude(credit_code=None)
        .order_by("path")
        .first()
    )
    log(f"roster: {rows_count:,} new members for {union.name}")
    rows = roster_rows(rows_count, union, rng)
    content = roster_xlsx(rows)
    log(f"  workbook {len(content) / 1e6:.1f} MB; raw COPY of the same rows …")
    copy_seconds = raw_copy_seconds(rows, indexes=True)
    bare_seconds = raw_copy_seconds(rows, indexes=False)
    log(f"  raw COPY: {copy_seconds:.2f} s ({rows_count / copy_seconds:,.0f} rows/s), {bare_seconds:.2f} s bare")

    upload = reverse("members:roster-list")
    page = client.get(upload)
    if page.status != 200:
        raise RuntimeError(f"roster page answered {page.status}")
    file_field, data = upload_fields(page.text, union)
    started = time.perf_counter()
    response = client.post_multipart(
        upload, data, {file_field: ("bench-roster.xlsx", content, "application/vnd.ms-excel")}
    )
    if response.status != 302:
        raise RuntimeError(f"upload answered {response.status}: {response.text[:300]!r}")
    pk = int(re.search(r"/(\d+)/", response.location).group(1))
    progress = reverse("members:roster-progress", args=[pk])
    job = wait_for(client, progress, pk, {RosterImport.Status.READY}, deadline)
    validated = time.perf_counter()
    if job.valid_rows != rows_count:
        raise RuntimeError(f"roster {pk}: {job.valid_rows} valid rows of {rows_count}: {job.errors[:3]}")
    client.get(reverse("members:roster-detail", args=[pk]))  # the preview the user reads before confirming
    confirming = time.perf_counter()
    response = client.post(reverse("members:roster-confirm", args=[pk]), {})
    if response.status not in (200, 302):
        raise RuntimeError(f"confirm answered {response.status}: {response.text[:300]!r}")
    job = wait_for(client, progress, pk, {RosterImport.Status.DONE}, deadline)
    done = time.perf_counter()
    imported = job.imported_rows
    validate_s, import_s = validated - started, done - confirming
    total_s = validate_s + import_s
    log(f"  validate {validate_s:.1f} s, import {import_s:.1f} s, {imported:,} imported")
    return {
        "rows": rows_count,
        "imported": imported,
        "validate_s": validate_s,
        "import_s": import_s,
        "total_s": total_s,
        "copy_s": copy_seconds,
        "bare_copy_s": bare_seconds,
        "union": union.name,
    }


# --- Report ------------------------------------------------------------------------------------------


def verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "**missed**"


def write_results(path: Path, *, info: dict, data: dict, pages: dict, roster: dict | None, note: str, args) -> None:
    lines = [
        "# Members at scale",
        "",
        f"Written by `bench/members.py` on {info['date']}. Figures are wall-clock times per request, measured by "
        "the client over HTTP on loopback (gunicorn, 2 sync workers, DEBUG=0), signed in as a city-level staff "
        f"user; each series follows {args.warmup} untimed warm-up requests.",
        "",
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
        f"{data['members']:,} members in {data['unions']:,} grassroots unions (`manage.py seed_scale`), "
        "measured before the roster import of this run.",
        "",
        "## Requests",
        "",
        "| request | n | p50 ms | p95 ms | max ms | target (p95) | |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    rows = [
        ("exact lookup: POST /members/ q=ID number → 302", "lookup", "lookup"),
        ("name search: q=2-character prefix (张伟…)", "name2", "name"),
        ("name search: q=3-character full name", "name3", "name"),
        ("member list: page 1", "list1", "list"),
        (f"member list: page 5,000 (keyset after row {DEEP_OFFSET + 1:,})", "list5000", "list"),
    ]
    for label, key, target in rows:
        t = pages[key]
        goal = TARGETS[target]
        lines.append(
            f"| {label} | {t.count} | {t.p50:.1f} | {t.p95:.1f} | {t.max:.1f} | ≤ {goal} ms | {verdict(t.p95, goal)} |"
        )
    lines += ["", "## Roster import", ""]
    if roster:
        copy_rate = roster["rows"] / roster["copy_s"]
        total_rate = roster["imported"] / roster["total_s"]
        goal = TARGETS["import_rows_per_s"]
        lines += [
            f"A {roster['rows']:,}-row xlsx of new, valid members for {roster['union']}, uploaded over HTTP, "
            "validated and imported by the Celery worker, confirmed in between (the time spent waiting for the "
            "user is not counted). Raw COPY: the same rows, in the same run, into an empty scratch table made "
            "with `LIKE members_member INCLUDING ALL` (same columns and indexes), then dropped; and once more into "
            "a table with the columns only.",
            "",
            "| step | seconds | rows/s | target | |",
            "|---|---:|---:|---:|---|",
            f"| upload and validate | {roster['validate_s']:.1f} | {roster['rows'] / roster['validate_s']:,.0f} | | |",
            f"| confirm and import | {roster['import_s']:.1f} | {roster['imported'] / roster['import_s']:,.0f} | | |",
            f"| total (validated rows imported) | {roster['total_s']:.1f} | {total_rate:,.0f} | ≥ {goal:,} rows/s "
            f"| {verdict(total_rate, goal, lower_is_better=False)} |",
            f"| raw PostgreSQL COPY, same indexes as members_member | {roster['copy_s']:.2f} | {copy_rate:,.0f} | | |",
            f"| raw PostgreSQL COPY, columns only (no index) | {roster['bare_copy_s']:.2f} "
            f"| {roster['rows'] / roster['bare_copy_s']:,.0f} | | |",
            "",
            f"Roster import runs at **1/{copy_rate / total_rate:.0f}** of the speed of a raw COPY into the same "
            f"indexes ({total_rate / copy_rate:.1%}).",
        ]
    else:
        lines.append(note or "Not measured in this run.")
    lines += [
        "",
        "## Targets",
        "",
        "From the members issue, at 1M members: exact lookup p95 ≤ 50 ms; name search p95 ≤ 300 ms; list page "
        "p95 ≤ 150 ms at any depth; roster import ≥ 5,000 validated rows/s, reported as a ratio to raw COPY.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


# --- Main --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per series (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before each series")
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the roster (default 50,000)")
    parser.add_argument("--skip-import", action="store_true", help="do not upload a roster (the data set stays)")
    parser.add_argument("--deadline", type=int, default=1800, help="stop everything after this many seconds")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
                        help="broker and cache of the servers; a database of its own, so no other worker takes "
                             "the roster task (default redis://127.0.0.1:6379/7)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--collectstatic-ignore", action="append", default=[], metavar="PATTERN",
                        help="leave static files matching PATTERN out (a workaround for one that breaks "
                             "collectstatic; the pages measured here must not use it)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    def out_of_time(signum, frame):
        raise TimeoutError(f"the benchmark ran past --deadline {args.deadline} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, out_of_time)  # so that the servers are stopped on the way out
    signal.alarm(args.deadline)

    if connection.vendor != "postgresql":
        sys.exit("bench/members.py measures PostgreSQL: set DATABASE_URL to the database seed_scale filled.")
    data = dataset()
    if data["members"] < 1000:
        sys.exit("Too few members: run `manage.py seed_scale --members 1000000` on this database first.")
    log(f"{data['members']:,} members, {data['unions']:,} unions, PostgreSQL {data['postgres']}")
    info = machine()
    rng = random.Random(args.seed)  # noqa: S311 - picks which rows to ask for
    username, password = ensure_bench_user()
    WORK.mkdir(parents=True, exist_ok=True)
    env = bench_env(
        REDIS_URL=args.redis_url,
        CELERY_BROKER_URL=args.redis_url,
        STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media"),
    )
    log("collectstatic (the manifest storage needs it with DEBUG=0) …")
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    for pattern in args.collectstatic_ignore:
        collect += ["--ignore", pattern]
    done = subprocess.run(collect, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        sys.exit(f"collectstatic failed (so would `make run`):\n{done.stderr.strip()[-1500:]}")

    note = ""
    roster = None
    try:
        reverse("members:roster-confirm", args=[1])
        reverse("members:roster-progress", args=[1])
        has_roster = True
    except NoReverseMatch:
        has_roster = False
    with gunicorn(env=env, log_dir=WORK) as port:
        client = Client(port)
        client.login(username, password)
        log(f"gunicorn on 127.0.0.1:{port}, signed in as {username}")
        pages = bench_pages(client, requests=args.requests, warmup=args.warmup, rng=rng)
        if args.skip_import:
            note = "Skipped (--skip-import)."
        elif not has_roster:
            note = "Not measured: the roster pages (members:roster-progress, members:roster-confirm) do not exist yet."
            log(note)
        else:
            with celery_worker(env=env, log_dir=WORK):
                roster = bench_import(client, rows_count=args.rows, rng=rng, deadline=args.deadline)
    write_results(args.out, info=info, data=data, pages=pages, roster=roster, note=note, args=args)
    log(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
