"""PyTorch side of bench/torch.bench.ts: trains the same MLP on the same data, 1 thread.

Usage: OPENBLAS_NUM_THREADS=1 python3 bench/torch.bench.py DATA.bin N_EVENTS N_FEATURES WIDTH DEPTH BATCH EPOCHS [REPEATS]
DATA.bin holds N_EVENTS x N_FEATURES float32 features (row-major), then N_EVENTS float32
labels, then N_EVENTS float32 weights. Trains REPEATS (default 1) fresh models one after
the other and prints one JSON line with the fastest training time.
"""
import json
import sys
import time

import numpy as np
import torch


def sgemm_gflops() -> float:
    """Single-thread f32 matmul speed at 10^4 x 100 x 100: tells OpenBLAS (~30-45) from the reference BLAS (~2)."""
    a, b = torch.randn(10000, 100), torch.randn(100, 100)
    for _ in range(3):
        a @ b
    start, n = time.perf_counter(), 20
    for _ in range(n):
        a @ b
    return 2e8 * n / (time.perf_counter() - start) / 1e9


def train(x, y, w, n: int, nf: int, width: int, depth: int, batch: int, epochs: int) -> float:
    """Trains a fresh model; returns the seconds spent in the training loop."""
    layers, fan_in = [], nf
    for _ in range(depth):
        layers += [torch.nn.Linear(fan_in, width), torch.nn.ReLU()]
        fan_in = width
    model = torch.nn.Sequential(*layers, torch.nn.Linear(fan_in, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            logits = model(x[idx]).squeeze(1)
            loss = (loss_fn(logits, y[idx]) * w[idx]).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def main() -> None:
    path, n, nf, width, depth, batch, epochs = sys.argv[1], *map(int, sys.argv[2:8])
    repeats = int(sys.argv[8]) if len(sys.argv) > 8 else 1
    torch.set_num_threads(1)
    torch.manual_seed(0)
    raw = np.fromfile(path, dtype=np.float32)
    x = torch.from_numpy(raw[: n * nf].reshape(n, nf).copy())
    y = torch.from_numpy(raw[n * nf : n * nf + n].copy())
    w = torch.from_numpy(raw[n * nf + n : n * nf + 2 * n].copy())
    # standardise like the engine does (location and scale of the training sample)
    x = (x - x.mean(0)) / x.std(0)
    seconds = min(train(x, y, w, n, nf, width, depth, batch, epochs) for _ in range(repeats))
    print(json.dumps({"seconds": seconds, "samples_epochs_per_s": n * epochs / seconds, "torch": torch.__version__, "threads": torch.get_num_threads(), "sgemm_gflops": sgemm_gflops()}))


if __name__ == "__main__":
    main()
