"""Find and check a workload function, in whichever process will call it.

A workload is named by file path (`my_tasks.py`, imported by path like a script) or by
module name (`package.module`), plus a function's name in it (`work`, `Job.run`, `job.run`).
Functions are never pickled: every process that runs workers loads the workload itself, from
this description.

A function is taken as its author wrote it: called with the worker's index where it can take a
positional argument (`def work(n)`), else with none (`def work()`, `def work(*, size=3)`), and
the --param values by name either way. That shape is read from its signature once, by the runner,
and handed to every worker process with the workload's description (`shape`): inspect, which
reads it, is ~34 M instructions of imports that a worker's start-up does not pay.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import inspect


class LoadError(Exception):
    """A user mistake in naming or writing the workload: shown as one line, exit 2."""


class Workload:
    """The loaded function and what the modes need to know about calling it."""

    def __init__(self, module: Any, func: Callable[..., Any], params: dict[str, Any], builtin: bool,
                 shape: dict[str, bool]) -> None:
        self.module = module
        self.func = func
        self.params = params
        self.shape = shape  # how it is called (`_shape`): what a worker process is handed
        self.takes_index = shape["takes_index"]  # called with the worker's index as its one positional argument
        # a built-in may offer a coroutine twin for asyncio (`arun`) and a `context(params)`
        # manager that prepares what every worker shares (the http workload's server)
        self.async_func = getattr(module, "arun", None) if builtin else None
        if shape["is_async"]:
            self.async_func = func
        self.accepts_report = shape["accepts_report"]
        self.context = getattr(module, "context", None) if builtin else None
        # a built-in may be called once per round (`CALLS = "rounds"`) and take a payload the
        # parent builds (`payload(params)`, passed as `data`): see crossing.py for how they travel
        self.make_payload = getattr(module, "payload", None) if builtin else None
        self.calls_param = getattr(module, "CALLS", None) if builtin else None
        self.expected = getattr(module, "EXPECTED", None) if builtin else None

    @property
    def calls(self) -> int:
        """How many times each worker calls the function: 1, or a built-in's rounds."""
        return max(1, int(self.params[self.calls_param])) if self.calls_param else 1

    def arguments(self) -> dict[str, Any]:
        """What each call is given besides the index and report: built in the parent, once."""
        arguments = dict(self.params)
        if self.make_payload is not None:
            arguments["data"] = self.make_payload(self.params)
        return arguments

    def _kwargs(self, report: Callable[..., None], arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        kwargs = dict(self.params if arguments is None else arguments)
        if self.accepts_report:
            kwargs["report"] = report
        return kwargs

    def _positional(self, index: int) -> tuple[int, ...]:
        return (index,) if self.takes_index else ()

    def call(self, index: int, report: Callable[..., None], arguments: dict[str, Any] | None = None) -> Any:
        """Call once for one worker; an async def gets a loop of its own in this thread."""
        result = self.func(*self._positional(index), **self._kwargs(report, arguments))
        if isinstance(result, types.CoroutineType):
            import asyncio  # on use: 0.1-0.2 s of imports that every sub-interpreter would pay

            return asyncio.run(result)
        return result

    def coroutine(self, index: int, report: Callable[..., None], arguments: dict[str, Any] | None = None) -> Any:
        """One worker's coroutine of the async twin, for the asyncio mode's shared loop."""
        return self.async_func(*self._positional(index), **self._kwargs(report, arguments))


def _import_path(path: str, builtin: bool = False) -> Any:
    if not os.path.isfile(path):
        raise LoadError("no such file: %s" % path)
    name = "conctui_user_" + os.path.splitext(os.path.basename(path))[0]
    if name in sys.modules:
        return sys.modules[name]
    folder = os.path.dirname(os.path.abspath(path))
    if not builtin and folder not in sys.path:
        sys.path.insert(0, folder)  # its own sibling imports work, as when run as a script
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError("cannot import %s: not a Python file" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[name]
        raise LoadError("syntax error in %s line %s: %s" % (path, exc.lineno, exc.msg)) from None
    except BaseException as exc:  # a user's module may raise anything, SystemExit included
        del sys.modules[name]
        raise LoadError("importing %s raised %s: %s" % (path, type(exc).__name__, exc)) from None
    return module


def _import_module(name: str, extra_path: str | None) -> Any:
    if extra_path and extra_path not in sys.path:
        sys.path.insert(0, extra_path)  # like `python -m`: the caller's folder is importable
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        raise LoadError("no module named %r (from %s)" % (exc.name, name)) from None
    except SyntaxError as exc:
        raise LoadError("syntax error in %s line %s: %s" % (exc.filename, exc.lineno, exc.msg)) from None
    except BaseException as exc:
        raise LoadError("importing %s raised %s: %s" % (name, type(exc).__name__, exc)) from None


def _resolve(module: Any, name: str, where: str) -> Callable[..., Any]:
    """The callable `name` (dotted: `Class.method`, `obj.attr`) names in the module."""
    found: Any = module
    owner: Any = None
    reached: list[str] = []
    for part in name.split("."):
        try:
            owner, found = found, getattr(found, part)
        except AttributeError:
            inside = " (%s has no attribute %r)" % (".".join(reached), part) if reached else ""
            raise LoadError("%s has no function %r%s" % (where, name, inside)) from None
        except Exception as exc:  # a property or __getattr__ of the user's that raised
            raise LoadError("getting %s from %s raised %s: %s" % (name, where, type(exc).__name__, exc)) from None
        reached.append(part)
    if not callable(found):
        raise LoadError("%s:%s is not callable (it is %s)" % (where, name, type(found).__name__))
    if isinstance(owner, type) and isinstance(_declared(owner, part), types.FunctionType):
        raise LoadError("%s:%s is a method that needs an instance of %s: make it a @staticmethod, "
                        "or name an instance's method (module:instance.method)" % (where, name, owner.__name__))
    return found


def _declared(owner: type, name: str) -> Any:
    """What a class's own body (or a base's) binds to `name`, unbound, as inspect.getattr_static
    finds it: a plain function there is a method, which needs an instance."""
    for klass in owner.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _takes_index(signature: inspect.Signature, trial: dict[str, Any], shown: str, params: dict[str, Any]) -> bool:
    """Whether to call it with the worker's index: where it can take a positional argument.
    Otherwise with none; either way with the --param values (and report) by name."""
    try:
        signature.bind(0, **trial)
        return True
    except TypeError as exc:
        with_index = exc
    try:
        signature.bind(**trial)
        return False
    except TypeError as exc:
        without = exc
    required = [p for p in signature.parameters.values() if p.default is p.empty and p.name not in trial]
    positional = [p.name for p in required if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) > 1:
        raise LoadError("%s cannot be called: it needs %d positional arguments (%s), and a workload gets at most "
                        "one, the worker's index, with --param values by name"
                        % (shown, len(positional), ", ".join(positional)))
    named = [p.name for p in required if p.kind == p.KEYWORD_ONLY]
    if named:
        raise LoadError("%s cannot be called: it needs %s" % (shown, " ".join("--param %s=VALUE" % n for n in named)))
    given = ", ".join(params)
    if any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
           for p in signature.parameters.values()):
        how, error = "with the worker's index" + (" and --param " + given if given else ""), with_index
    else:
        how, error = ("with --param %s alone" % given) if given else "without arguments", without
    raise LoadError("%s cannot be called %s: %s" % (shown, how, error))


def load(ref: dict[str, Any]) -> Workload:
    """Load the workload that `ref` describes (keys: path or module, func, params, cwd)."""
    if ref.get("path"):
        module, where = _import_path(ref["path"], bool(ref.get("builtin"))), ref["path"]
    else:
        module, where = _import_module(ref["module"], ref.get("cwd")), ref["module"]
    func = _resolve(module, ref["func"], where)
    params = dict(ref.get("params") or {})
    shape = ref.get("shape") or _shape(module, func, ref, where, params)  # a worker process is handed its runner's
    return Workload(module, func, params, bool(ref.get("builtin")), shape)


def _shape(module: Any, func: Callable[..., Any], ref: dict[str, Any], where: str,
           params: dict[str, Any]) -> dict[str, bool]:
    """How the function is called, from its signature: with the worker's index or without, with
    report or without, and whether it is an async def."""
    import inspect  # in the runner only: a worker process is handed the shape (`load`)

    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        raise LoadError("cannot read the signature of %s:%s" % (where, ref["func"])) from None
    trial = dict(params)
    if ref.get("builtin") and hasattr(module, "payload"):
        trial["data"] = None
    accepts_report = "report" in signature.parameters
    if accepts_report:
        trial["report"] = None
    takes_index = _takes_index(signature, trial, "%s:%s%s" % (where, ref["func"], signature), params)
    return {"takes_index": takes_index, "accepts_report": accepts_report,
            "is_async": inspect.iscoroutinefunction(func)}


def workload_facts(ref: dict[str, Any]) -> dict[str, Any]:
    """What the app needs to offer this workload: its metadata and which calls it supports."""
    import inspect  # in the runner only, as in `_shape`

    workload = load(ref)
    module = workload.module
    doc = inspect.getdoc(workload.func) or inspect.getdoc(module) or ""
    return {
        "name": getattr(module, "NAME", ref["func"]),
        "description": getattr(module, "DESCRIPTION", doc.split("\n")[0]),
        "kind": getattr(module, "KIND", "user"),
        "has_async": workload.async_func is not None,
        "accepts_report": workload.accepts_report,
    }
