"""OmniFold in PyTorch, written the way a PyTorch user writes it, with the engine's conventions.

The reference side of bench/full_job.bench.ts and bench/equal_settings.bench.ts. It unfolds
the same events with the same algorithm as the engine (docs/algorithm.md):

- iteration n: step 1 (data vs w0*nu-weighted sim passing reco, reco level: mu = nu*omega),
  the misses' step (mu = nu*E[omega | t], a gen-level fit between the events passing both
  selections weighted w0*nu and w0*mu, evaluated on the misses), step 2 (w0*mu vs w0*nu at gen
  level: nu' = nu*g) and the fakes' step (nu' = nu*E[nu'/nu | r], a reco-level fit between the
  events passing both weighted w0*nu and w0*nu', evaluated on the fakes);
- every fit: an MLP (hidden widths, ReLU, one logit), inputs standardised over the training
  events, each class rescaled to total n/2, minibatch Adam on the mean of w*BCE over the
  batch, an optional random validation split with early stopping (patience; the best
  epoch's parameters are kept; without validation, the last epoch's);
- ratio f/(1-f) * S1/S0 with f and 1-f clipped to [eps, 1-eps], then clipped to [0, wMax];
  an ensemble of M members per fit, their clipped ratios averaged;
- data bootstraps: every data weight times a Poisson(1) draw (numpy, seeded per bootstrap).

The job's unfoldings (nominal, then each bootstrap) are independent and run one per process,
on a multiprocessing pool of --processes workers (torch.set_num_threads(1) and
OPENBLAS_NUM_THREADS=1 in each), so the job uses every core the way the engine's pool does.

Input: a folder written by the bench (meta.json with nSim, nData, nFeatures; sim_gen.f32,
sim_reco.f32 [nSim x nFeatures], pass_gen.u8, pass_reco.u8 [nSim], data_reco.f32
[nData x nFeatures]; all raw little-endian). Output: OUT/weight.npy (nominal) and
OUT/data_boot_<b>.npy (float64, w0*nu per sim event), and one JSON line on stdout with the
timings and peak memory.

Usage:
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_reference.py --input DIR --out DIR \
      [--iterations 4] [--ensemble 4] [--data-bootstraps 20] [--processes 2] \
      [--hidden 50,50,50] [--epochs 20] [--batch 512] [--patience 5] [--validation 0.2] \
      [--lr 1e-3] [--adam-eps 1e-8] [--init torch|engine] [--class-norm half|none] [--seed 0]
      [--only nominal|INDEX]

--init torch (default) keeps nn.Linear's own initialisation (uniform, bound 1/sqrt(fan_in),
weights and biases); --init engine draws what the engine draws: He-uniform (ReLU layers) or
Glorot-uniform (the logit layer) weights, zero biases. --adam-eps defaults to torch's 1e-8
(the engine's default is 1e-7). --class-norm half (default) rescales each class to total n/2
as the engine does; none trains on the weights as given (the ratio keeps S1/S0 either way).
"""
import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

STEPS = {"step1": 1, "misses": 2, "step2": 3, "fakes": 4}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--input", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--iterations", type=int, default=4)
    p.add_argument("--ensemble", type=int, default=1)
    p.add_argument("--data-bootstraps", type=int, default=0)
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    p.add_argument("--hidden", default="50,50,50")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--patience", type=int, default=5)
    p.add_argument("--validation", type=float, default=0.2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--adam-eps", type=float, default=1e-8)
    p.add_argument("--init", choices=["torch", "engine"], default="torch")
    p.add_argument("--class-norm", choices=["half", "none"], default="half")
    p.add_argument("--epsilon", type=float, default=1e-6)
    p.add_argument("--wmax", type=float, default=100.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", default=None, help="run one unfolding: nominal, or a bootstrap index")
    a = p.parse_args(argv)
    a.hidden = [int(h) for h in a.hidden.split(",")]
    return a


def load(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    ns, nd, nf = meta["nSim"], meta["nData"], meta["nFeatures"]

    def raw(name, dtype, shape):
        return np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape)

    return {
        "gen": raw("sim_gen.f32", "<f4", (ns, nf)),
        "reco": raw("sim_reco.f32", "<f4", (ns, nf)),
        "pass_gen": raw("pass_gen.u8", "u1", (ns,)).astype(bool),
        "pass_reco": raw("pass_reco.u8", "u1", (ns,)).astype(bool),
        "data": raw("data_reco.f32", "<f4", (nd, nf)),
        "w0": np.ones(ns),
        "wd": np.ones(nd),
    }


def build_model(nf, hidden, init):
    layers, fan_in = [], nf
    for width in hidden:
        layers += [torch.nn.Linear(fan_in, width), torch.nn.ReLU()]
        fan_in = width
    model = torch.nn.Sequential(*layers, torch.nn.Linear(fan_in, 1))
    if init == "engine":
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for k, lin in enumerate(linears):
                fan_out, fan_in = lin.weight.shape
                last = k == len(linears) - 1
                bound = (6.0 / (fan_in + fan_out)) ** 0.5 if last else (6.0 / fan_in) ** 0.5
                lin.weight.uniform_(-bound, bound)
                lin.bias.zero_()
    return model


def fit(x0, w0, x1, w1, cfg, seed, on_epoch=None):
    """Trains one member: class 0 (x0, w0) against class 1 (x1, w1). Returns a predict function.

    on_epoch(epoch, validation_loss), when given, is called after every epoch."""
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # nn.Linear's initialisation draws from the global generator
    s0, s1 = float(w0.sum()), float(w1.sum())
    n = len(x0) + len(x1)
    x = torch.from_numpy(np.concatenate([x0, x1]))
    y = torch.cat([torch.zeros(len(x0)), torch.ones(len(x1))])
    c0, c1 = (n / 2 / s0, n / 2 / s1) if cfg.class_norm == "half" else (1.0, 1.0)
    w = torch.from_numpy(np.concatenate([w0 * c0, w1 * c1]).astype(np.float32))
    perm = torch.randperm(n, generator=gen)
    n_val = int(cfg.validation * n)
    val, train = perm[:n_val], perm[n_val:]
    mean = x[train].double().mean(0)
    std = x[train].double().std(0, unbiased=False)
    std[std == 0] = 1
    mean, std = mean.float(), std.float()
    xs = (x - mean) / std
    x_val, y_val, w_val = xs[val], y[val], w[val]
    model = build_model(x.shape[1], cfg.hidden, cfg.init)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, eps=cfg.adam_eps)
    bce = torch.nn.BCEWithLogitsLoss(reduction="none")
    best, best_loss, best_epoch, epochs = None, float("inf"), 0, 0
    for epoch in range(cfg.epochs):
        order = train[torch.randperm(len(train), generator=gen)]
        xe, ye, we = xs[order], y[order], w[order]
        model.train()
        for start in range(0, len(order), cfg.batch):
            sl = slice(start, start + cfg.batch)
            loss = (bce(model(xe[sl]).squeeze(1), ye[sl]) * we[sl]).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        epochs = epoch + 1
        if n_val > 0:
            with torch.no_grad():
                vl = float((bce(model(x_val).squeeze(1), y_val) * w_val).sum()) / n_val
            if on_epoch is not None:
                on_epoch(epoch + 1, vl)
            if vl < best_loss:
                best_loss, best_epoch = vl, epoch + 1
                best = {k: v.clone() for k, v in model.state_dict().items()}
            elif cfg.patience > 0 and epoch + 1 - best_epoch >= cfg.patience:
                break
    if best is not None:
        model.load_state_dict(best)
    model.eval()

    def ratio(xt):
        with torch.no_grad():
            z = torch.cat([model((torch.from_numpy(xt[i : i + 65536]) - mean) / std).squeeze(1) for i in range(0, len(xt), 65536)])
        z = z.double()
        f = torch.sigmoid(z).clamp(cfg.epsilon, 1 - cfg.epsilon)
        g = torch.sigmoid(-z).clamp(cfg.epsilon, 1 - cfg.epsilon)
        # f/(1-f) = c1*S1*p1 / (c0*S0*p0): c0/c1 turns it into the ratio of the weighted densities
        return (f / g * (c0 / c1)).clamp(0, cfg.wmax).numpy()

    return ratio, epochs


def fit_step(x0, w0, x1, w1, target, cfg, key, stats):
    """The ensemble's mean clipped ratio on `target`; `key` = (replica, iteration, step)."""
    total = np.zeros(len(target))
    for m in range(cfg.ensemble):
        seed = hash((cfg.seed,) + key + (m,)) % (2**31)
        ratio, epochs = fit(x0, w0, x1, w1, cfg, seed)
        total += ratio(target)
        stats["fits"] += 1
        stats["epochs"] += epochs
    return total / cfg.ensemble


def unfold(d, wd, cfg, replica):
    """One OmniFold unfolding of data weights `wd`; returns w0*nu after the last iteration."""
    gen, reco, pg, pr, w0 = d["gen"], d["reco"], d["pass_gen"], d["pass_reco"], d["w0"]
    reco_idx, gen_idx = np.flatnonzero(pr), np.flatnonzero(pg)
    both, misses, fakes = np.flatnonzero(pg & pr), np.flatnonzero(pg & ~pr), np.flatnonzero(pr & ~pg)
    stats = {"fits": 0, "epochs": 0}
    nu = np.ones(len(w0))
    for it in range(1, cfg.iterations + 1):
        # step 1: data (class 1) vs sim passing reco weighted w0*nu (class 0)
        r = fit_step(reco[reco_idx], (w0 * nu)[reco_idx], d["data"], wd, reco[reco_idx], cfg, (replica, it, 1), stats)
        mu = nu.copy()
        mu[reco_idx] = nu[reco_idx] * r
        # misses: mu = nu * E[omega | t], learned on the events passing both
        if len(misses):
            r = fit_step(gen[both], (w0 * nu)[both], gen[both], (w0 * mu)[both], gen[misses], cfg, (replica, it, 2), stats)
            mu[misses] = nu[misses] * r
        # step 2: w0*mu (class 1) vs w0*nu (class 0) at gen level
        r = fit_step(gen[gen_idx], (w0 * nu)[gen_idx], gen[gen_idx], (w0 * mu)[gen_idx], gen[gen_idx], cfg, (replica, it, 3), stats)
        nxt = nu.copy()
        nxt[gen_idx] = nu[gen_idx] * r
        # fakes: nu' = nu * E[nu'/nu | r], learned on the events passing both
        if len(fakes):
            r = fit_step(reco[both], (w0 * nu)[both], reco[both], (w0 * nxt)[both], reco[fakes], cfg, (replica, it, 4), stats)
            nxt[fakes] = nu[fakes] * r
        nu = nxt
    return w0 * nu, stats


_DATA = None
_CFG = None


def _init(data, cfg):
    global _DATA, _CFG
    _DATA, _CFG = data, cfg
    torch.set_num_threads(1)


def _run(task):
    """One unfolding in a pool worker: task = (name, replica index; 0 nominal, b+1 bootstrap b)."""
    name, replica = task
    wd = _DATA["wd"]
    if replica > 0:
        wd = wd * np.random.default_rng([_CFG.seed, replica]).poisson(1.0, len(wd))
    start = time.perf_counter()
    weights, stats = unfold(_DATA, wd, _CFG, replica)
    np.save(os.path.join(_CFG.out, f"{name}.npy"), weights)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"name": name, "seconds": time.perf_counter() - start, "pid": os.getpid(), "max_rss_kib": rss, **stats}


def main(argv):
    cfg = parse_args(argv)
    os.makedirs(cfg.out, exist_ok=True)
    start = time.perf_counter()
    data = load(cfg.input)
    tasks = [("weight", 0)] + [(f"data_boot_{b}", b + 1) for b in range(cfg.data_bootstraps)]
    if cfg.only is not None:
        tasks = [tasks[0 if cfg.only == "nominal" else int(cfg.only) + 1]]
    processes = max(1, min(cfg.processes, len(tasks)))
    if processes == 1:
        _init(data, cfg)
        results = [_run(t) for t in tasks]
    else:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(processes, initializer=_init, initargs=(data, cfg)) as pool:
            results = pool.map(_run, tasks, chunksize=1)
    wall = time.perf_counter() - start
    # each worker's peak, over all the unfoldings it ran; the workers run side by side
    per_worker = {}
    for r in results:
        per_worker[r["pid"]] = max(per_worker.get(r["pid"], 0), r["max_rss_kib"])
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "wall_s": wall,
                "unfoldings": len(results),
                "processes": processes,
                "fits": sum(r["fits"] for r in results),
                "epochs": sum(r["epochs"] for r in results),
                "unfolding_s": [round(r["seconds"], 3) for r in results],
                "parent_max_rss_mib": parent / 1024,
                "worker_max_rss_mib": max(per_worker.values()) / 1024 if processes > 1 else 0,
                "total_rss_mib": (parent + (sum(per_worker.values()) if processes > 1 else 0)) / 1024,
                "torch": torch.__version__,
                "settings": {k: v for k, v in vars(cfg).items() if k not in ("input", "out")},
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
