#!/usr/bin/env bash
# Side by side: `escalate route` against Prometheus Alertmanager's
# `amtool config routes test`, the closest offline peer (a routing tree in a
# config file, asked which receiver a set of labels goes to).
#
#   benches/compare_amtool.sh [ROUTES] [CASES]      # defaults: 1000 100
#
# Generates, in target/compare-amtool/:
#   - alertmanager.yml: ROUTES child routes under the root, route i matching
#     the one label service="svcNNNN" and sending to receiver team-NNNN;
#   - matrix/: the equivalent matrix, ROUTES rules, rule i matching the one
#     phrase "svcNNNN" and handing the incident to team-NNNN;
#   - cases: CASES services spread over the routes, as amtool label sets and
#     as escalate --batch JSON Lines.
# It first checks that both tools route every case to the same team, then
# times whole processes with hyperfine:
#   - one case: one amtool process against one `escalate route` process;
#   - CASES cases: CASES amtool processes (amtool takes one label set per
#     run) against one `escalate route --batch` process.
# and prints the ratios (escalate time / amtool time). escalate keeps parsed
# matrices in a cache (here target/compare-amtool/cache): the warm-up runs
# fill it, so "1 case" is a cache hit; "1 case, --no-cache" parses the
# files every time, as the first run after a change does. Needs amtool
# (Debian: prometheus-alertmanager), hyperfine and python3; run
#   apt-get install -y prometheus-alertmanager hyperfine
# first. Re-runnable: everything generated is rewritten.
set -euo pipefail
cd "$(dirname "$0")/.."

routes=${1:-1000}
cases=${2:-100}
runs=${RUNS:-30}
out=target/compare-amtool
mkdir -p "$out"

for tool in amtool hyperfine python3; do
  command -v "$tool" >/dev/null || {
    echo "compare_amtool: $tool is missing (apt-get install -y prometheus-alertmanager hyperfine python3)" >&2
    exit 2
  }
done

cargo build --release --quiet
escalate=$PWD/target/release/escalate

python3 - "$out" "$routes" "$cases" <<'PY'
import json, os, shutil, sys
out, routes, cases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ids = [f"{i:04d}" for i in range(1, routes + 1)]

# Alertmanager: a root route and one child route per service.
with open(f"{out}/alertmanager.yml", "w") as f:
    f.write("route:\n  receiver: default\n  routes:\n")
    for i in ids:
        f.write(f"    - receiver: team-{i}\n      matchers: ['service=\"svc{i}\"']\n")
    f.write("receivers:\n  - name: default\n")
    for i in ids:
        f.write(f"  - name: team-{i}\n")

# The same as a matrix: one rule per service, each naming the team.
m = f"{out}/matrix"
shutil.rmtree(m, ignore_errors=True)
os.makedirs(m)
with open(f"{m}/manifest.toml", "w") as f:
    f.write('''[manifest]
name = "amtool comparison"
version = "1.0.0"
owner = "default-team"
sponsor = "default-team"
time_zone = "UTC"
review_every = "3650d"
last_reviewed = "2026-01-01"

[[severity]]
id = "sev1"
name = "Severity 1"
rank = 1

[severity.targets]
acknowledge = "15m"
assess = "1h"
resolve = "4h"
update_every = "30m"

[[tier]]
id = "tier1"
name = "Tier 1"
owner = "default-team"
backup = "backup-person"

[fallback]
tier = "tier1"
severity = "sev1"

[[team]]
id = "default-team"
name = "Default team"
verified = "2026-01-01"

[team.channels]
email = "default@example.org"

[[contact]]
id = "backup-person"
name = "Backup person"
team = "default-team"
verified = "2026-01-01"

[contact.channels]
email = "backup@example.org"
''')
with open(f"{m}/teams.toml", "w") as f:
    for i in ids:
        f.write(f'[[team]]\nid = "team-{i}"\nname = "Team {i}"\nverified = "2026-01-01"\n\n'
                f'[team.channels]\nemail = "team-{i}@example.org"\n\n')
with open(f"{m}/rules.toml", "w") as f:
    for i in ids:
        f.write(f'[[rule]]\nid = "svc{i}"\nsummary = "Service {i}."\nwhen.any = ["svc{i}"]\n'
                f'then.tier = "tier1"\nthen.owner = "team-{i}"\n\n')

# Cases spread over the routes (first, last and in between).
picked = [ids[(k * (routes - 1)) // max(cases - 1, 1)] for k in range(cases)]
with open(f"{out}/cases.txt", "w") as f:
    for i in picked:
        f.write(f"{i}\n")
with open(f"{out}/cases.jsonl", "w") as f:
    for k, i in enumerate(picked):
        f.write(json.dumps({"id": f"case-{k}", "description": f"svc{i} is down"}) + "\n")
PY

export ESCALATE_NOW=2026-06-01T12:00:00Z
export XDG_CACHE_HOME=$PWD/$out/cache
unset ESCALATE_NO_CACHE
am=(amtool config routes test --config.file="$out/alertmanager.yml")

# Both tools must agree on every case before their times mean anything.
"$escalate" validate --matrix "$out/matrix" >/dev/null
"$escalate" route --matrix "$out/matrix" --batch "$out/cases.jsonl" --at 2026-06-01T10:00:00Z \
  | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(r["owner"]["id"])' >"$out/escalate.txt"
while read -r i; do
  "${am[@]}" "service=svc$i" 2>/dev/null
done <"$out/cases.txt" >"$out/amtool.txt"
if ! diff -q "$out/escalate.txt" "$out/amtool.txt" >/dev/null; then
  echo "compare_amtool: the two tools route differently:" >&2
  diff "$out/escalate.txt" "$out/amtool.txt" | head >&2
  exit 1
fi
echo "both tools route all $cases cases to the same team ($routes routes)"

# amtool warns on stderr that --config.file overrides --alertmanager.url.
mid=$(sed -n "$(((cases + 1) / 2))p" "$out/cases.txt")
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$out/one.json" \
  -n "amtool, 1 case" "amtool config routes test --config.file=$out/alertmanager.yml service=svc$mid 2>/dev/null" \
  -n "escalate, 1 case" "$escalate route --matrix $out/matrix --format json --at 2026-06-01T10:00:00Z 'svc$mid is down'" \
  -n "escalate, 1 case, --no-cache" "$escalate route --no-cache --matrix $out/matrix --format json --at 2026-06-01T10:00:00Z 'svc$mid is down'"

hyperfine --style basic --warmup 1 --runs "$(( runs > 10 ? 10 : runs ))" --export-json "$out/many.json" \
  -n "amtool, $cases cases ($cases processes)" \
  "while read -r i; do amtool config routes test --config.file=$out/alertmanager.yml service=svc\$i; done <$out/cases.txt >/dev/null 2>&1" \
  -n "escalate, $cases cases (1 process, --batch)" \
  "$escalate route --matrix $out/matrix --batch $out/cases.jsonl --at 2026-06-01T10:00:00Z >/dev/null"

python3 - "$out" "$routes" "$cases" <<'PY'
import json, sys
out, routes, cases = sys.argv[1], sys.argv[2], sys.argv[3]
def means(name):
    results = json.load(open(f"{out}/{name}.json"))["results"]
    return [(r["command"], r["mean"], r["stddev"]) for r in results]
print()
print(f"| {routes} routes | amtool | escalate | escalate / amtool |")
print("|---|---|---|---|")
one = means("one")
rows = [("1 case", one[0], one[1], 0.3), ("1 case, --no-cache", one[0], one[2], None)]
many = means("many")
rows.append((f"{cases} cases", many[0], many[1], None))
for label, (_, am, am_sd), (_, es, es_sd), target in rows:
    ratio = es / am
    verdict = "" if target is None else (" (target <= 0.3: met)" if ratio <= target else " (target <= 0.3: NOT met)")
    print(f"| {label} | {am*1000:.1f} ms ± {am_sd*1000:.1f} | {es*1000:.1f} ms ± {es_sd*1000:.1f} | {ratio:.2f}{verdict} |")
PY
