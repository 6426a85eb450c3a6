"""Closed-form OmniFold on Gaussians with a perfect classifier (docs/algorithm.md,
section "Reference numbers").

gen N(mu0, s0), truth N(muT, sT), Gaussian smearing eps. After each iteration the
unfolded gen distribution stays Gaussian with
    V = s^2 + eps^2,  k = s^2 / V,
    mu' = mu + k (muT - mu),
    s'^2 = s^2 eps^2 / V + k^2 (sT^2 + eps^2).
Writes gauss_closed_form.json beside this script. Pure Python 3, no dependencies.
"""
import datetime
import json
import math
import pathlib

MU0, S0, MUT, ST, EPS, N_ITER = 0.0, 1.0, 0.2, 0.8, 0.5, 5

mu, s2 = MU0, S0 * S0
values = []
for _ in range(N_ITER):
    v = s2 + EPS * EPS
    k = s2 / v
    mu, s2 = mu + k * (MUT - mu), s2 * EPS * EPS / v + k * k * (ST * ST + EPS * EPS)
    values.append([round(mu, 6), round(math.sqrt(s2), 6)])

out = {
    "what": "OmniFold with a perfect classifier on Gaussians: unfolded gen (mean, std) after iterations 1..5",
    "producedBy": "test/reference/make_gauss_closed_form.py (Python 3, no dependencies)",
    "date": datetime.date.today().isoformat(),
    "inputs": {"genMean": MU0, "genStd": S0, "truthMean": MUT, "truthStd": ST, "smearing": EPS, "nIterations": N_ITER},
    "tolerance": {"rtol": 0, "atol": 5e-7, "why": "values rounded to 6 decimals"},
    "values": values,
}
path = pathlib.Path(__file__).with_name("gauss_closed_form.json")
path.write_text(json.dumps(out, indent=2) + "\n")
print(path, values)
