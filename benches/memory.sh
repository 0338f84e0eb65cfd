#!/usr/bin/env bash
# Peak memory (maximum resident set size) of `escalate validate` and
# `escalate route` on the largest generated matrix, against a 64 MiB budget.
#
#   benches/memory.sh [CONTACTS] [RULES]        # defaults: 50000 10000
#
# Generates the matrix with the gen_matrix example (TOML, and the same in
# YAML), then runs each command under GNU time (`/usr/bin/time -v`, Debian
# package `time`) and prints a table. Exits 1 when a command goes over the
# budget. Re-runnable: the generated folders are rewritten.
set -euo pipefail
cd "$(dirname "$0")/.."

contacts=${1:-50000}
rules=${2:-10000}
budget_kib=$((64 * 1024))

[ -x /usr/bin/time ] || {
  echo "memory: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 2
}

cargo build --release --quiet
cargo run --release --quiet --example gen_matrix -- --contacts "$contacts" --rules "$rules" >/dev/null
cargo run --release --quiet --example gen_matrix -- --contacts "$contacts" --rules "$rules" --format yaml >/dev/null
escalate=target/release/escalate
toml=target/generated/c$contacts-r$rules
yaml=$toml-yaml
batch=target/generated/memory-batch.jsonl
python3 -c '
import json
for i in range(1000):
    print(json.dumps({"id": f"m{i}", "description": f"Flow {i} failed and the connector times out; personal data may be exposed"}))
' >"$batch"

export ESCALATE_NOW=2026-12-03T12:00:00Z
over=0
printf '| command | matrix | peak RSS | budget 64 MiB |\n|---|---|---|---|\n'
measure() {
  local label=$1 matrix=$2
  shift 2
  local log
  log=$(mktemp)
  # Exit code 1 (findings, e.g. warnings with --deny-warnings) is fine here.
  /usr/bin/time -v "$escalate" "$@" >/dev/null 2>"$log" || true
  local kib
  kib=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$log")
  rm -f "$log"
  local verdict=within
  if [ "$kib" -gt "$budget_kib" ]; then
    verdict=OVER
    over=1
  fi
  printf '| %s | %s | %.1f MiB | %s |\n' "$label" "$matrix" "$(echo "$kib / 1024" | bc -l)" "$verdict"
}
size=$(du -sh "$toml" | cut -f1)
measure "validate" "TOML, $size" validate --matrix "$toml"
measure "route (one description)" "TOML, $size" route --matrix "$toml" --format json --at 2026-12-03T10:00:00Z \
  "Flow failed and the connector times out; personal data may be exposed"
measure "route --batch (1,000 descriptions)" "TOML, $size" route --matrix "$toml" --batch "$batch" --at 2026-12-03T10:00:00Z
size=$(du -sh "$yaml" | cut -f1)
measure "validate" "YAML, $size" validate --matrix "$yaml"
measure "route (one description)" "YAML, $size" route --matrix "$yaml" --format json --at 2026-12-03T10:00:00Z \
  "Flow failed and the connector times out; personal data may be exposed"
exit "$over"
