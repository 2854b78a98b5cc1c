"""Tocsin's own settings, unchanged, plus the baseline endpoint the intake bench compares with.

Database, middleware, logging and every other setting come from
``tocsin.settings``, so the baseline and the real intake run on the same
database settings, in the same server, with the same request pipeline."""

from tocsin.settings import *  # noqa: F403
from tocsin.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
