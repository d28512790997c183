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
    """The seeders in INSTALLED_APPS order (members before the apps that hang off members), each app's own in the
    order it registered them. Not in import order: a test or a benchmark that imports ``mutualaid.demo`` first
    must not make the claims seed before the accounts they need exist."""
    from django.apps import apps

    position = {config.name: index for index, config in enumerate(apps.get_app_configs())}

    def app_position(item) -> int:
        config = apps.get_containing_app_config(item[1].__module__)
        return position.get(config.name, len(position)) if config else len(position)

    return sorted(_seeders, key=app_position)  # a stable sort keeps each app's own order
