"""``python -m lessons``: create, fill, inspect and benchmark the store from the command line.

The database path comes from ``--db``, else ``$LESSONS_DB``, else ``data/lessons.db``. Every command except
``init`` and ``synth`` creates the demo database first when no database exists yet, as the app does
(:func:`lessons.boot.ensure_store`).

Each command's function sits beside the function that declares its options (``add_<command>``), in the module of
its kind: :mod:`~lessons.cli.database` (init, demo, stats, synth, analyse, bench), :mod:`~lessons.cli.accounts`
(user, audit), :mod:`~lessons.cli.imports` (import, uploads, template, methodology), :mod:`~lessons.cli.networks`
(network-export, network-stats), :mod:`~lessons.cli.exports` (export, brief, import-bundle),
:mod:`~lessons.cli.workshops` (workshop), :mod:`~lessons.cli.status` (lesson status), :mod:`~lessons.cli.models`
(model), :mod:`~lessons.cli.search` (search) and :mod:`~lessons.cli.catalogue` (catalogue), :mod:`~lessons.cli.translations` (translations: lessons in other
languages), :mod:`~lessons.cli.messages` (messages: the interface's translations); :mod:`~lessons.cli.common` holds the exit codes, the table printer
and the acting account. This module assembles the parser, in the order ``--help`` lists the commands, and runs one.
"""

from __future__ import annotations

import argparse
import sys

from lessons.accounts import AccountError
from lessons.boot import ensure_store
from lessons.cli import (
    accounts,
    catalogue,
    database,
    exports,
    imports,
    messages,
    models,
    networks,
    search,
    status,
    translations,
    workshops,
)
from lessons.cli.common import EXIT_ERROR, EXIT_INVALID, EXIT_OK, FIRST_ADMIN_HINT
from lessons.editing import EditError
from lessons.files import OutputError
from lessons.lifecycle import LifecycleError
from lessons.model_authoring import ModelError
from lessons.permissions import PermissionDenied
from lessons.workshops import WorkshopError

__all__ = ["EXIT_ERROR", "EXIT_INVALID", "EXIT_OK", "FIRST_ADMIN_HINT", "build_parser", "ensure_store", "main"]

#: Every command's ``add_<command>(sub, common)``, in the order ``python -m lessons --help`` lists them.
COMMANDS = (
    database.add_init,
    database.add_demo,
    database.add_stats,
    database.add_synth,
    database.add_analyse,
    database.add_bench,
    search.add_search,
    accounts.add_user,
    imports.add_import,
    imports.add_uploads,
    imports.add_template,
    networks.add_network_export,
    networks.add_network_stats,
    accounts.add_audit,
    exports.add_export,
    exports.add_brief,
    exports.add_import_bundle,
    workshops.add_workshop,
    status.add_lesson,
    models.add_model,
    imports.add_methodology,
    catalogue.add_catalogue,
    translations.add_translations,
    messages.add_messages,
)


def build_parser() -> argparse.ArgumentParser:
    """Build the command line's parser: one subcommand per entry of :data:`COMMANDS`, each taking ``--db``."""
    parser = argparse.ArgumentParser(prog="python -m lessons", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database file (default: $LESSONS_DB, else data/lessons.db)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: the process's arguments); return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (AccountError, EditError, WorkshopError, PermissionDenied, OutputError, LifecycleError, ModelError) as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
