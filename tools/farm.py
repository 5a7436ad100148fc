#!/usr/bin/env python3
"""Runs of a regression handed to a cluster scheduler: a Slurm job array.

The submitting side (tools/regress.py run --sched slurm, tools/coverage.py
cosim --sched slurm) turns its work into items, one command each (argv, env,
timeout: exactly what it would run locally), and calls run_array(). That
writes a plan (plan.json) into a work folder on the shared file system,
submits one `sbatch --array` whose tasks each run a batch of items, polls
`scontrol show job` for every task's state, and reads the results back.

Each array task runs `farm.py task PLAN` (the batch is $SLURM_ARRAY_TASK_ID's),
runs its items one after the other ($SLURM_CPUS_PER_TASK at a time) with
run_command(), the code local runs use, and writes one JSON result per item,
whole or not at all (results/<key>.json). It never builds: the build is done
once, before submission, on a file system every node sees; a task refuses to
run on a build whose programs changed since (size and mtime recorded in the
plan). An item without a result file (its task was cancelled, killed, timed
out, or its script never ran though Slurm recorded it COMPLETED) comes back
as rc "lost" with the task's state: a failure, never a pass or a gap.

  farm.py task PLAN        run this array task's batch (Slurm calls it)
"""
import argparse
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from atomicio import write_atomic  # noqa: E402  (tools/atomicio.py)

# Slurm job states after which a task runs no more (squeue(1) "JOB STATE CODES").
DONE_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
               "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "REVOKED", "SPECIAL_EXIT"}


class FarmError(Exception):
    pass


def run_command(argv, env, timeout, stop=None, started=None):
    """Run argv from the repository root with os.environ plus env, in a
    session of its own, output and errors together. Returns (rc, out, secs):
    rc the exit status, "timeout" (killed after timeout s) or "error" (could
    not start); None when stop (a threading.Event) was set before or during
    the run. started(proc) is called once the process exists (for kill())."""
    if stop is not None and stop.is_set():
        return None, "", 0.0
    full = dict(os.environ, **env)
    full.pop("CK_RUN_SUITE", None)
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=ROOT, env=full, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace",
                                start_new_session=True)
        if started:
            started(proc)
        try:
            out, _ = proc.communicate(timeout=timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            kill(proc)
            out = (proc.communicate()[0] or "") + f"\nregress: killed after {timeout} s\n"
            rc = "timeout"
    except OSError as e:
        rc, out = "error", f"regress: cannot run {argv[0]}: {e.strerror}\n"
    secs = time.monotonic() - t0
    if stop is not None and stop.is_set():
        return None, out, secs  # killed by the interrupt: not a result
    return rc, out, secs


def kill(proc):
    """Kill a process group started by run_command, if it runs."""
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- submitting side
class Options:
    """How to submit: partition, account, time limit (sbatch --time), items
    per array task, extra sbatch flags (one string, split as a shell does),
    seconds between polls."""

    def __init__(self, partition=None, account=None, time_limit=None, batch=20, flags="",
                 poll_s=1.0, pause_s=0.0):
        self.partition, self.account, self.time_limit = partition, account, time_limit
        self.batch, self.flags, self.poll_s = max(1, int(batch)), flags or "", poll_s
        self.pause_s = pause_s  # test-only: each task sleeps this long after each item


def _stamp(path):
    st = os.stat(os.path.join(ROOT, path))
    return [st.st_size, st.st_mtime_ns]


def _slurm(cmd, timeout=60):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise FarmError(f"{cmd[0]} not found: is this a Slurm submit host (slurm-client)?")
    except subprocess.TimeoutExpired:
        raise FarmError(f"{shlex.join(cmd)} did not answer within {timeout} s")
    return p


def parse_task_ids(text):
    """Array task ids of a scontrol ArrayTaskId field: "3", "0-4", "1,3-5%2"."""
    ids = []
    for part in text.split("%")[0].split(","):
        if "-" in part:
            lo, hi = part.split("-", 1)
            ids += range(int(lo), int(hi) + 1)
        elif part.strip():
            ids.append(int(part))
    return ids


def task_states(job_id):
    """{array task id: (state, exit code)} of job_id from `scontrol show job
    -o` (tasks still pending as one range share their state); None when
    Slurm no longer knows the job (purged after MinJobAge)."""
    p = _slurm(["scontrol", "show", "job", "-o", str(job_id)])
    if p.returncode != 0:
        if "Invalid job id" in p.stderr:
            return None
        raise FarmError(f"scontrol show job {job_id}: {p.stderr.strip()}")
    states = {}
    for line in p.stdout.splitlines():
        f = dict(re.findall(r"(\w+)=(\S*)", line))
        if "ArrayTaskId" not in f:
            continue
        for t in parse_task_ids(f["ArrayTaskId"]):
            states[t] = (f.get("JobState", "UNKNOWN"), f.get("ExitCode", "?"))
    return states


def run_array(items, work_dir, opts, name="regress", log=print, stop_on=None):
    """Run items (dicts key, argv, env, timeout; argv[0] a program of the
    shared build, relative to the repository root) as one Slurm job array of
    ceil(len / opts.batch) tasks. Returns ({key: result}, job id, interrupted):
    a result is a dict rc, out, secs, host, task; an item whose task left no
    result has rc "lost" and out saying the task's state and log. A Ctrl-C
    (KeyboardInterrupt) cancels the array and returns the results written so
    far, interrupted True."""
    work_dir = os.path.abspath(work_dir)
    res_dir, log_dir = os.path.join(work_dir, "results"), os.path.join(work_dir, "logs")
    if os.path.isdir(work_dir):
        for sub in (res_dir, log_dir):
            if os.path.isdir(sub):
                for f in os.listdir(sub):
                    os.unlink(os.path.join(sub, f))
    os.makedirs(res_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    batches = [items[i:i + opts.batch] for i in range(0, len(items), opts.batch)]
    progs = sorted({it["argv"][0] for it in items})
    plan = {"root": ROOT, "results": res_dir, "pause_s": opts.pause_s,
            "stamps": {p: _stamp(p) for p in progs}, "batches": batches}
    plan_path = os.path.join(work_dir, "plan.json")
    write_atomic(plan_path, lambda f: json.dump(plan, f))
    script = os.path.join(work_dir, "task.sh")
    write_atomic(script, lambda f: f.write(
        "#!/bin/sh\n# one array task of a regression (tools/farm.py)\n"
        f"exec {shlex.quote(sys.executable)} {shlex.quote(os.path.abspath(__file__))} "
        f"task {shlex.quote(plan_path)}\n"))
    cmd = ["sbatch", "--parsable", f"--array=0-{len(batches) - 1}", f"--job-name={name}",
           f"--output={os.path.join(log_dir, 'task_%a.out')}", f"--chdir={ROOT}"]
    if opts.partition:
        cmd.append(f"--partition={opts.partition}")
    if opts.account:
        cmd.append(f"--account={opts.account}")
    if opts.time_limit:
        cmd.append(f"--time={opts.time_limit}")
    cmd += shlex.split(opts.flags) + [script]
    p = _slurm(cmd)
    if p.returncode != 0:
        raise FarmError(f"sbatch refused the array: {p.stderr.strip()}\n  {shlex.join(cmd)}")
    job_id = p.stdout.strip().split(";")[0]
    log(f"farm: Slurm job {job_id}: {len(items)} runs in {len(batches)} array tasks of up to "
        f"{opts.batch}; logs in {shown(log_dir)}")
    interrupted, states = False, {}
    try:
        last = None
        while True:
            got = task_states(job_id)
            if got is None:  # purged: every task has ended
                break
            states.update(got)
            running = [t for t, (s, _) in states.items() if s not in DONE_STATES]
            ended = len(batches) - len(running) if len(states) >= len(batches) else \
                len(states) - len(running)
            if (ended, len(running)) != last:
                last = (ended, len(running))
                log(f"farm: {ended}/{len(batches)} tasks ended, {len(running)} pending or running")
            if len(states) >= len(batches) and not running:
                break
            time.sleep(opts.poll_s)
    except KeyboardInterrupt:
        interrupted = True
        _slurm(["scancel", str(job_id)])
        log(f"farm: interrupted: cancelled Slurm job {job_id}")
    results = {}
    for t, batch in enumerate(batches):
        state, code = states.get(t, ("UNKNOWN", "?"))
        for _ in range(50 if state == "COMPLETED" else 1):  # a shared FS may show files late
            if all(os.path.exists(os.path.join(res_dir, f"{it['key']}.json")) for it in batch):
                break
            time.sleep(0.1)
        for it in batch:
            path = os.path.join(res_dir, f"{it['key']}.json")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as fh:
                    results[it["key"]] = json.load(fh)
            elif not interrupted:
                results[it["key"]] = lost(job_id, t, state, code,
                                          os.path.join(log_dir, f"task_{t}.out"))
    return results, job_id, interrupted


def shown(path):
    """path as printed: from the repository root when inside it."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def lost(job_id, task, state, code, log_path):
    """The result of an item whose task wrote none."""
    tail = ""
    if os.path.exists(log_path):
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            tail = fh.read()[-2000:]
    return {"rc": "lost", "secs": 0.0, "host": None, "task": task,
            "out": f"farm: its Slurm array task ended {state} (task {task} of "
                   f"job {job_id}, exit {code})\nfarm: task log "
                   f"{shown(log_path)}:\n{tail}"}


def add_options(ap):
    """The scheduler options regress.py and coverage.py share (argparse)."""
    ap.add_argument("--sched", choices=["local", "slurm"], default="local",
                    help="run here (--jobs at once) or as a Slurm job array")
    ap.add_argument("--partition", help="slurm: sbatch --partition")
    ap.add_argument("--account", help="slurm: sbatch --account")
    ap.add_argument("--time-limit", help="slurm: sbatch --time of each array task")
    ap.add_argument("--batch", type=int, default=25, help="slurm: runs per array task")
    ap.add_argument("--sbatch-flags", default="", help="slurm: more sbatch flags, one string")
    ap.add_argument("--task-pause", type=float, default=0.0,
                    help="slurm, test-only: each array task sleeps this long after each run "
                    "(so a test can cancel a task mid-run)")


def options(a):
    """Options from add_options' arguments."""
    if a.batch < 1:
        raise FarmError("--batch must be at least 1")
    return Options(partition=a.partition, account=a.account, time_limit=a.time_limit,
                   batch=a.batch, flags=a.sbatch_flags, pause_s=a.task_pause)


# ---------------------------------------------------------------- array task side
def task_main(plan_path, index):
    with open(plan_path, encoding="utf-8") as fh:
        plan = json.load(fh)
    if index >= len(plan["batches"]):
        print(f"farm task: index {index} past the plan's {len(plan['batches'])} batches")
        return 2
    for prog, stamp in plan["stamps"].items():
        path = os.path.join(ROOT, prog)
        if not os.path.exists(path):
            print(f"farm task: {path} missing on {socket.gethostname()}: the build must be on "
                  "a file system every node shares (it is never rebuilt per task)")
            return 2
        if _stamp(prog) != stamp:
            print(f"farm task: {path} changed since the array was submitted; not running it")
            return 2
    batch = plan["batches"][index]
    n_par = max(1, int(os.environ.get("SLURM_CPUS_PER_TASK", "1") or 1))
    host = socket.gethostname()
    print(f"farm task {index}: {len(batch)} runs on {host}, {n_par} at a time", flush=True)
    lock = threading.Lock()
    todo = list(batch)

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                it = todo.pop(0)
            rc, out, secs = run_command(it["argv"], it["env"], it["timeout"])
            res = {"rc": rc, "out": out, "secs": secs, "host": host, "task": index}
            write_atomic(os.path.join(plan["results"], f"{it['key']}.json"),
                         lambda f, r=res: json.dump(r, f))
            print(f"farm task {index}: {it['key']}: rc {rc} in {secs:.1f} s", flush=True)
            if plan.get("pause_s") and todo:
                time.sleep(plan["pause_s"])

    threads = [threading.Thread(target=worker) for _ in range(n_par)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["task"])
    ap.add_argument("plan")
    ap.add_argument("--index", type=int, help="batch to run (default $SLURM_ARRAY_TASK_ID)")
    a = ap.parse_args()
    index = a.index if a.index is not None else os.environ.get("SLURM_ARRAY_TASK_ID")
    if index is None:
        ap.error("no --index and no $SLURM_ARRAY_TASK_ID")
    return task_main(a.plan, int(index))


if __name__ == "__main__":
    sys.exit(main())
