"""runner/info.py: the platform a runner reports is platform.platform()'s, found without a child process."""
from __future__ import annotations

import platform
import subprocess
import sys

import pytest
from conctui.runner.info import platform_name

pytestmark = pytest.mark.process

NO_CHILD = """import subprocess
def refuse(*args, **kwargs):
    raise AssertionError("started a process: %r" % (args,))
subprocess.Popen = refuse
from conctui.runner.info import platform_name
print(platform_name())
"""


def test_platform_name_is_what_platform_platform_says() -> None:
    assert platform_name() == platform.platform()


@pytest.mark.skipif(sys.platform != "linux", reason="the `uname -p` child is started on Linux only")
def test_platform_name_starts_no_process() -> None:
    """In a fresh interpreter: platform's own caches would hide a call made earlier here."""
    done = subprocess.run([sys.executable, "-c", NO_CHILD], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == platform.platform()
