"""`conctui watch`: a real program's threads and processes, watched from outside (issue 24).

All of it runs in conctui's process; none of it imports Textual. elf and target say which
Python a process runs and where its GIL lies; tree finds the process tree (psutil); waiting
names each thread's kind of waiting from /proc; pyspy runs py-spy windows for the GIL and
frames; sampler drives them in one thread and emits events (events); model folds them into
figures; verdict words them; launch starts and ends a program conctui runs itself.
"""
