"""Moved to :mod:`lessons.workshops.analysis`; this name stays only until ``lessons/report.py`` imports from there."""

from lessons.workshops.analysis import *  # noqa: F403
from lessons.workshops.analysis import __all__  # noqa: F401
