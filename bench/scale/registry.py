"""The registry behind ``seed_scale``'s per-app options: each app's ``scale.py`` registers its generators.

``seed_scale`` (in members, the floor every app stands on) discovers the ``scale`` modules of the installed
apps and offers one ``--<name> N`` option per registered generator, so it imports no app above members. A
generator adds ``count`` synthetic rows of its kind on top of the scale city and returns a one-line summary.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Generator:
    name: str  # the option: --<name> N
    help: str
    func: Callable[..., str]  # func(count, *, seed, log) -> summary


_generators: dict[str, Generator] = {}


def generator(name: str, *, help: str):  # noqa: A002 - argparse's word
    def register(func):
        _generators.setdefault(name, Generator(name, help, func))
        return func

    return register


def generators() -> list[Generator]:
    return list(_generators.values())
