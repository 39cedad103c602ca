"""Bench-only settings: the app's settings with bench.bare_urls as the URLconf (never used in production)."""

from cameraregistry.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
