"""ARCHITECTURE.md cannot go stale silently: every file it names exists, and every
`path.py:name` it cites is defined in that file (a def, a class or an assignment)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
FILE = r"(?:tui|workloads|tests|bench|scripts)/[\w/]*\.(?:py|tcss)"  # a file, from the repository's root
FOLDER = r"(?:tui|workloads|tests)/[\w/]+/"
PATHS = re.compile(rf"(?<![\w/.])({FILE}|{FOLDER})")
CITED = re.compile(r"((?:tui|workloads|tests)/[\w/]+\.py):([A-Za-z_][\w.]*)")


def test_every_path_the_architecture_names_exists() -> None:
    named = set(PATHS.findall(DOC))
    assert len(named) > 50  # the module map alone names more: a broken pattern would find none
    for path in sorted(named):
        if "*" in path:
            continue
        assert (ROOT / path).exists(), f"ARCHITECTURE.md names {path}, which does not exist"


def test_every_cited_name_is_defined_in_its_file() -> None:
    cited = set(CITED.findall(DOC))
    assert len(cited) > 30
    for path, dotted in sorted(cited):
        text = (ROOT / path).read_text(encoding="utf-8")
        for name in dotted.split("."):  # Class.method: both defined in the file
            defined = re.search(rf"^\s*(?:async\s+def|def|class)\s+{name}\b|^\s*{name}\s*(?::[^=\n]*)?=", text, re.M)
            assert defined, f"ARCHITECTURE.md cites {path}:{dotted}, but {name} is not defined there"


def test_the_module_map_has_a_line_for_every_module() -> None:
    """A new module gets its line (engine/watch/ has one line for the folder)."""
    watch = ROOT / "tui" / "engine" / "watch"
    modules = [path.relative_to(ROOT).as_posix() for path in (ROOT / "tui").rglob("*.py")
               if path.name not in ("__init__.py", "__main__.py") and not path.is_relative_to(watch)]
    missing = [module for module in modules if f"| `{module}` |" not in DOC]
    assert modules and not missing, f"ARCHITECTURE.md's module map lacks {missing}"
