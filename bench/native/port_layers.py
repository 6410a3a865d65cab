#!/usr/bin/env python3
"""PyTorch's side of bench/port-layers.ts: each convolution of the ported
scripts, forward + backward at batch 64, median milliseconds, and a square
SGEMM for PyTorch's per-core ceiling. Reads the layers as JSON on stdin,
prints JSON. Optional (Debian's python3-torch); npm test never runs it."""
import json
import sys
import time

import torch
import torch.nn.functional as F


def median_ms(fn, reps):
    for _ in range(5):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[reps // 2] * 1000


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(job["threads"])
    torch.manual_seed(0)
    out = []
    for layer in job["layers"]:
        x = torch.randn(layer["input"], requires_grad=not layer.get("first", False))
        w = torch.randn(layer["out"], layer["input"][1], layer["k"], layer["k"], requires_grad=True)
        b = torch.randn(layer["out"], requires_grad=True)
        conv = lambda: F.conv2d(x, w, b, stride=layer["stride"], padding=layer["pad"])
        g = torch.randn_like(conv())

        def train():
            conv().backward(g)
            for t in (x, w, b):
                t.grad = None

        out.append(median_ms(train, job["reps"]))
    torch.set_num_threads(1)
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    gemm = median_ms(lambda: a @ b, job["reps"])
    print(json.dumps({"torch": torch.__version__, "trainMs": out, "gemm512GflopsOneThread": 2 * 512**3 / gemm / 1e6}))


main()
