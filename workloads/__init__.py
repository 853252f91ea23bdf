"""Built-in workloads: plain stdlib modules, loaded by path in whatever process runs them.

Each module has NAME, DESCRIPTION, KIND (a key of KINDS), PARAMS (defaults, which also give
each parameter its type), `run(index, report, **params)`, and may have an `async def
arun(...)` twin for asyncio and a `context(params)` manager for shared set-up. A module with
`CALLS = "NAME"` is called that parameter's number of times per worker, and one with
`payload(params)` gets what it returns (built in the parent) as its `data` argument: both
cross to the worker and back each call the way the mode carries values.
"""
BUILTINS = {
    "download": "download",
    "http": "http_get",
    "disk": "disk",
    "cpu": "cpu",
    "hashlib": "hashing",
    "shared": "shared",
    "transfer": "transfer",
}

KINDS = {
    "io": "I/O-bound",
    "cpu": "CPU-bound, holds the GIL",
    "cpu-nogil": "CPU in C, releases the GIL",
    "memory": "CPU, changes globals",
    "data": "moves data to and fro",
}
