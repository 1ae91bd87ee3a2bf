"""Three what-ifs on the shipped corridor, side by side.

Loads the network once, takes two scenarios from the shipped scenario file, builds a
third in Python (composed with the first), and prints a comparison. Run it from the
repository root::

    python examples/whatif_corridor.py

The same numbers come from the command line::

    supplynet whatif datasets/corridor.geojson --scenario datasets/corridor-scenarios.yaml
"""

from __future__ import annotations

from pathlib import Path

import supplynet
from supplynet.network.scenarios import load_scenarios, pick_scenarios
from supplynet.analysis.whatif import WhatIf

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    G = supplynet.read_network(ROOT / "datasets" / "corridor.geojson")
    w = WhatIf(G)  # compiled once: every scenario below is a mask over it
    shipped = load_scenarios(ROOT / "datasets" / "corridor-scenarios.yaml", G)
    closed, squeezed = pick_scenarios(shipped, ["close-alqaim", "qaim-checkpoints-30pct"])
    baghdad = w.scenario("baghdad-and-air", remove=["smg-baghdad", "mode=air"])
    scenarios = [closed, squeezed, closed.then(baghdad)]

    table = w.sweep(scenarios)
    print(f"{G.graph['name']}: max flow {w.max_flow:g} units per period")
    print("scenario | removed | max flow after | loss % | sinks cut off | detour km | flow-days denied")
    for row in table.itertuples():
        detour = "-" if row.detour_km is None else f"{row.detour_km:g}"
        print(f"{row.name} | {len(row.removed)} | {row.max_flow_after:g} | {row.flow_loss_pct:.2f} | "
              f"{','.join(row.sinks_cut_off) or '-'} | {detour} | {row.flow_days_denied:g}")
    best = table.loc[table["flow_loss"].idxmax()]
    print(f"most damaging: {best['name']} ({best['flow_loss']:g} units lost)")


if __name__ == "__main__":
    main()
