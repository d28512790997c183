"""The registry behind ``seed_demo``: each app's ``demo.py`` registers one idempotent seeding function.

A seeder returns how many rows it created; run twice, it creates nothing the second time.
"""

from collections.abc import Callable

# One password for every demo account, shown in the README. It passes the portal's own validators.
DEMO_PASSWORD = "Shangluo@2026"  # noqa: S105 - published on purpose

_seeders: list[tuple[str, Callable[[], int]]] = []


def seeder(name: str):
    def register(func):
        if name not in dict(_seeders):
            _seeders.append((name, func))
        return func

    return register


def seeders() -> list[tuple[str, Callable[[], int]]]:
    return list(_seeders)
