#!/usr/bin/env bash
# How each benchmarked cost grows with the size of the matrix (issue #7).
#
#   benches/growth.sh            # report on the last criterion results
#   benches/growth.sh --run      # run `cargo bench --bench growth` first
#
# Reads criterion's results (target/criterion/<group>/<function>/<size>/new/
# benchmark.json and estimates.json) of the `growth-*` groups of
# benches/growth.rs, and of `route-batch` in benches/route.rs when present
# (size: the rule count in its label, `c1000-r10000`). The size of a
# `growth-*` benchmark is its criterion throughput in elements (contacts,
# rules, or contacts + rules). For each series it prints the median time per
# size and the growth exponent between consecutive sizes,
# log(t2/t1) / log(n2/n1): 1 is linear, 0 constant, 2 quadratic. An exponent
# above GROWTH_LIMIT (default 1.15; timings on a shared machine are noisy) is
# flagged SUPERLINEAR, and the script then exits 1.
#
# Needs python3. CRITERION_DIR overrides target/criterion.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--run" ]; then
  shift
  cargo bench --bench growth
fi

command -v python3 >/dev/null || {
  echo "growth: python3 is missing" >&2
  exit 2
}

python3 - "${CRITERION_DIR:-target/criterion}" "${GROWTH_LIMIT:-1.15}" <<'PY'
import json, math, re, sys
from pathlib import Path

root, limit = Path(sys.argv[1]), float(sys.argv[2])
series = {}
for bench in sorted(root.glob("*/**/new/benchmark.json")):
    meta = json.loads(bench.read_text())
    group = meta["group_id"]
    label = meta.get("value_str") or ""
    if group.startswith("growth-"):
        n = (meta.get("throughput") or {}).get("Elements")
    elif group == "route-batch":
        m = re.search(r"-r(\d+)$", label)
        n = int(m.group(1)) if m else None
    else:
        continue
    if n is None:
        continue
    estimates = json.loads((bench.parent / "estimates.json").read_text())
    median_ns = estimates["median"]["point_estimate"]
    name = f"{group}/{meta.get('function_id') or ''}"
    series.setdefault(name, []).append((n, label, median_ns))

if not series:
    sys.exit(f"growth: no growth-* results under {root}; run benches/growth.sh --run")

def show(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"

flagged = []
print(f"| series | size | median time | growth exponent | |")
print(f"|---|---|---|---|---|")
for name, points in sorted(series.items()):
    points.sort()
    previous = None
    for n, label, ns in points:
        exponent, verdict = "", ""
        if previous and previous[0] != n:
            exponent_value = math.log(ns / previous[1]) / math.log(n / previous[0])
            exponent = f"{exponent_value:.2f}"
            if exponent_value > limit:
                verdict = "SUPERLINEAR"
                flagged.append(f"{name} {previous[0]} -> {n}: {exponent}")
        print(f"| {name} | {label} | {show(ns)} | {exponent} | {verdict} |")
        previous = (n, ns)

if flagged:
    print(f"\ngrowth: above {limit}:", *flagged, sep="\n  ", file=sys.stderr)
    sys.exit(1)
PY
