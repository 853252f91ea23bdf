"""py-spy's scratch folders: a conctui that was SIGKILLed leaves its folder, and the next one removes it."""
from __future__ import annotations

import os

from conctui.engine.scratch import OWNED, scratch, sweep

NO_SUCH_PID = 4_194_305  # above Linux's highest pid_max (2**22): no process can have it


def test_a_dead_conctui_s_folder_is_removed_and_a_live_one_s_kept(tmp_path) -> None:
    dead = tmp_path / f"conctui-watch-{NO_SUCH_PID}-abc"
    alive = tmp_path / f"conctui-gil-{os.getppid()}-def"  # the test runner's parent: alive
    mine = tmp_path / f"conctui-gil-{os.getpid()}-ghi"
    other = tmp_path / "conctui-dask-1-jkl"  # not a py-spy folder: never touched
    for folder in (dead, alive, mine, other):
        folder.mkdir()
        (folder / "window.json").write_text("{}")
    assert sweep(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and alive.exists() and mine.exists() and other.exists()


def test_a_scratch_folder_is_named_for_its_process() -> None:
    with scratch("watch") as folder:
        owner = OWNED.match(os.path.basename(folder))
        assert owner and int(owner[1]) == os.getpid() and os.path.isdir(folder)
    assert not os.path.exists(folder)
