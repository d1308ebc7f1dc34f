"""The doit peer of the scheduler bench: N no-op python-action tasks in the same shapes, run in-process.

Usage: /usr/bin/python3 bench/doit_peer.py --tasks 10000 --shapes wide,chain,wide-join --reps 5 --backend json
Prints human lines and "RESULT doit.<shape>.<n>.us_per_task <value>" (or "RESULT-ERROR doit.<shape>.<n> <why>").
Only the DoitMain.run() call is timed: it loads the task dicts, builds doit's graph, checks up-to-date
state, runs every action and writes the dependency file.
"""
import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time

import doit
from doit.cmd_base import ModuleTaskLoader
from doit.doit_cmd import DoitMain


CALLS = [0]


def noop():
    CALLS[0] += 1
    return True


def make_namespace(shape, n):
    """The globals of a dodo file with one task_* generator that yields n basic tasks."""

    def task_bench():
        for i in range(n):
            if shape == "wide":
                deps = []
            elif shape == "chain":
                deps = [] if i == 0 else ["bench:t%d" % (i - 1)]
            elif shape == "wide-join":
                deps = [] if i < n - 1 else ["bench:t%d" % j for j in range(n - 1)]
            else:
                raise ValueError("unknown shape " + shape)
            yield {"name": "t%d" % i, "actions": [noop], "task_dep": deps, "verbosity": 0}

    return {"task_bench": task_bench, "DOIT_CONFIG": {"default_tasks": ["bench"]}}


def run_once(shape, n, backend, workdir):
    db = os.path.join(workdir, "doit-%s-%d.db" % (shape, n))
    for leftover in [p for p in os.listdir(workdir) if p.startswith(os.path.basename(db))]:
        os.remove(os.path.join(workdir, leftover))
    loader = ModuleTaskLoader(make_namespace(shape, n))
    args = ["run", "--db-file", db, "--backend", backend, "--reporter", "zero", "-n", "0", "bench"]
    CALLS[0] = 0
    gc.collect()
    start = time.perf_counter()
    code = DoitMain(loader).run(args)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise RuntimeError("doit run returned %d" % code)
    if CALLS[0] != n:
        raise RuntimeError("doit ran %d of %d actions" % (CALLS[0], n))
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", default="10000")
    parser.add_argument("--shapes", default="wide,chain")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--backend", default="json")
    options = parser.parse_args()

    # The dependency file goes to memory when /dev/shm exists, so disk speed does not count against doit.
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    workdir = tempfile.mkdtemp(prefix="orchestrate-doit-", dir=base)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100000))
    print("# doit %s on Python %s, backend %s, db in %s, reporter zero, -n 0 (in-process, serial)" % (
        ".".join(map(str, doit.__version__)), sys.version.split()[0], options.backend, workdir))
    try:
        for n in [int(v) for v in options.tasks.split(",")]:
            for shape in options.shapes.split(","):
                try:
                    samples = []
                    for r in range(options.warmup + options.reps):
                        t = run_once(shape, n, options.backend, workdir)
                        if r >= options.warmup:
                            samples.append(t)
                except Exception as e:  # report and go on with the next shape
                    why = ("%s: %s" % (type(e).__name__, e)).replace("\n", " ")[:300]
                    print("%-9s n=%-7d doit cannot run it: %s" % (shape, n, why))
                    print("RESULT-ERROR doit.%s.%d %s" % (shape, n, why))
                    continue
                median = statistics.median(samples)
                per_task = median * 1e6 / n
                print("%-9s n=%-7d doit %8.0f ms  %6.1f us/task  (min %.0f, max %.0f ms)" % (
                    shape, n, median * 1e3, per_task, min(samples) * 1e3, max(samples) * 1e3))
                print("RESULT doit.%s.%d.us_per_task %.4f" % (shape, n, per_task))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
