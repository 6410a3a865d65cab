#!/usr/bin/env python3
"""Native PyTorch on the same training step as bench/train-step.bench.ts, for scale.

One step = forward + cross-entropy + backward + SGD (lr 0.01, momentum 0.9) of
each reference model at batch 64, in samples/s (median of several timed runs),
for each thread count asked for. Optional: needs PyTorch (Debian's
python3-torch); `npm test` never runs it.

    /usr/bin/python3 bench/native/pytorch.py [--threads 1,2] [--quick] [--json out.json]
"""
import argparse
import ctypes
import json
import platform
import statistics
import sys
import time

import torch
from torch import nn

B = 64


def model(name):
    if name == "mlp-s":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "mlp-l":
        return nn.Sequential(nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 500), nn.ReLU(), nn.Linear(500, 10))
    if name == "lenet5":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )
    if name == "cnn-m":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
        )
    raise SystemExit(f"unknown model {name!r}")


def loaded_blas():
    """The BLAS library this process really uses (Debian's torch links whichever libblas.so.3 is selected)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line}
    return sorted(libs)


def blas():
    """Which BLAS runs the products, and whether it is an optimized one. PyTorch's
    own build says MKL in torch.__config__ (MKL does not show as "blas" in the
    maps); Debian's says "generic" and links whichever libblas.so.3 is
    selected, so the mapped file says: OpenBLAS, or the reference BLAS, 10x slower."""
    config = torch.__config__.show()
    if "BLAS_INFO=mkl" in config or "USE_MKL=ON" in config:
        return "MKL (torch.__config__)", True
    libs = loaded_blas()
    fast = any(name in lib.lower() for lib in libs for name in ("openblas", "mkl", "blis"))
    return ", ".join(libs) or "none found", fast


def set_threads(n):
    # torch.set_num_threads does not reach the BLAS's own pool: OpenBLAS
    # would run its own threads on top of torch's and oversubscribe the cores
    torch.set_num_threads(n)
    for lib in loaded_blas():
        try:
            ctypes.CDLL(lib).openblas_set_num_threads(n)
        except (OSError, AttributeError):
            pass


def samples_per_s(name, seconds, rounds):
    torch.manual_seed(0)
    m = model(name)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    images = name in ("lenet5", "cnn-m")
    x = torch.randn(B, 1, 28, 28) if images else torch.randn(B, 784)
    y = torch.tensor([(i * 7) % 10 for i in range(B)])
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(m(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    runs = []
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            step()
            n += 1
        runs.append(B * n / (time.perf_counter() - t0))
    return runs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2")
    p.add_argument("--models", default="mlp-s,mlp-l,lenet5,cnn-m")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json")
    p.add_argument("--info", action="store_true", help="print the version and the BLAS as JSON, and stop")
    a = p.parse_args()
    if a.info:
        print(json.dumps({"torch": torch.__version__, "blas": blas()[0], "optimizedBlas": blas()[1]}))
        return
    threads = [int(t) for t in a.threads.split(",")]
    models = a.models.split(",")
    seconds, rounds = (0.3, 3) if a.quick else (1.0, 5)
    rows, every = {}, {}
    for name in models:
        for t in threads:
            set_threads(t)
            runs = samples_per_s(name, seconds, rounds)
            rows.setdefault(name, {})[t] = statistics.median(runs)
            every.setdefault(name, {})[t] = runs
    info = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "blas": blas()[0],
        "optimizedBlas": blas()[1],
        "machine": platform.processor() or platform.machine(),
    }
    print(f"PyTorch {info['torch']} (BLAS: {info['blas']}), Python {info['python']}; training samples/s, batch 64")
    if not info["optimizedBlas"]:
        print("note: no optimized BLAS; Debian's reference BLAS is ~10x slower (apt-get install libopenblas0-pthread)")
    print("| model | " + " | ".join(f"{t} thread{'s' if t > 1 else ''}" for t in threads) + " |")
    print("| --- |" + " --- |" * len(threads))
    for name in models:
        print(f"| {name} | " + " | ".join(f"{rows[name][t]:,.0f}" for t in threads) + " |")
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            json.dump({"info": info, "samplesPerS": rows, "runs": every}, f, indent=2)
        import os
        os.replace(a.json + ".tmp", a.json)


if __name__ == "__main__":
    sys.exit(main())
