"""The engine: runs workloads through the runner and turns what happens into events.

It imports no Textual and no Rich (a test checks it), so headless runs stay light and the
same stream can drive the CLI, the TUI, recordings and replays alike.
"""
