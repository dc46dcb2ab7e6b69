"""One timed run of a command, shared by the benchmarks: process start to exit with
os.wait4, which also gives the process's own peak RSS."""
import os
import subprocess
import sys
import time


def run_once(argv, env=None):
    """Wall seconds, peak RSS in MiB and standard error; exits on a failed run."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{err}")
    return dt, ru.ru_maxrss / 1024.0, err  # KiB -> MiB
