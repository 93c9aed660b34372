"""Starts benchmarked tools so that each one's peak RSS is its own (shared by the bench scripts)."""
import json
import subprocess

PYTHON = "/usr/bin/python3"

# Linux carries a process's peak RSS across fork and exec: a child forked from this (large)
# process would report at least our own peak as its ru_maxrss. So every tool is started by a
# small spawner process (python -S, a few MiB), which forks, execs, and reports os.wait4's
# rusage. The floor that this leaves is measured with /bin/true and printed.
SPAWNER = r"""
import json, os, sys, time
for line in sys.stdin:
    req = json.loads(line)
    fd = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    t0 = time.perf_counter()
    pid = os.posix_spawn(req["cmd"][0], req["cmd"], req["env"], file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, fd, 1), (os.POSIX_SPAWN_DUP2, fd, 2)])
    os.close(fd)
    deadline = None if req["timeout"] is None else t0 + req["timeout"]
    timed_out = False
    while True:
        got, status, ru = os.wait4(pid, 0 if deadline is None else os.WNOHANG)
        if got:
            break
        if time.perf_counter() > deadline:
            os.kill(pid, 9)
            got, status, ru = os.wait4(pid, 0)
            timed_out = True
            break
        time.sleep(0.01)
    wall = time.perf_counter() - t0
    rc = None if timed_out else os.waitstatus_to_exitcode(status)
    sys.stdout.write(json.dumps({"rc": rc, "wall": wall, "maxrss_kib": ru.ru_maxrss}) + "\n")
    sys.stdout.flush()
"""


class Spawner:
    def __init__(self):
        self.proc = subprocess.Popen([PYTHON, "-S", "-c", SPAWNER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def run(self, cmd, env, timeout, log_path):
        """Runs cmd; returns (returncode or None on timeout, process wall s, ru_maxrss KiB)."""
        req = {"cmd": cmd, "env": env, "timeout": timeout, "log": log_path}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the spawner process died (running %s)" % cmd)
        r = json.loads(line)
        return r["rc"], r["wall"], r["maxrss_kib"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
