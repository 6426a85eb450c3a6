"""PyTorch side of bench/learning_curve.bench.ts: one fit, its validation loss after every epoch.

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_curve.py DIR SEED [torch_reference options]
DIR holds meta.json (n0, n1, nFeatures), x0.f32, x1.f32 (row-major) and w0.f64, w1.f64. Trains
class 0 against class 1 with bench/torch_reference.py's fit (same options, e.g. --init, --adam-eps,
--validation) and prints one JSON line: the validation loss per epoch and the seconds.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference  # noqa: E402


def main(argv):
    folder, seed = argv[0], int(argv[1])
    cfg = torch_reference.parse_args(["--input", folder, "--out", folder, *argv[2:]])
    torch.set_num_threads(1)
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    nf = meta["nFeatures"]
    x0 = np.fromfile(os.path.join(folder, "x0.f32"), "<f4").reshape(meta["n0"], nf)
    x1 = np.fromfile(os.path.join(folder, "x1.f32"), "<f4").reshape(meta["n1"], nf)
    w0 = np.fromfile(os.path.join(folder, "w0.f64"), "<f8")
    w1 = np.fromfile(os.path.join(folder, "w1.f64"), "<f8")
    losses = []
    start = time.perf_counter()
    torch_reference.fit(x0, w0, x1, w1, cfg, seed, on_epoch=lambda _e, loss: losses.append(loss))
    print(json.dumps({"losses": losses, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main(sys.argv[1:])
