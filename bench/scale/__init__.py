"""Benchmark data generators, kept out of the production packages: ``members`` (the scale city: federations,
grassroots unions, members), ``mutualaid`` (five years of enrolments and claims) and ``registry`` (the table of
generators that ``seed_scale`` offers as ``--<name> N`` options).

``manage.py seed_scale`` (in ``members/management/commands/``, where Django finds it) is the only production
module that imports them, and only when it runs; import-linter's ``no-bench-in-production`` contract keeps it so.
"""
