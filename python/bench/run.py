#!/usr/bin/env python3
"""ruv vs pyuv 1.4, side by side in one run: alternating rounds, medians, a Markdown table.

    python3 python/bench/run.py --pyuv-python /path/to/venv-with-pyuv/bin/python \
        [--ruv-python PY] [--rounds 5] [--seconds 2] [--only ping_pong,pump]

Each round runs every workload of `workloads.py` once with ruv and once with pyuv (the order
within a round alternates), each in a fresh process. The table gives the median of the rounds
and ruv/pyuv; the raw values follow it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ["ping_pong", "pump", "timer_churn", "echo100"]


def one(python, impl, workload, seconds):
    cmd = [python, os.path.join(HERE, "workloads.py"), "--impl", impl, "--seconds",
           str(seconds), workload]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, timeout=120,
                         universal_newlines=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ruv-python", default=sys.executable)
    ap.add_argument("--pyuv-python", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--only", default=",".join(WORKLOADS))
    args = ap.parse_args(argv)
    workloads = [w for w in args.only.split(",") if w]
    pythons = {"ruv": args.ruv_python, "pyuv": args.pyuv_python}
    values = {(w, i): [] for w in workloads for i in pythons}
    units = {}
    for r in range(args.rounds):
        order = ["ruv", "pyuv"] if r % 2 == 0 else ["pyuv", "ruv"]
        for w in workloads:
            for impl in order:
                res = one(pythons[impl], impl, w, args.seconds)
                values[(w, impl)].append(res["value"])
                units[w] = res["unit"]
                print("round %d %-11s %-4s %14.2f %s" % (r + 1, w, impl, res["value"],
                                                        res["unit"]), file=sys.stderr)
    print("| workload | unit | ruv | pyuv 1.4.0 | ruv / pyuv |")
    print("| --- | --- | ---: | ---: | ---: |")
    for w in workloads:
        ruv = statistics.median(values[(w, "ruv")])
        pyuv = statistics.median(values[(w, "pyuv")])
        fmt = "{:,.2f}" if ruv < 100 else "{:,.0f}"
        print("| %s | %s | %s | %s | %.2f× |" % (w, units[w], fmt.format(ruv),
                                                fmt.format(pyuv), ruv / pyuv))
    print()
    print("medians of %d alternating rounds, %.1f s each; raw values:" % (args.rounds,
                                                                        args.seconds))
    for w in workloads:
        for impl in pythons:
            print("- %s %s: %s" % (w, impl, ", ".join("%.4g" % v for v in values[(w, impl)])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
