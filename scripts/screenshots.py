"""Regenerate screenshots/*.svg from the deterministic demo stream: `python scripts/screenshots.py`."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the demo stream is test material, not installed
from fixtures import demo  # noqa: E402

OUT = ROOT / "screenshots"
SHOTS = {
    "threads-download": ("download", "threads", 3, demo.download_threads, []),
    "cpu-compare": ("cpu", "processes", 4, demo.cpu_compare, []),
    "help": ("download", "threads", 3, demo.download_threads, ["question_mark"]),
    "dask-two-hosts": ("cpu", "threads", 4, demo.dask_two_hosts, []),
    "gil-threads": ("cpu", "threads", 2, demo.cpu_threads_live, []),
}


async def shoot(name: str, size: tuple[int, int]) -> Path:
    workload, mode, workers, stream, keys = SHOTS[name]
    app = demo.demo_app(workload, mode, workers)
    async with app.run_test(size=size) as pilot:
        await demo.show(pilot, stream())
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        filename = f"{name}-{size[0]}x{size[1]}.svg"
        app.save_screenshot(filename, path=str(OUT))
    return OUT / filename


async def main() -> None:
    for name in SHOTS:
        for size in ((80, 24), (120, 40)):
            print(await shoot(name, size))


if __name__ == "__main__":
    asyncio.run(main())
