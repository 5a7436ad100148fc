#!/usr/bin/env python3
"""`make regress SCHED=slurm` on a real, private, single-node Slurm.

Starts munged, slurmctld and slurmd (Debian's slurm-wlm and munge) as the
current user, every file and both ports in one temporary folder, runs a small
regression through a Slurm job array and checks:
  - the XML (every testcase's name, class, verdict, failure message and type,
    digest, repro line and configuration) and the failure list (signature
    groups and their seeds, repro lines) equal a local run of the same seeds,
    with one seed made to fail (CIM_INJECT=adc:0:1, tools/regress.py --inject);
  - the failing seed is re-run with waves on the submit host, as locally;
  - the seeds go out in a few array tasks (a batch of seeds each), one result
    file per seed;
  - an array task cancelled mid-run (scancel JOB_TASK) makes its unfinished
    seeds failures ("no result", with the task's state), never lost from
    the report, while the seeds it finished keep their verdicts.
Every daemon it started is stopped by its pid, also when a check fails.
When the packages are not installed or a daemon does not start (not root, no
apt, a container that refuses), it prints SKIP with the reason and exits 0.

Usage: test_slurm.py BUILD_DIR
"""
import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = sys.argv[1] if len(sys.argv) > 1 else None
SEEDS = 6          # seeds 1..6: five cim_mvm runs and one check_cim case
BATCH = 2          # three array tasks of two seeds
FAIL_SEED = 3      # a cim_mvm seed an ADC code off by one fails (twin mismatch)
FAULT = "adc:0:1"
RESULTS = []


class Skip(Exception):
    pass


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        print(f"  reproduce: python3 {os.path.relpath(__file__, ROOT)} {BUILD}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Slurm:
    """A private single-node Slurm: munged, slurmctld, slurmd in the
    foreground (their pids are ours), configuration and state in tmp."""

    def __init__(self, tmp):
        self.tmp, self.procs = tmp, []
        self.env = dict(os.environ, SLURM_CONF=os.path.join(tmp, "slurm.conf"))

    def start(self):
        for prog in ("munged", "mungekey", "slurmctld", "slurmd", "sbatch"):
            if not shutil.which(prog) and not os.path.exists(f"/usr/sbin/{prog}"):
                raise Skip(f"{prog} not installed (Debian: slurmctld slurmd slurm-client munge)")
        t, user = self.tmp, getpass.getuser()
        for d in ("state", "spool", "log", "munge"):
            os.makedirs(os.path.join(t, d), exist_ok=True)
        os.chmod(os.path.join(t, "munge"), 0o700)
        key, sock = os.path.join(t, "munge", "munge.key"), os.path.join(t, "munge", "sock")
        self.sbin("mungekey", "--create", f"--keyfile={key}")
        self.spawn("munged", "-F", f"--key-file={key}", f"--socket={sock}",
                   f"--pid-file={t}/munge/munged.pid", f"--log-file={t}/log/munged.log",
                   f"--seed-file={t}/munge/seed", "--force")
        self.wait_for(lambda: os.path.exists(sock), "munged made no socket", "munged.log")
        conf = f"""# private single-node Slurm of sw/tests/test_slurm.py
ClusterName=cimtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser={user}
SlurmdUser={user}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={sock}
StateSaveLocation={t}/state
SlurmdSpoolDir={t}/spool
SlurmctldPidFile={t}/slurmctld.pid
SlurmdPidFile={t}/slurmd.pid
SlurmctldLogFile={t}/log/slurmctld.log
SlurmdLogFile={t}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs={os.cpu_count() or 2} State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""
        with open(self.env["SLURM_CONF"], "w", encoding="utf-8") as fh:
            fh.write(conf)
        self.spawn("slurmctld", "-D", "-i")
        self.spawn("slurmd", "-D", "-N", "localhost")
        self.wait_for(lambda: self.client("sinfo", "-h", "-N", "-o", "%t").stdout.strip()
                      == "idle", "the node never became idle", "slurmd.log", 30)

    def sbin(self, prog, *args):
        path = shutil.which(prog) or f"/usr/sbin/{prog}"
        p = subprocess.run([path, *args], capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise Skip(f"{prog} {' '.join(args)}: {p.stderr.strip()}")

    def spawn(self, prog, *args):
        path = shutil.which(prog) or f"/usr/sbin/{prog}"
        log = open(os.path.join(self.tmp, "log", f"{prog}.out"), "w", encoding="utf-8")
        self.procs.append(subprocess.Popen([path, *args], env=self.env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True))
        log.close()

    def client(self, *cmd, timeout=30):
        return subprocess.run(list(cmd), env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def wait_for(self, cond, what, log, secs=15):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            for p in self.procs:
                if p.poll() is not None:
                    raise Skip(f"{p.args[0]} exited ({p.returncode}): {self.tail(p.args[0])}")
            try:
                if cond():
                    return
            except (OSError, subprocess.SubprocessError):
                pass
            time.sleep(0.2)
        raise Skip(f"{what} within {secs} s: {self.tail(log)}")

    def tail(self, name):
        name = os.path.basename(name)
        for f in (name, name + ".out", name.replace(".log", ".out")):
            path = os.path.join(self.tmp, "log", f)
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as fh:
                    return fh.read()[-1500:]
        return "(no log)"

    def stop(self):
        """Cancel every job, wait for the job steps to end, stop the daemons
        by their pids (SIGTERM, SIGKILL after 10 s), newest first."""
        if any(p.poll() is None for p in self.procs[1:]):
            try:
                self.client("scancel", "--user", getpass.getuser(), timeout=10)
                end = time.monotonic() + 10
                while time.monotonic() < end and self.client(
                        "squeue", "-h", "-t", "PD,R,CG", timeout=10).stdout.strip():
                    time.sleep(0.2)
            except (OSError, subprocess.SubprocessError):
                pass
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        end = time.monotonic() + 10
        for p in reversed(self.procs):
            try:
                p.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return [p.args[0] for p in self.procs if p.poll() is None]


def regress(env, out, *extra, timeout=300):
    cmd = [sys.executable, os.path.join(ROOT, "tools", "regress.py"), "run", "--build", BUILD,
           "--seeds", str(SEEDS), "--inject", f"{FAIL_SEED}:{FAULT}", "--max-waves", "1",
           "--out", out, *extra]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finish(p, timeout=300):
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out = p.communicate()[0] + f"\n(killed after {timeout} s)"
    return p.returncode, out


def cases(xml):
    """testcase name -> everything but times: class, verdict, failure message,
    type and text (repro line and output), digest, system-out."""
    out = {}
    for tc in ET.parse(xml).getroot().iter("testcase"):
        f = tc.find("failure")
        d = tc.find("properties/property[@name='digest']")
        out[tc.get("name")] = (tc.get("classname"),
                               None if f is None else (f.get("message"), f.get("type"), f.text),
                               None if d is None else d.get("value"),
                               tc.findtext("system-out"))
    return out


def failure_list(summary):
    """The FAILURES part of summary.txt: groups, seeds and repro lines (the
    waves and view lines aside: the same in both, but paths)."""
    with open(summary, encoding="utf-8") as fh:
        text = fh.read()
    part = text[text.find("FAILURES"):text.find("JUnit XML")] if "FAILURES" in text else ""
    return [ln for ln in part.splitlines() if ln.strip() and "waves:" not in ln]


def scenario(sl, tmp):
    env = sl.env
    t0 = time.monotonic()
    rc_l, log_l = finish(regress(env, os.path.join(tmp, "local"), "--jobs", "2"))
    rc_s, log_s = finish(regress(env, os.path.join(tmp, "slurm"), "--sched", "slurm",
                                 "--batch", str(BATCH)))
    print(f"local run and Slurm run of {SEEDS} seeds: {time.monotonic() - t0:.1f} s")
    xl, xs = os.path.join(tmp, "local", "results.xml"), os.path.join(tmp, "slurm", "results.xml")
    if not (os.path.exists(xl) and os.path.exists(xs)):
        check("both runs wrote results.xml", False, f"local:\n{log_l}\nslurm:\n{log_s}")
        return
    cl, cs = cases(xl), cases(xs)
    fails = sorted(n for n, c in cs.items() if c[1] is not None)
    check(f"Slurm: exit 1, {SEEDS} testcases, seed_{FAIL_SEED} alone failing",
          rc_s == 1 and len(cs) == SEEDS and fails == [f"seed_{FAIL_SEED}"],
          f"exit {rc_s}, {len(cs)} cases, failing {fails}\n{log_s}")
    diff = sorted(n for n in set(cl) | set(cs) if cl.get(n) != cs.get(n))
    check("the XML equals the local run's: names, classes, verdicts, failure messages "
          "and texts, digests, repro lines and configurations",
          rc_l == rc_s and not diff and len(cl) == SEEDS,
          f"exit {rc_l}/{rc_s}; differing {diff}: "
          + "; ".join(f"{n}: {cl.get(n)} vs {cs.get(n)}" for n in diff[:2]))
    fl = failure_list(os.path.join(tmp, "local", "summary.txt"))
    fs = failure_list(os.path.join(tmp, "slurm", "summary.txt"))
    check("the failure list (groups, seeds, repro lines) equals the local run's",
          fl == fs and any(f"CIM_INJECT={FAULT}" in ln for ln in fs), f"\n{fl}\nvs\n{fs}")
    check("the failing seed was re-run with waves, as locally",
          re.search(r"waves: \S+\.fst\n", log_s) is not None
          and "did NOT fail" not in log_s, log_s)
    n_tasks = -(-SEEDS // BATCH)
    res = os.path.join(tmp, "slurm", "slurm", "results")
    hosts = sorted(os.listdir(res)) if os.path.isdir(res) else []
    check(f"{n_tasks} array tasks of {BATCH} seeds, one result file per seed",
          f"in {n_tasks} array tasks of up to {BATCH}" in log_s and len(hosts) == SEEDS,
          f"{hosts}\n{log_s}")

    # A task cancelled mid-run: each task pauses 3 s after each seed, the
    # second task is cancelled once its first seed's result is written.
    p = regress(env, os.path.join(tmp, "kill"), "--sched", "slurm", "--batch", str(BATCH),
                "--task-pause", "3", "--no-waves")
    first_of_1 = os.path.join(tmp, "kill", "slurm", "results", f"s{BATCH + 1}.json")
    job = None
    end = time.monotonic() + 120
    while time.monotonic() < end and p.poll() is None:
        if os.path.exists(first_of_1):
            q = sl.client("squeue", "-h", "-r", "-o", "%i %t")
            job = next((ln.split()[0] for ln in q.stdout.splitlines()
                        if ln.split()[0].endswith("_1") and ln.split()[1] == "R"), None)
            break
        time.sleep(0.1)
    if job:
        sl.client("scancel", job)
    rc_k, log_k = finish(p)
    xk = os.path.join(tmp, "kill", "results.xml")
    ck = cases(xk) if os.path.exists(xk) else {}
    lost = f"seed_{BATCH + 2}"
    kept = f"seed_{BATCH + 1}"
    msg = (ck.get(lost) or (None, None))[1]
    check(f"a task cancelled mid-run ({job}): its unfinished seed fails with no result "
          "and the task's state; its finished seed and the other tasks' keep their verdicts",
          job is not None and rc_k == 1 and len(ck) == SEEDS and msg is not None
          and "no result" in msg[0] and "CANCELLED" in msg[0] and msg[1] == "lost"
          and ck.get(kept) == cl.get(kept)
          and all(ck[n] == cl[n] for n in ck if n not in (lost, kept)),
          f"job {job}, exit {rc_k}, {len(ck)} cases, {lost}: {msg}\n{log_k}")
    if msg is not None:
        print(f"  {lost}: {msg[0]}")
    check("negative: the comparison with the local run sees the cancelled seed",
          sorted(n for n in cl if cl[n] != ck.get(n)) == [lost],
          f"differing: {sorted(n for n in cl if cl[n] != ck.get(n))}")


def main():
    if BUILD is None:
        sys.exit("usage: test_slurm.py BUILD_DIR")
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="cim_slurm_")
    sl = Slurm(tmp)
    try:
        try:
            sl.start()
        except Skip as e:
            print(f"test_slurm: SKIP: no private Slurm on this machine: {e}")
            return 0
        print(f"private Slurm up in {time.monotonic() - t0:.1f} s ({tmp})", flush=True)
        scenario(sl, tmp)
    finally:
        left = sl.stop()
        if left:
            check("every daemon stopped", False, f"still running: {left}")
        shutil.rmtree(tmp, ignore_errors=True)
    n_fail = RESULTS.count(False)
    print(f"test_slurm: {len(RESULTS) - n_fail} passed, {n_fail} failed "
          f"in {time.monotonic() - t0:.1f} s")
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
