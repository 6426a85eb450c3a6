"""PyTorch side of bench/pfn_torch.bench.ts: trains the same Particle Flow Network on the same data, 1 thread.

Usage: python3 bench/pfn_torch.py DATA.bin N_EVENTS N_PARTICLE_FEATURES PHI F BATCH EPOCHS [REPEATS]
PHI and F are comma-separated widths (e.g. 100,100,128 and 100,100). DATA.bin holds
N_EVENTS + 1 uint32 offsets, then offsets[-1] x N_PARTICLE_FEATURES float32 particle
features (row-major), then N_EVENTS float32 labels and N_EVENTS float32 weights.

Two PyTorch formulations are timed, and the faster one is reported:
  padded  the usual one (EnergyFlow's PFN): events padded to the largest multiplicity,
          Φ on every slot, masked sum over the slots;
  flat    no padding: the batch's particles gathered into one block (repeat_interleave),
          Φ on them, sum pooling by index_add_.
Trains REPEATS (default 1) fresh models per formulation one after the other; prints one
JSON line with the fastest training time.
"""
import json
import sys
import time

import numpy as np
import torch


def mlp(widths, last_relu):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if last_relu or i + 2 < len(widths):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train(kind, data, phi, f, batch, epochs):
    x, offsets, counts, y, w, padded, mask = data
    n, nf = len(counts), x.shape[1]
    phi_net = mlp([nf, *phi], True)
    f_net = mlp([phi[-1], *f, 1], False)
    params = list(phi_net.parameters()) + list(f_net.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            if kind == "padded":
                latent = (phi_net(padded[idx]) * mask[idx]).sum(1)
            else:
                c = counts[idx]
                seg = torch.repeat_interleave(torch.arange(len(idx)), c)
                first = torch.repeat_interleave(offsets[idx], c)
                within = torch.arange(len(seg)) - torch.repeat_interleave(torch.cumsum(c, 0) - c, c)
                out = phi_net(x[first + within])
                latent = torch.zeros(len(idx), out.shape[1]).index_add_(0, seg, out)
            logits = f_net(latent).squeeze(1)
            loss = (loss_fn(logits, y[idx]) * w[idx]).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def main():
    path, n, nf = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    phi = [int(v) for v in sys.argv[4].split(",")]
    f = [int(v) for v in sys.argv[5].split(",")]
    batch, epochs = int(sys.argv[6]), int(sys.argv[7])
    repeats = int(sys.argv[8]) if len(sys.argv) > 8 else 1
    torch.set_num_threads(1)
    torch.manual_seed(0)
    raw = np.fromfile(path, dtype=np.uint8)
    offsets = np.frombuffer(raw, dtype=np.uint32, count=n + 1).astype(np.int64)
    at = (n + 1) * 4
    total = int(offsets[-1])
    x = np.frombuffer(raw, dtype=np.float32, count=total * nf, offset=at).reshape(total, nf)
    at += total * nf * 4
    y = np.frombuffer(raw, dtype=np.float32, count=n, offset=at)
    w = np.frombuffer(raw, dtype=np.float32, count=n, offset=at + n * 4)
    # standardise the particle features like the engine (location and scale over all particles)
    x = torch.from_numpy(((x - x.mean(0)) / x.std(0)).astype(np.float32))
    counts = torch.from_numpy(np.diff(offsets))
    longest = int(counts.max())
    padded = torch.zeros(n, longest, nf)
    mask = torch.zeros(n, longest, 1)
    for i in range(n):
        padded[i, : counts[i]] = x[offsets[i] : offsets[i + 1]]
        mask[i, : counts[i]] = 1
    data = (x, torch.from_numpy(offsets[:-1]), counts, torch.from_numpy(y.copy()), torch.from_numpy(w.copy()), padded, mask)
    times = {kind: min(train(kind, data, phi, f, batch, epochs) for _ in range(repeats)) for kind in ("padded", "flat")}
    best = min(times, key=times.get)
    print(json.dumps({"seconds": times[best], "samples_epochs_per_s": n * epochs / times[best], "formulation": best,
                      "seconds_by_formulation": times, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
