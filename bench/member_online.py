"""Members online at scale: a member's claim page and the status-check endpoint over HTTP, against a minimal view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionportal_mo_bench .venv/bin/python bench/member_online.py

Run ``manage.py seed_scale --members N --claims M`` against that database first. The script:

- serves the portal with gunicorn (2 sync workers, DEBUG=0) under ``bench/settings_bench.py``, whose URLconf
  (``bench/urls_bench.py``) adds ``/bench/minimal/``, a view that answers "ok": the floor of what any Django
  request costs on this machine in this run;
- gives ``--members`` members drawn at random among those with claims an online account (a fresh random
  password each run) and signs each in over HTTP **with their ID number**, the way members sign in;
- times, in interleaved rounds: the minimal view (requested by the signed-in members, so that its floor
  includes reading the session and the user, as in bench/mutualaid.py); a member's claim page
  ``/mutualaid/my/claims/<number>/`` (the members in turn, each on one of their own claims: timeline, promised
  date, breakdown); a member's list
  ``/mutualaid/my/claims/``; and the anonymous status check ``POST /api/v1/claims/status/`` (JSON, claim number
  and ID number of a random claim, no session), whose per-ID-number and per-address limits are raised for the
  run so that every request does the full work (two limit counts and two inserts included) and none is refused.
  Target: the claim page and the status check each within 3× the minimal view (p50 and p95).

Figures go to bench/results/member-online.md. Everything started here is stopped at the end; the whole run is
bounded by --deadline. The servers are two sync workers and the client sends one request at a time, so the
run uses about one core.
"""

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path; keep the project's apps first.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402

from bench._http import Client, Timings, bench_env, gunicorn, machine  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "member-online.md"
WORK = Path(settings.VAR_DIR) / "bench"
RATIO = 3


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sample(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def dataset() -> dict:
    return {
        "members": sample("SELECT count(*) FROM members_member")[0][0],
        "claims": sample("SELECT count(*) FROM mutualaid_claim")[0][0],
        "events": sample("SELECT count(*) FROM mutualaid_claimevent")[0][0],
        "accounts": sample("SELECT count(*) FROM members_member WHERE account_id IS NOT NULL")[0][0],
        "postgres": sample("SHOW server_version")[0][0],
    }


def member_accounts(count: int, rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """``count`` members with claims, each with an account and a new random password: (id_number, password,
    claim numbers). Made directly (the activation form is rate-limited per address, as it should be)."""
    from axes.utils import reset

    from members.models import Member

    rows = sample(
        "SELECT member_id FROM mutualaid_claim TABLESAMPLE BERNOULLI (5) REPEATABLE (%s) GROUP BY member_id LIMIT %s",
        [rng.randrange(1 << 30), count],
    )
    User = get_user_model()
    group = Group.objects.get(name="member")
    chosen = []
    for (member_id,) in rows:
        member = Member.objects.get(pk=member_id)
        password = secrets.token_urlsafe(18) + "Aa1!"
        user = User.objects.filter(member=member).first() or User(username=f"m{member.member_number}", name=member.name)
        user.set_password(password)
        user.is_active = True
        user.save()
        if member.account_id != user.pk:
            member.account = user
            member.save(update_fields=["account"])
        user.groups.set([group])
        reset(username=user.username)
        numbers = list(member.claims.values_list("number", flat=True))
        chosen.append((member.id_number, password, numbers))
    return chosen


def status_pairs(count: int, rng: random.Random) -> list[tuple[str, str]]:
    return sample(
        "SELECT c.number, m.id_number FROM mutualaid_claim c TABLESAMPLE BERNOULLI (2) REPEATABLE (%s) "
        "JOIN members_member m ON m.id = c.member_id LIMIT %s",
        [rng.randrange(1 << 30), count],
    )


def bench(port: int, members, pairs, *, requests: int, warmup: int, rng: random.Random) -> dict[str, Timings]:
    clients = []
    for id_number, password, numbers in members:
        client = Client(port)
        client.login(id_number, password)  # the member signs in with the ID number
        clients.append((client, numbers))
    anonymous = Client(port)

    def status(i):
        number, id_number = pairs[i % len(pairs)]
        body = json.dumps({"number": number, "id_number": id_number}).encode()
        return anonymous.request("POST", "/api/v1/claims/status/", body, {"Content-Type": "application/json"})

    calls = {
        # Signed in, like the member pages: the floor includes reading the session and the user.
        "minimal": (lambda i: clients[i % len(clients)][0].get("/bench/minimal/"), b"ok"),
        "claim": (
            lambda i: clients[i % len(clients)][0].get(
                f"/mutualaid/my/claims/{rng.choice(clients[i % len(clients)][1])}/"
            ),
            b'data-testid="claim-timeline"',
        ),
        "list": (lambda i: clients[i % len(clients)][0].get("/mutualaid/my/claims/"), b'data-testid="my-claims"'),
        "status": (status, b'"status_label"'),
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(warmup + requests):
        for name, (call, expect) in calls.items():
            response = call(i)
            if response.status != 200 or expect not in response.body:
                raise RuntimeError(f"{name}: answered {response.status} {response.text[:300]!r}")
            if i >= warmup:
                samples[name].append(response.seconds)
    results = {name: Timings(values) for name, values in samples.items()}
    for name, t in results.items():
        log(f"  {name}: p50 {t.p50:.1f} ms, p95 {t.p95:.1f} ms, max {t.max:.1f} ms ({t.count})")
    return results


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_results(path: Path, *, info: dict, data: dict, pages: dict, args) -> None:
    minimal = pages["minimal"]
    lines = [
        "# Members online at scale",
        "",
        f"Written by `bench/member_online.py` on {info['date']}. Wall-clock times per request, measured by the "
        "client over HTTP on loopback (gunicorn, 2 sync workers, DEBUG=0, settings `bench/settings_bench.py`); "
        f"the four requests are interleaved, round after round, after {args.warmup} untimed warm-up rounds. "
        f"{len(args.member_ids)} members signed in with their ID numbers take turns on the member pages.",
        "",
    ]
    if args.note:
        lines += [args.note, ""]
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
        f"| load average (1, 5, 15 min) at the start / the end | {args.load_before} / {args.load_after} |",
        "",
        "## Data set",
        "",
        f"{data['members']:,} members, {data['claims']:,} claims with {data['events']:,} events, "
        f"{data['accounts']:,} member accounts (`manage.py seed_scale --members … --claims …`).",
        "",
        "## Requests",
        "",
        "| request | n | p50 ms | p95 ms | max ms | p50 / minimal | p95 / minimal | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
        f"| minimal Django view `/bench/minimal/` | {minimal.count} | {minimal.p50:.1f} | {minimal.p95:.1f} "
        f"| {minimal.max:.1f} | 1 | 1 | | |",
    ]
    for label, key, target in [
        ("member's claim page `/mutualaid/my/claims/<number>/`", "claim", True),
        ("status check `POST /api/v1/claims/status/` (anonymous, JSON)", "status", True),
        ("member's claim list `/mutualaid/my/claims/` (no target)", "list", False),
    ]:
        t = pages[key]
        r50, r95 = t.p50 / minimal.p50, t.p95 / minimal.p95
        mark = f"≤ {RATIO}× | {verdict(r50 <= RATIO and r95 <= RATIO)}" if target else " | "
        lines.append(
            f"| {label} | {t.count} | {t.p50:.1f} | {t.p95:.1f} | {t.max:.1f} | {r50:.2f} | {r95:.2f} | {mark} |"
        )
    lines += [
        "",
        "## Target",
        "",
        f"From issue 5: the member claim page and the status-check endpoint within {RATIO}× a minimal Django view "
        "on the same server in the same run.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="timed rounds (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed rounds first (default 30)")
    parser.add_argument("--members", type=int, default=20, help="members signed in (default 20)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--deadline", type=int, default=900, help="stop everything after this many seconds")
    parser.add_argument("--note", default="", help="a sentence for the results file (e.g. a smaller scale)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/member_online.py measures PostgreSQL: set DATABASE_URL to the database seed_scale filled.")

    def out_of_time(signum, frame):
        raise TimeoutError(f"the benchmark ran past --deadline {args.deadline} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, out_of_time)  # so that the servers are stopped on the way out
    signal.alarm(args.deadline)

    rng = random.Random(args.seed)  # noqa: S311 - picks members and claims
    data = dataset()
    if data["claims"] < 1000:
        sys.exit("Too few claims: run `manage.py seed_scale --members … --claims …` first.")
    members = member_accounts(args.members, rng)
    pairs = status_pairs(args.requests + args.warmup, rng)
    args.member_ids = [m[0] for m in members]
    data = dataset()
    log(f"{data['members']:,} members, {data['claims']:,} claims, {len(members)} member accounts signed in")
    info = machine()

    WORK.mkdir(parents=True, exist_ok=True)
    env = bench_env(
        REDIS_URL=args.redis_url, CELERY_BROKER_URL=args.redis_url, STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media"),
        # Every status check does the full work, limits included, and none is refused during the run.
        STATUS_CHECK_PER_ID="1000000", STATUS_CHECK_PER_ADDRESS="1000000",
    )  # fmt: skip
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    log("collectstatic (the manifest storage needs it with DEBUG=0) …")
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    done = subprocess.run(collect, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        sys.exit(f"collectstatic failed:\n{done.stderr.strip()[-1500:]}")
    args.load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with gunicorn(env=env, log_dir=WORK) as port:
        log(f"gunicorn on 127.0.0.1:{port}")
        pages = bench(port, members, pairs, requests=args.requests, warmup=args.warmup, rng=rng)
    # The machine is shared: the load says how quiet it was (the ratios matter; the milliseconds move with it).
    args.load_after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    write_results(args.out, info=info, data=data, pages=pages, args=args)
    log(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
