"""Build `sim/data/population/age_2013.csv`: China's population by single year of age at the end of 2013.

    python tools/build_ages.py --source /path/to/cn_provinces_2020_age.csv

Method (documented in docs/model.md, "Initialization"): the 2020 census counts by five-year age group (all
provinces) are spread evenly over the single years of each group (the open group 85+ over 85-99 with a
geometric decline of 20 % a year), then moved back seven years: the people aged a in 2013 are those aged a + 7 in
2020, divided by their chance of surviving the seven years under the model's own mortality schedule at its 2013
level (`sim.engine.ages.mortality_shape` with the default parameters, scaled to a crude death rate of 7.16 per
mille). The result is a share per age (summing to 1); the check printed at the end compares the 0-14, 15-59, 60+
and 65+ shares with the 2010 census (16.6, 70.1, 13.3, 8.9 %).

The source table is the census file shipped in `sim/data/geography/` (MIT licence, see its README); the script
does not need the network.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parents[1]
OUT = HERE / "sim" / "data" / "population" / "age_2013.csv"
GROUPS = [("age_0", 0, 0), ("age_1_4", 1, 4)] + [(f"age_{a}_{a + 4}", a, a + 4) for a in range(5, 85, 5)] + [
    ("age_85plus", 85, 99)]
SHIFT = 7  # 2013 -> 2020


def single_years(counts: pd.Series) -> np.ndarray:
    pop = np.zeros(101)
    for col, lo, hi in GROUPS:
        if col == "age_85plus":
            w = 0.8 ** np.arange(hi - lo + 1)
            pop[lo:hi + 1] = counts[col] * w / w.sum()
        else:
            pop[lo:hi + 1] = counts[col] / (hi - lo + 1)
    return pop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=str(HERE / "sim" / "data" / "geography" / "cn_provinces_2020_age.csv"))
    args = ap.parse_args()
    from sim.engine.ages import mortality_shape
    from sim.inputs.registry import parameter_values

    table = pd.read_csv(args.source)
    cols = [c for c, _, _ in GROUPS]
    pop2020 = single_years(table[cols].sum())
    q = mortality_shape(parameter_values(), np.arange(101))
    # scale the shape to a crude death rate of 7.16 per mille over the 2020 structure (close enough for 2013-2020)
    q = np.minimum(q * 0.00716 * pop2020.sum() / (q * pop2020).sum(), 1.0)
    pop2013 = np.zeros(101)
    for a in range(0, 101 - SHIFT):
        survive = np.prod(1 - q[a:a + SHIFT])
        pop2013[a] = pop2020[a + SHIFT] / survive
    share = pop2013 / pop2013.sum()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"age": np.arange(101), "share": share}).to_csv(OUT, index=False, float_format="%.8f")
    print(f"wrote {OUT}")
    for name, lo, hi in (("0-14", 0, 14), ("15-59", 15, 59), ("60+", 60, 100), ("65+", 65, 100)):
        print(f"  {name:6s} {100 * share[lo:hi + 1].sum():5.1f} %")


if __name__ == "__main__":
    main()
