"""What a tree path says about where a node sits: its city and its county.

A path is one ``Organisation.steplen``-character step per level: the city federation is level 1, the
county (or district) federations level 2. Code that needs "the county part of a path" asks here instead
of slicing by hand, so that a longer step or a new level changes one place.
"""

from .models import Organisation

CITY_DEPTH = 1
COUNTY_DEPTH = 2


def path_at_depth(path: str, depth: int) -> str:
    """The path of the ancestor of ``path`` at ``depth`` (the path itself when it is not deeper)."""
    return path[: depth * Organisation.steplen]


def city_path(path: str) -> str:
    """The city federation's path above ``path``."""
    return path_at_depth(path, CITY_DEPTH)


def county_path(path: str) -> str:
    """The county federation's path above ``path`` (or the path itself for the city and the counties)."""
    return path_at_depth(path, COUNTY_DEPTH)


def county_path_length() -> int:
    """How many characters of a path name its county: for SQL that groups by ``Substr(path, 1, n)``."""
    return COUNTY_DEPTH * Organisation.steplen


def parent_path(path: str) -> str:
    """The parent's path ("" for the city)."""
    return path[: -Organisation.steplen]


def county_of(path: str) -> Organisation | None:
    """The county (level-2) node above ``path``, or ``None`` for the city itself."""
    if len(path) < county_path_length():
        return None
    return Organisation.objects.filter(path=county_path(path)).first()
