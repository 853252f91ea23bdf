"""Built-in workloads: plain stdlib modules, loaded by path in whatever process runs them.

Each module has NAME, DESCRIPTION, KIND ("io", "cpu" or "cpu-nogil"), PARAMS (defaults,
which also give each parameter its type), `run(index, report, **params)`, and may have an
`async def arun(...)` twin for asyncio and a `context(params)` manager for shared set-up.
"""
BUILTINS = {
    "download": "download",
    "http": "http_get",
    "disk": "disk",
    "cpu": "cpu",
    "hashlib": "hashing",
}

KINDS = {
    "io": "I/O-bound",
    "cpu": "CPU-bound, holds the GIL",
    "cpu-nogil": "CPU in C, releases the GIL",
}
