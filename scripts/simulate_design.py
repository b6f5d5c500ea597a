"""Simulate the design-based city-wide estimates under unequal sampling fractions.

A synthetic city of six service units is generated once (a finite population
of users, each with nine unsur answers 1..4, some skipped, and a yes/no answer
"facilities friendly to special groups"). The units differ in satisfaction and
are sampled at very different rates, and the units sampled most heavily are
the least satisfied, as happens when small offices are surveyed to the
Krejcie-Morgan minimum. Each replicate draws a simple random sample without
replacement inside every unit (a stratified sample) and computes

- the design-based city IKM (:func:`clem_lib.design_ikm`: weights ``N_h / n_h``,
  strata = units, finite-population correction) and the "not friendly" share
  (:func:`clem_lib.weighted_proportion`, logit interval), with and without the
  finite-population correction;
- the unweighted figures (all respondents as one sample: :func:`clem_lib.ikm`
  with its delta interval, the Wilson interval of the share).

It reports the coverage of each 95 % interval of the true city figure (the
regulation's IKM of every user of the city; the share of all users) and the
bias of each estimator. Targets for the design-based intervals with fpc:
coverage 93.5-96.5 %, bias near 0.

Usage::

    python scripts/simulate_design.py               # 5,000 replicates per scenario, ~2 minutes on 2 cores
    python scripts/simulate_design.py --reps 300    # quick look
    python scripts/simulate_design.py --write-docs  # also rewrite the block in docs/statistics.md

The functions are imported by ``tests/test_weights.py`` for a fast, seeded version.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import clem_lib as clem  # noqa: E402

UNSUR = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
CUTS = sps.norm.ppf(np.cumsum([0.10, 0.25, 0.40])[:3])  # latent cut points: answers 10/25/40/25 % at shift 0

#: scenarios: units' population sizes N_h, sample sizes n_h, latent satisfaction shift and P(not friendly)
SCENARIOS = {
    "sampling fractions 12-40 %, n_h 36-50": {
        "N": [400, 250, 150, 120, 300, 100],
        "n": [48, 50, 45, 48, 36, 40],
        "shift": [0.5, 0.3, -0.2, -0.5, 0.4, -0.6],
        "not_friendly": [0.35, 0.45, 0.55, 0.65, 0.40, 0.70],
    },
    "sampling fractions 12-40 %, n_h 15-20": {
        "N": [150, 100, 60, 50, 120, 40],
        "n": [18, 20, 15, 20, 15, 16],
        "shift": [0.5, 0.3, -0.2, -0.5, 0.4, -0.6],
        "not_friendly": [0.35, 0.45, 0.55, 0.65, 0.40, 0.70],
    },
}


def population(spec: dict, seed: int = 20240601) -> pd.DataFrame:
    """The finite population of users of one scenario (fixed by ``seed``)."""
    rng = np.random.default_rng(seed)
    parts = []
    for h, (N, shift, pnf) in enumerate(zip(spec["N"], spec["shift"], spec["not_friendly"])):
        person = rng.normal(shift, 0.6, size=N)
        lat = person[:, None] + rng.normal(0, 0.8, size=(N, len(UNSUR)))
        ans = (np.searchsorted(CUTS, lat) + 1).astype(float)
        ans[rng.random(ans.shape) < 0.05] = np.nan  # 5 % of answers skipped
        d = pd.DataFrame({f"unsur_{u}": pd.array(ans[:, j], dtype="Float64").astype("Int64")
                          for j, u in enumerate(UNSUR)})
        d.insert(0, "unit", f"U{h + 1}")
        d["facility_friendly"] = pd.array(rng.random(N) >= pnf, dtype="boolean")
        d["N"] = float(N)
        parts.append(d)
    return pd.concat(parts, ignore_index=True)


def truth(pop: pd.DataFrame) -> dict:
    """The city's figures over every user: the regulation's IKM and the share not friendly (percent)."""
    return {"ikm": clem.ikm_point(pop), "pct_not_friendly": 100 * float((~pop["facility_friendly"]).mean())}


def one_sample(pop: pd.DataFrame, spec: dict, rng: np.random.Generator) -> pd.DataFrame:
    idx = []
    for h, n in enumerate(spec["n"]):
        rows = np.flatnonzero(pop["unit"].to_numpy() == f"U{h + 1}")
        idx.append(rng.choice(rows, size=n, replace=False))
    s = pop.iloc[np.concatenate(idx)].reset_index(drop=True)
    s["weight"] = s["N"] / s.groupby("unit")["unit"].transform("size")
    return s


def estimates(s: pd.DataFrame) -> list[dict]:
    """(estimator, metric, estimate, ci_low, ci_high) of one sample."""
    out = []
    for label, fpc in (("design-based, fpc", "N"), ("design-based, no fpc", None)):
        k = clem.design_ikm(s, weight="weight", fpc=fpc).iloc[0]
        out.append({"estimator": label, "metric": "ikm", "estimate": k["ikm"], "lo": k["ci_low"], "hi": k["ci_high"]})
        p = clem.weighted_proportion(s, "facility_friendly", event=False, weight="weight", fpc=fpc).iloc[0]
        out.append({"estimator": label, "metric": "pct_not_friendly", "estimate": 100 * p["estimate"],
                    "lo": 100 * p["ci_low"], "hi": 100 * p["ci_high"]})
    k = clem.ikm(s).iloc[0]
    out.append({"estimator": "unweighted", "metric": "ikm", "estimate": k["ikm"], "lo": k["ci_low"], "hi": k["ci_high"]})
    a = clem.accessibility(s).iloc[0]
    out.append({"estimator": "unweighted", "metric": "pct_not_friendly", "estimate": a["estimate"],
                "lo": a["ci_low"], "hi": a["ci_high"]})
    return out


def simulate(name: str, reps: int, seed: int = 20240601) -> pd.DataFrame:
    """Coverage (%) and bias of each estimator in scenario ``name``; one row per estimator and metric."""
    spec = SCENARIOS[name]
    pop = population(spec, seed)
    true = truth(pop)
    rng = np.random.default_rng(seed + 1)
    rows = []
    for _ in range(reps):
        rows.extend(estimates(one_sample(pop, spec, rng)))
    r = pd.DataFrame(rows)
    r["true"] = r["metric"].map(true)
    r["covered"] = (r["lo"] <= r["true"]) & (r["true"] <= r["hi"])
    r["err"] = r["estimate"] - r["true"]
    g = r.groupby(["metric", "estimator"], sort=False)
    out = g.agg(coverage=("covered", "mean"), bias=("err", "mean"), rmse=("err", lambda e: float(np.sqrt(np.mean(e ** 2)))),
                width=("hi", "mean")).reset_index()
    out["width"] = g.apply(lambda d: float((d["hi"] - d["lo"]).mean()), include_groups=False).to_numpy()
    out["coverage"] *= 100
    out.insert(0, "scenario", name)
    out["true"] = out["metric"].map(true)
    out["reps"] = reps
    fr = np.array(spec["n"]) / np.array(spec["N"])
    out["fractions"] = f"{fr.min():.0%}-{fr.max():.0%}"
    return out


def markdown(table: pd.DataFrame, reps: int, seed: int) -> str:
    lines = [
        f"Replicates: {reps:,} per scenario; seed {seed}. Six units, stratified simple random samples without "
        "replacement; the units sampled most heavily are the least satisfied. True figures: the regulation's "
        "IKM of every user of the city and the share of all users saying \"not friendly\". Coverage = the "
        "95 % interval contains the true figure; bias and RMSE in IKM points or percentage points.",
        "",
        "| scenario | figure | true | estimator | coverage % | bias | RMSE | mean CI width |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        lines.append(f"| {r['scenario']} | {r['metric']} | {r['true']:.2f} | {r['estimator']} | {r['coverage']:.1f} "
                     f"| {r['bias']:+.2f} | {r['rmse']:.2f} | {r['width']:.2f} |")
    return "\n".join(lines)


def write_docs(block: str, path: Path = ROOT / "docs" / "statistics.md") -> None:
    text = path.read_text()
    start, end = "<!-- design-simulation:start -->", "<!-- design-simulation:end -->"
    a, b = text.index(start) + len(start), text.index(end)
    path.write_text(text[:a] + "\n" + block + "\n" + text[b:])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--write-docs", action="store_true", help="rewrite the block in docs/statistics.md")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    table = pd.concat([simulate(name, args.reps, args.seed) for name in SCENARIOS], ignore_index=True)
    block = markdown(table, args.reps, args.seed)
    print(block)
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    if args.write_docs:
        write_docs(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
