"""Bench-only settings: the production settings plus the bare baseline view's URL."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.liveview.urls"
