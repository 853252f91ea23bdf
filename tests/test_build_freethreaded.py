"""scripts/build-freethreaded.sh takes the Debian archive only from this machine's apt sources."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build-freethreaded.sh"


def _build(tmp_path: Path, sources: dict[str, str]) -> subprocess.CompletedProcess:
    """The script against a made-up apt folder, building into tmp_path (never the real cache)."""
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    for name, text in sources.items():
        (etc / name).write_text(text)
    env = {**os.environ, "CONCTUI_APT_ETC": str(etc), "CONCTUI_FT_PREFIX": str(tmp_path / "python3.13t")}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)


def test_no_debian_archive_in_the_apt_sources_fails_with_one_line(tmp_path: Path) -> None:
    done = _build(tmp_path, {"sources.list.d/other.sources": "Types: deb\nURIs: http://example.invalid/ubuntu\n"
                                                               "# URIs: http://example.invalid/debian\n"})
    assert done.returncode == 2
    assert done.stderr.startswith("build-freethreaded: no Debian archive") and done.stderr.count("\n") == 1
    assert done.stdout == ""


def test_the_archive_is_the_first_uncommented_debian_uri(tmp_path: Path) -> None:
    """Port 9 on loopback refuses at once: the script says which archive it asked, then fails."""
    done = _build(tmp_path, {
        "sources.list": "# deb http://example.invalid/debian bookworm main\n"
                        "deb [arch=amd64 signed-by=/k.gpg] http://127.0.0.1:9/debian bookworm main\n",
        "sources.list.d/debian.sources": "Types: deb\n# http://example.invalid/debian\n"
                                         "URIs: http://127.0.0.1:9/debian-security\n",
    })
    assert "fetching python3.13 sources from http://127.0.0.1:9/debian trixie" in done.stderr
    assert done.returncode != 0 and not (tmp_path / "python3.13t" / "bin").exists()
