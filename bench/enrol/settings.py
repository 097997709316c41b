"""Bench-only settings: the production settings plus the bare baseline view's URL.

Everything else — middleware, authentication, database options — is what production runs,
so the baseline and the real endpoint share one server and one configuration.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.enrol.urls"
