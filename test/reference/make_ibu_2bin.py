"""D'Agostini iterative Bayesian unfolding, 2 bins (docs/algorithm.md,
section "Reference numbers"; the pyunfold example).

data [100, 150], response R[reco][gen] = [[0.9, 0.1], [0.1, 0.9]], efficiency 1,
flat prior 125 per bin. Update: P(gen j | reco i) = R[i][j] p_j / sum_k R[i][k] p_k,
p'_j = sum_i P(gen j | reco i) d_i / eff_j. Writes ibu_2bin.json beside this script.
Pure Python 3, no dependencies.
"""
import datetime
import json
import pathlib

DATA = [100.0, 150.0]
R = [[0.9, 0.1], [0.1, 0.9]]
EFF = [1.0, 1.0]
prior = [125.0, 125.0]
values = []
for _ in range(4):
    post = [0.0, 0.0]
    for i, d in enumerate(DATA):
        norm = sum(R[i][k] * prior[k] for k in range(2))
        for j in range(2):
            post[j] += R[i][j] * prior[j] / norm * d / EFF[j]
    prior = post
    values.append([round(p, 8) for p in prior])

out = {
    "what": "IBU, 2 bins, data [100,150], response [[0.9,0.1],[0.1,0.9]], efficiency 1, flat prior 125: unfolded after iterations 1..4",
    "producedBy": "test/reference/make_ibu_2bin.py (Python 3, no dependencies)",
    "date": datetime.date.today().isoformat(),
    "inputs": {"data": DATA, "response": R, "efficiency": EFF, "prior": [125.0, 125.0], "nIterations": 4},
    "tolerance": {"rtol": 1e-8, "atol": 1e-8, "why": "values rounded to 8 decimals"},
    "values": values,
}
path = pathlib.Path(__file__).with_name("ibu_2bin.json")
path.write_text(json.dumps(out, indent=2) + "\n")
print(path, values)
