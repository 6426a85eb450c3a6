"""MLP forward pass in PyTorch for fixed parameters: the engine's logits and ratios must match.

Two networks, each run with every hidden activation the engine has:
    8 -> 16 -> 16 -> 1   and   3 -> 7 -> 1
    relu, silu, gelu (tanh approximation: torch approximate='tanh', the form of
    asm/gelu_forward_f32.ts; the exact-erf GELU logits are stored beside, as a contrast)
Parameters are drawn once per network with numpy (seed below) as float32 values: weights
He-uniform U(-sqrt(6/fanIn), +sqrt(6/fanIn)), biases U(-0.5, 0.5). Inputs are float32 too:
30 standard-normal rows and 10 rows with large |x| (up to 30), so both torch passes and the
engine see the same exactly representable numbers, and the float64 pass is the exact
network output up to float64 rounding.

Parameters are written in the ENGINE'S flat layout (asm/mlp_layout.ts): per layer l,
W_l [d_l x d_{l+1}] row-major (Y = X.W + b, i.e. torch Linear.weight transposed), then
b_l [d_{l+1}]. The ratio is f/(1-f) * S1/S0 = exp(logit) * S1/S0 from the float64 logits.

Run with a python that has torch (here Debian's /usr/bin/python3, python3-torch):
    /usr/bin/python3 test/reference/make_mlp_torch.py
Writes mlp_torch.json beside this script. Not run in CI.
"""
import datetime
import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20261122
N_NORMAL, N_LARGE = 30, 10
SUM_W0, SUM_W1 = 2.0, 3.0  # S1/S0 = 1.5
NETWORKS = [[8, 16, 16, 1], [3, 7, 1]]
ACTIVATIONS = {
    "relu": F.relu,
    "silu": F.silu,
    "gelu": lambda z: F.gelu(z, approximate="tanh"),
}


def f32_list(a):
    """float32 values as the shortest decimals that round back to the same float32."""
    return [float(repr(np.float32(v))) for v in np.asarray(a, dtype=np.float32).ravel()]


def draw_network(rng, dims):
    """Per layer (W [fanIn x fanOut], b [fanOut]) as float32 numpy arrays."""
    layers = []
    for fan_in, fan_out in zip(dims[:-1], dims[1:]):
        bound = np.sqrt(6.0 / fan_in)
        w = rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(np.float32)
        b = rng.uniform(-0.5, 0.5, size=fan_out).astype(np.float32)
        layers.append((w, b))
    return layers


def draw_inputs(rng, n_features):
    normal = rng.standard_normal((N_NORMAL, n_features))
    large = [
        10 * rng.standard_normal(n_features),
        10 * rng.standard_normal(n_features),
        30 * rng.standard_normal(n_features),
        np.full(n_features, 20.0),
        np.full(n_features, -20.0),
        np.array([30.0 * (-1) ** f for f in range(n_features)]),
        np.array([-30.0 * (-1) ** f for f in range(n_features)]),
        np.eye(n_features)[0] * 25.0,
        np.eye(n_features)[-1] * -25.0,
        np.zeros(n_features),  # the biases alone
    ]
    assert len(large) == N_LARGE
    return np.vstack([normal, np.array(large)]).astype(np.float32)


def forward(layers, x, act, dtype):
    """torch.nn.Linear layers (weight = W transposed) with act on the hidden ones; logits [n]."""
    linears = []
    for w, b in layers:
        lin = torch.nn.Linear(w.shape[0], w.shape[1]).to(dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()).to(dtype))
            lin.bias.copy_(torch.from_numpy(b).to(dtype))
        linears.append(lin)
    a = torch.from_numpy(x).to(dtype)
    with torch.no_grad():
        for lin in linears[:-1]:
            a = act(lin(a))
        return linears[-1](a)[:, 0]


def engine_layout(layers):
    """Flat float32 parameters: per layer W [fanIn x fanOut] row-major, then b."""
    return np.concatenate([np.concatenate([w.ravel(order="C"), b]) for w, b in layers])


torch.manual_seed(SEED)  # nothing random is drawn by torch; set for completeness
rng = np.random.default_rng(SEED)
s10 = SUM_W1 / SUM_W0
networks = []
for dims in NETWORKS:
    layers = draw_network(rng, dims)
    x = draw_inputs(rng, dims[0])
    cases = []
    for name, act in ACTIVATIONS.items():
        z32 = forward(layers, x, act, torch.float32)
        z64 = forward(layers, x, act, torch.float64)
        ratio = torch.exp(z64) * s10
        assert torch.isfinite(ratio).all() and (z64.abs() < 700).all()
        cases.append({
            "activation": name,
            "logitsF32": f32_list(z32.numpy()),
            "logitsF64": [float(v) for v in z64.numpy()],
            "ratioF64": [float(v) for v in ratio.numpy()],
            "maxAbsF32MinusF64": float((z32.double() - z64).abs().max()),
        })
    gelu_erf = forward(layers, x, lambda z: F.gelu(z, approximate="none"), torch.float64)
    networks.append({
        "dims": dims,
        "params": f32_list(engine_layout(layers)),
        "nEvents": int(x.shape[0]),
        "x": f32_list(x),
        "cases": cases,
        "geluErfLogitsF64": [float(v) for v in gelu_erf.numpy()],
    })

out = {
    "what": "MLP forward pass, PyTorch float32 and float64, fixed float32 parameters and inputs: "
            "networks 8-16-16-1 and 3-7-1, hidden activations relu, silu, gelu (tanh form)",
    "producedBy": f"test/reference/make_mlp_torch.py (torch {torch.__version__}, numpy {np.__version__})",
    "date": datetime.date.today().isoformat(),
    "inputs": {
        "seed": SEED,
        "init": "W ~ U(-sqrt(6/fanIn), +sqrt(6/fanIn)), b ~ U(-0.5, 0.5), float32",
        "x": f"{N_NORMAL} standard-normal rows, then {N_LARGE} rows with |x| up to 30 (last row zeros), float32",
        "layout": "params per layer l: W_l [d_l x d_{l+1}] row-major (Y = X.W + b; torch Linear.weight transposed), "
                  "then b_l [d_{l+1}]; x [nEvents x d_0] row-major",
        "gelu": "tanh approximation, torch.nn.functional.gelu(approximate='tanh'), as asm/gelu_forward_f32.ts; "
                "geluErfLogitsF64 is the exact-erf form (approximate='none'), which the engine does not compute",
        "sumW0": SUM_W0,
        "sumW1": SUM_W1,
        "ratio": "exp(logitsF64) * sumW1/sumW0 = f/(1-f) * S1/S0",
    },
    "tolerance": {
        "why": "absolute, per event: K * 2^-24 * sum|terms|, the f32 rounding bound of the whole pass; "
               "K and sum|terms| are derived in test/mlp_torch_reference.test.ts",
    },
    "networks": networks,
}


def dump(value, indent=0):
    """JSON with objects indented and lists of numbers kept on one line."""
    pad = "  " * indent
    if isinstance(value, dict):
        items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(f"{pad}  {dump(v, indent + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value)


path = pathlib.Path(__file__).with_name("mlp_torch.json")
path.write_text(dump(out) + "\n")
for net in networks:
    for case in net["cases"]:
        z = np.array(case["logitsF64"])
        print(net["dims"], case["activation"], f"|logit| max {np.abs(z).max():.3g}",
              f"f32-f64 max {case['maxAbsF32MinusF64']:.3g}")
print(path, path.stat().st_size, "bytes")
