"""A program written for pyuv runs unchanged with `import ruv as pyuv`; examples run."""

import os
import socket
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
TIMEOUT = 30


def _run(args, env=None):
    return subprocess.run([sys.executable] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT, env=env, universal_newlines=True)


def test_pyuv_echo_program():
    p = _run([os.path.join(HERE, "pyuv_echo_program.py")])
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1] == "OK %d" % sum(len(b"PING %d\n" % i) for i in range(100))
    assert p.stderr == ""


def test_echo_server_example():
    script = os.path.join(PYDIR, "examples", "echo_server.py")
    proc = subprocess.Popen([sys.executable, script, "--max-seconds", str(TIMEOUT)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        line = proc.stdout.readline().split()
        assert line[:2] == ["listening", "on"], line
        addr = (line[2], int(line[3]))
        for _ in range(3):
            with socket.create_connection(addr, timeout=10) as s:
                s.sendall(b"hello ruv")
                got = b""
                while len(got) < 9:
                    chunk = s.recv(100)
                    assert chunk
                    got += chunk
                assert got == b"hello ruv"
        proc.send_signal(2)        # SIGINT: stops cleanly
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err
        assert out.strip().endswith("stopped")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("workload", ["ping_pong", "pump", "timer_churn", "echo100"])
def test_bench_workloads_run(workload):
    import json
    p = _run([os.path.join(PYDIR, "bench", "workloads.py"), "--impl", "ruv", "--seconds", "0.2",
              workload])
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout.splitlines()[-1])
    assert res["workload"] == workload and res["value"] > 0
