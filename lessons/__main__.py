"""Run the command-line interface: ``python -m lessons --help``."""

import sys

from lessons.cli import main

sys.exit(main())
