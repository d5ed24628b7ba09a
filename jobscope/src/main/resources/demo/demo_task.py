#!/usr/bin/env python3
"""A task of the jobscope demo: really uses CPU and memory, reports phases with marker lines, and fails
the way real jobs do (a Python traceback, a MemoryError, a segfault, a refused data-service connection,
or running past its time limit) when asked to."""
import argparse
import os
import random
import socket
import sys
import time

MB = 1 << 20


def phase(name, state):
    print(f"JOBSCOPE PHASE {name} {state}", flush=True)


def work(seconds, duty, mem_mb, held):
    """Burns CPU for `duty` of the time and grows its memory towards mem_mb, for `seconds`."""
    end = time.monotonic() + seconds
    step = 0
    while time.monotonic() < end:
        slice_end = time.monotonic() + 0.1 * duty
        x = 0.0
        while time.monotonic() < slice_end:
            for i in range(2000):
                x += (i * 0.5) ** 0.5
        if sum(len(b) for b in held) < mem_mb * MB:
            block = bytearray(4 * MB)
            for i in range(0, len(block), 4096):
                block[i] = 1  # touch every page, so it is resident
            held.append(block)
        step += 1
        time.sleep(max(0.0, 0.1 * (1 - duty)))
    return step


def load_geometry(tag, root):
    raise FileNotFoundError(f"geometry {tag!r} not found in {root}")


def simulate(args):
    geo = load_geometry("v9", "/cvmfs/geo.example.org")
    return geo


def exhaust_memory():
    import resource

    limit = 160 * MB
    resource.setrlimit(resource.RLIMIT_AS, (limit + _vm_size(), resource.RLIM_INFINITY))
    print("fit: allocating covariance matrix (4096 x 4096 x 8 B) per bin", flush=True)
    held = []
    while True:
        held.append(bytearray(16 * MB))


def _vm_size():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def segfault():
    import ctypes

    print("fit: calling libminuit2 migrad()", flush=True)
    ctypes.string_at(0)


def read_from_dcache():
    # A closed local port stands in for the dCache door: the refusal is real.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    url = "dcap://dcache-door.demo:22125/pnfs/demo/data/run0031.root"
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError as e:
        print(f"dcap: failed to open {url}: {e.strerror} (door 127.0.0.1:{port})", file=sys.stderr, flush=True)
        print("Error: cannot read input run0031.root, giving up after 1 attempt", file=sys.stderr, flush=True)
        sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--task", required=True)
    p.add_argument("--phases", required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--mem-mb", type=int, default=100)
    p.add_argument("--fail", default="")
    p.add_argument("--fail-phase", default="")
    args = p.parse_args()
    phases = args.phases.split(",")
    per_phase = args.seconds / len(phases)
    held = []
    random.seed(args.task)
    print(f"{args.task}: pid {os.getpid()} on {socket.gethostname()}, {len(phases)} phase(s), ~{args.seconds:.0f} s",
          flush=True)
    for i, name in enumerate(phases):
        phase(name, "start")
        staging = name.startswith("stage") or name in ("load", "write", "merge", "plot")
        failing = args.fail and name == args.fail_phase
        work(per_phase / (2 if failing else 1), 0.15 if staging else 0.85, args.mem_mb * (i + 1) / len(phases), held)
        if failing:
            print(f"{args.task}: {name}: step {i + 1}", flush=True)
            if args.fail == "traceback":
                print("INFO  geometry: loading v9 from /cvmfs/geo.example.org", file=sys.stderr, flush=True)
                simulate(args)
            elif args.fail == "memory":
                exhaust_memory()
            elif args.fail == "segfault":
                segfault()
            elif args.fail == "service":
                read_from_dcache()
            elif args.fail == "timeout":
                n = 0
                while True:
                    n += 500
                    work(1.0, 0.85, 0, held)
                    print(f"fit: iteration {n}, chi2/ndf={4.7 + random.random():.2f}, not converged", flush=True)
        phase(name, "done")
        print(f"{args.task}: {name} done", flush=True)
    print(f"{args.task}: wrote output ({sum(len(b) for b in held) // MB} MB in memory at the end)", flush=True)


if __name__ == "__main__":
    main()
