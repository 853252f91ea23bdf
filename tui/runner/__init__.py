"""The runner: the process that hosts the workers, stdlib only.

conctui's own process (UI, sampler, recorder) never runs workload code. It starts this
package by file path (see boot.py) under whichever Python the user chose, so the same code
must run on every interpreter from the documented floor (3.9) up, free-threaded builds
included, without conctui or any third-party package installed there.
"""
