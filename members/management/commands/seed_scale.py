import time
from importlib import import_module

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.scale import members as scale
from bench.scale import registry as hooks
from members.models import Member
from unionportal.org.models import Organisation


class Command(BaseCommand):
    help = (
        "Build a large synthetic city for benchmarks on top of the demo tree: township and industry federations, "
        "grassroots unions (--unions, at least) and N more members (--members) with valid, unique ID numbers. "
        "Rerunning adds N more members. Synthetic data: no audit rows are written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=0, help="How many members to add (default 0).")
        parser.add_argument(
            "--unions", type=int, default=5000, help="Make sure there are at least this many grassroots unions."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the random draw (default 2026).")
        parser.add_argument("--chunk-size", type=int, default=50_000, help="Members per COPY chunk.")
        # The generators of the apps above members (mutualaid's --claims) live in bench/scale/ with the rest of
        # the benchmark data; each registers its option there. No production module imports bench/.
        import_module("bench.scale.mutualaid")
        for generator in hooks.generators():
            parser.add_argument(f"--{generator.name}", type=int, default=0, metavar="N", help=generator.help)

    def handle(self, *args, members, unions, seed, chunk_size, verbosity, **options):
        if members < 0 or unions < 0 or chunk_size < 1:
            raise CommandError("--members, --unions and --chunk-size must be positive.")
        log = self.stdout.write if verbosity >= 1 else (lambda message: None)
        started = time.monotonic()
        try:
            created = scale.ensure_unions(unions, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        log(f"unions: {created:,} created in {time.monotonic() - started:.1f} s")
        if members:
            loading = time.monotonic()
            block = scale.add_members(members, seed=seed, chunk_size=chunk_size, log=log)
            elapsed = time.monotonic() - loading
            log(f"members: {len(block):,} added in {elapsed:.1f} s (member numbers {block.start}-{block.stop - 1})")
        analysing = time.monotonic()
        scale.analyze()
        log(f"analyze: {time.monotonic() - analysing:.1f} s")
        for generator in hooks.generators():
            count = options.get(generator.name.replace("-", "_")) or 0
            if count < 0:
                raise CommandError(f"--{generator.name} must be positive.")
            if count:
                generating = time.monotonic()
                summary = generator.func(count, seed=seed, log=log)
                log(f"{generator.name}: {summary} in {time.monotonic() - generating:.1f} s")
        total_members = Member.objects.count()
        total_unions = Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale city ready on {connection.vendor}: {total_unions:,} grassroots unions, "
                f"{total_members:,} members; {time.monotonic() - started:.1f} s in all."
            )
        )
