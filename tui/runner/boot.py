"""Entry point run by path: `python boot.py FD`.

Loads this folder as the package `_conctui_runner` (a private name, so nothing here can
shadow a user's module), then hands over to main. Spawned worker processes re-import this
file as `__mp_main__`, which registers the package again so their targets unpickle.
"""
import importlib.util
import os
import sys

PACKAGE = "_conctui_runner"

if PACKAGE not in sys.modules:
    _here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == _here:
        del sys.path[0]  # siblings must not be importable as top-level modules
    _spec = importlib.util.spec_from_file_location(
        PACKAGE, os.path.join(_here, "__init__.py"), submodule_search_locations=[_here]
    )
    _package = importlib.util.module_from_spec(_spec)
    sys.modules[PACKAGE] = _package
    _spec.loader.exec_module(_package)

if __name__ == "__main__":
    from _conctui_runner.main import main

    sys.exit(main(sys.argv[1:]))
