"""What a plain `pip install .` ships: every package folder is listed in pyproject.toml.

An editable install finds any folder under tui/, so a package missing from `packages` passes
every test there and fails only in a clean install (CI's): this test fails first.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _package(folder: Path) -> str:
    """The import name of a package folder, by pyproject's package-dir mapping."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for name, where in sorted(config["package-dir"].items(), key=lambda item: -len(item[1])):
        base = ROOT / where
        if folder == base or base in folder.parents:
            return ".".join([name, *folder.relative_to(base).parts])
    raise AssertionError(f"{folder} is under no package-dir")


def test_every_package_folder_is_shipped() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = [init.parent for where in config["package-dir"].values() for init in (ROOT / where).rglob("__init__.py")]
    found = {_package(folder) for folder in folders}
    assert found - set(config["packages"]) == set(), "add these to [tool.setuptools] packages"
    assert set(config["packages"]) - found == set(), "these are listed but have no folder"
