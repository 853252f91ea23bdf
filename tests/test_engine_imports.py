"""The engine and the headless CLI import no Textual and no Rich (fast start, light children)."""
from __future__ import annotations

import subprocess
import sys


def test_engine_and_cli_import_no_ui_library() -> None:
    probe = ("import conctui.engine.session, conctui.engine.figures, conctui.cli, sys; "
             "loaded = sorted({'textual', 'rich'} & set(sys.modules)); "
             "assert not loaded, loaded")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
