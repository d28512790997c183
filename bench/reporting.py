"""Monthly report prefill at scale against hand-written SQL aggregates of the same figures, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionportal_rcbench .venv/bin/python bench/reporting.py

Run ``manage.py seed_scale --members 1000000 --claims 300000`` against that database first. For a month
(default: the busiest month of paid claims in the data, so the claim figures are not trivially small) the
script times, in interleaved rounds:

- ``sql``: hand-written SQL, five statements grouped by the county part of the tree path (joiners with
  migrant and new-form; unions founded; paid covers and premiums; paid claims with amount, on time and days to
  pay; claims accepted) — the floor of computing these figures in this database;
- ``compute``: ``unionportal.core.indicators.compute`` for every registered indicator, i.e. the apps' own
  ``indicators.py`` sources as the prefill calls them (ORM, all seven counties at once);
- ``prefill``: ``reporting.services.reports_prefill`` for the month: the catalogue, the compute, and writing
  seven reports with their revisions, lines and events, in a transaction rolled back after each round so every
  round does the whole work.

Both sides must agree on every figure of every county (checked once, before timing). Target: the prefill's
median within 2× the SQL's. Results go to bench/results/reporting.md.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and its name would hide the reporting app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from bench._http import machine  # noqa: E402
from reporting import services  # noqa: E402
from unionportal.core import indicators  # noqa: E402
from unionportal.core.months import next_month  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "reporting.md"
TARGET = 2.0
TENTH = Decimal("0.1")

SQL = {
    "members": """
        SELECT substr(m.org_path, 1, 8) AS county, count(*),
               count(*) FILTER (WHERE m.is_migrant_worker),
               count(*) FILTER (WHERE m.employment = 'new_form')
        FROM members_member m
        WHERE m.joined_on >= %(start)s AND m.joined_on < %(end)s
        GROUP BY 1""",
    "unions": """
        SELECT substr(o.path, 1, 8), count(*)
        FROM members_organisation o
        WHERE o.kind = 'grassroots'
          AND coalesce(o.founded_on, (o.created_at AT TIME ZONE 'Asia/Shanghai')::date) >= %(start)s
          AND coalesce(o.founded_on, (o.created_at AT TIME ZONE 'Asia/Shanghai')::date) < %(end)s
        GROUP BY 1""",
    "covers": """
        SELECT substr(p.org_path, 1, 8), count(*), coalesce(sum(p.premium), 0)
        FROM mutualaid_policy p JOIN mutualaid_enrolmentbatch b ON b.id = p.batch_id
        WHERE b.status = 'paid' AND b.paid_on >= %(start)s AND b.paid_on < %(end)s
        GROUP BY 1""",
    "paid": """
        SELECT substr(c.org_path, 1, 8), count(*), coalesce(sum(c.benefit), 0),
               count(*) FILTER (WHERE c.due_on IS NOT NULL AND c.paid_on <= c.due_on),
               sum(c.paid_on - (c.accepted_at AT TIME ZONE 'Asia/Shanghai')::date)
                   FILTER (WHERE c.accepted_at IS NOT NULL),
               count(*) FILTER (WHERE c.accepted_at IS NOT NULL)
        FROM mutualaid_claim c
        WHERE c.status = 'paid' AND c.paid_on >= %(start)s AND c.paid_on < %(end)s
        GROUP BY 1""",
    "accepted": """
        SELECT substr(c.org_path, 1, 8), count(*)
        FROM mutualaid_claim c
        WHERE c.accepted_at >= (%(start)s::timestamp AT TIME ZONE 'Asia/Shanghai')
          AND c.accepted_at < (%(end)s::timestamp AT TIME ZONE 'Asia/Shanghai')
        GROUP BY 1""",
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sql_figures(month: date) -> dict[str, dict[str, object]]:
    """``{county path: {code: value}}`` from the hand-written statements."""
    params = {"start": month, "end": next_month(month)}
    out: dict[str, dict[str, object]] = {}
    with connection.cursor() as cursor:
        cursor.execute(SQL["members"], params)
        for county, n, migrant, new_form in cursor.fetchall():
            out.setdefault(county, {}).update(members_new=n, members_new_migrant=migrant, members_new_new_form=new_form)
        cursor.execute(SQL["unions"], params)
        for county, n in cursor.fetchall():
            out.setdefault(county, {})["unions_new"] = n
        cursor.execute(SQL["covers"], params)
        for county, n, premiums in cursor.fetchall():
            out.setdefault(county, {}).update(mutualaid_enrolments=n, mutualaid_premiums=premiums)
        cursor.execute(SQL["paid"], params)
        for county, n, amount, on_time, days, days_n in cursor.fetchall():
            out.setdefault(county, {}).update(
                mutualaid_claims_paid=n,
                mutualaid_amount_paid=amount,
                mutualaid_on_time_rate=(Decimal(100 * on_time) / n).quantize(TENTH) if n else None,
                mutualaid_avg_days_to_pay=(Decimal(days) / days_n).quantize(TENTH) if days_n else None,
            )
        cursor.execute(SQL["accepted"], params)
        for county, n in cursor.fetchall():
            out.setdefault(county, {})["mutualaid_claims_accepted"] = n
    return out


def compare(month: date) -> list[str]:
    """Differences between the registry's figures and the SQL's, per county and code (empty when they agree)."""
    from unionportal.org.models import Organisation

    paths = dict(Organisation.objects.filter(kind=Organisation.Kind.COUNTY).values_list("pk", "path"))
    ours = indicators.compute(month)
    theirs = sql_figures(month)
    problems = []
    for county_id, values in ours.items():
        expected = theirs.get(paths[county_id], {})
        for code, value in values.items():
            other = expected.get(code, None if code.endswith(("rate", "days_to_pay")) else 0)
            if (value is None) != (other is None) or (value is not None and Decimal(value) != Decimal(other)):
                problems.append(f"{paths[county_id]} {code}: registry {value} ≠ SQL {other}")
    return problems


class Rollback(Exception):
    pass


def prefill_once(month: date) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            created = services.reports_prefill(month=month)
            elapsed = time.perf_counter() - started
            assert created == 7, created
            raise Rollback
    except Rollback:
        pass
    return elapsed


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def busiest_month() -> date:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_trunc('month', paid_on)::date, count(*) FROM mutualaid_claim WHERE status = 'paid' "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else date.today().replace(day=1)


def dataset() -> dict:
    with connection.cursor() as cursor:
        counts = {}
        for name, table in (("members", "members_member"), ("claims", "mutualaid_claim"),
                            ("covers", "mutualaid_policy"), ("organisations", "members_organisation")):  # fmt: skip
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            counts[name] = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        counts["postgres"] = cursor.fetchone()[0]
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", help="YYYY-MM (default: the month with most paid claims)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--note", default="")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    data = dataset()
    log(f"{data['members']:,} members, {data['claims']:,} claims, {data['covers']:,} covers")
    month = date.fromisoformat(f"{args.month}-01") if args.month else busiest_month()
    if services.MonthlyReport.objects.filter(month=month).exists():
        sys.exit(f"{month:%Y-%m} already has reports in this database; pick another --month.")
    services.catalogue_for_year(month.year)  # made once, outside the timing (as after the first prefill)
    log(f"month {month:%Y-%m}")

    problems = compare(month)
    if problems:
        print("\n".join(problems))
        sys.exit("The registry and the SQL disagree; not timing.")
    log("registry and SQL agree on every figure of every county")

    sql_figures(month), indicators.compute(month), prefill_once(month)  # warm the caches once
    runs = {"sql": [], "compute": [], "prefill": []}
    for i in range(args.rounds):
        runs["sql"].append(timed(lambda: sql_figures(month)))
        runs["compute"].append(timed(lambda: indicators.compute(month)))
        runs["prefill"].append(prefill_once(month))
        log(f"round {i + 1}: " + ", ".join(f"{k} {v[-1] * 1000:.0f} ms" for k, v in runs.items()))
    medians = {name: statistics.median(values) for name, values in runs.items()}
    ratio = medians["prefill"] / medians["sql"]
    log("medians: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in medians.items()) + f"; prefill/SQL {ratio:.2f}×")

    sample = indicators.compute(month)
    info = machine()
    lines = [
        "# Monthly report prefill (`bench/reporting.py`)",
        "",
        f"Run {info['date']} on {info['nproc']} cores ({info['cpu']}), {info['memory']}, {info['os']}, "
        f"Python {info['python']}, PostgreSQL {data['postgres']}.",
        "",
        f"Data: {data['members']:,} members, {data['organisations']:,} organisations, {data['covers']:,} covers, "
        f"{data['claims']:,} claims (`seed_scale --members 1000000 --claims 300000`). Month {month:%Y-%m} "
        f"(the month with most paid claims). {args.rounds} interleaved rounds after one warm-up; medians.",
        "",
        "| what | median | min | max |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {medians[name] * 1000:.0f} ms | {min(v) * 1000:.0f} ms | {max(v) * 1000:.0f} ms |"
            for name, v in runs.items()
        ),
        "",
        f"**Prefill / hand-written SQL: {ratio:.2f}×** (target ≤ {TARGET:.0f}×: "
        f"{'met' if ratio <= TARGET else 'NOT met'}). Compute alone / SQL: {medians['compute'] / medians['sql']:.2f}×.",
        "",
        "- `sql`: five hand-written statements grouped by the county part of the path (see the script).",
        "- `compute`: `unionportal.core.indicators.compute(month)`: the members and mutual-aid sources, "
        "seven counties.",
        "- `prefill`: `reporting.services.reports_prefill(month=…)`: compute plus seven reports, revisions, "
        "lines and events written (rolled back after each round).",
        "- Before timing, every figure of every county from the registry was checked equal to the SQL's.",
        "",
        "Figures of the month (registry), by county id:",
        "",
        "| county | new members | of which migrant | enrolments | premiums | claims paid | amount paid "
        "| on time % | avg days |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {cid} | {v['members_new']} | {v['members_new_migrant']} | {v['mutualaid_enrolments']} | "
            f"{v['mutualaid_premiums']} | {v['mutualaid_claims_paid']} | {v['mutualaid_amount_paid']} | "
            f"{v['mutualaid_on_time_rate']} | {v['mutualaid_avg_days_to_pay']} |"
            for cid, v in sorted(sample.items())
        ),
    ]
    if args.note:
        lines += ["", args.note]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"written {args.out}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
