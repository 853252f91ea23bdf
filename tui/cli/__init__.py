"""The `conctui` command: the TUI by default, and headless subcommands on the same engine.

User mistakes are one line on stderr and exit code 2; a failed worker makes exit code 1;
a run cut by --timeout exits 124; Ctrl+C, SIGTERM and SIGHUP cancel, reap and exit
130, 143 and 129.

args.py: the grammar. checks.py: the input, checked. sessions.py: runs and signals.
commands.py: one function per subcommand. report.py: text. documents.py: JSON.
"""
from __future__ import annotations

import os
import sys
from contextlib import nullcontext

from conctui.cli.args import EXIT_USAGE, build_parser, with_command
from conctui.cli.commands import COMMANDS
from conctui.cli.sessions import EXIT_FAILED, Interrupted, interrupt, on_signals
from conctui.cli.watch import split_command
from conctui.engine.recording import RecordingError
from conctui.engine.spec import UsageError
from conctui.engine.untrusted import visible


def main(argv: list[str] | None = None) -> int:
    try:
        argv, after_dashes = split_command(with_command(sys.argv[1:] if argv is None else argv, COMMANDS))
        args = build_parser().parse_args(argv)
        args.command_argv = after_dashes  # `watch -- CMD ARGS`: never parsed as conctui's options
        # headless, a signal outside a run unwinds the command, so what it started is reaped
        # (the TUI handles its own signals)
        with nullcontext() if args.command == "tui" else on_signals(interrupt):
            return COMMANDS[args.command](args)
    except (UsageError, RecordingError) as exc:  # they quote paths, params and files: from outside
        print(f"conctui: {visible(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        return 128 + exc.signum
    except BrokenPipeError:
        # `conctui run ... | head`: the reader left; say nothing more (the Python docs' recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
