"""The engine and the headless CLI import no Textual and no Rich (fast start, light children)."""
from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.process


def _passes(probe: str) -> None:
    """Run `probe` in a fresh interpreter (nothing imported yet) and fail with its traceback."""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_engine_and_cli_import_no_ui_library() -> None:
    _passes("import conctui.engine.session, conctui.engine.figures, conctui.cli, sys; "
            "loaded = sorted({'textual', 'rich'} & set(sys.modules)); "
            "assert not loaded, loaded")


def test_the_sampler_imports_psutil_when_it_starts() -> None:
    """The sampler is started after the TUI's first frame, and brings psutil (~7 ms) with it."""
    _passes("import sys, conctui.app, conctui.cli; "
            "from conctui.engine.session import Session; "
            "session = Session([]); "
            "assert 'psutil' not in sys.modules, 'imported before sampling'; "
            "session.start_sampling(); session.close(); "
            "assert 'psutil' in sys.modules, 'sampling without psutil?'")
