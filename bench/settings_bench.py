"""Settings for the benchmark servers only: the portal's own, with a URLconf that adds a minimal view."""

from unionportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
