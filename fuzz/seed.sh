#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs taken from the repository:
# the shipped matrix, the YAML example, every diagnostics fixture and the
# minimal matrices. Re-runnable; libFuzzer adds what it finds next to them.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/load_toml corpus/load_yaml corpus/matrix_folder corpus/route corpus/calendar
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1)); cp "$f" "corpus/load_toml/seed-$n"
done < <(find "$root/matrix" "$root/tests/fixtures" "$root/examples" -name '*.toml' -print0 | sort -z)
while IFS= read -r -d '' f; do
  n=$((n + 1)); cp "$f" "corpus/load_yaml/seed-$n"
done < <(find "$root/tests/fixtures" "$root/examples" -name '*.yaml' -print0 | sort -z)
# Route and calendar take structured input (arbitrary); descriptions from the
# routing suite still make useful starting bytes.
if [ -f "$root/tests/data/incidents-dev.jsonl" ]; then
  i=0
  while IFS= read -r line; do
    i=$((i + 1)); printf '%s' "$line" > "corpus/route/seed-$i"
    [ "$i" -ge 200 ] && break
  done < "$root/tests/data/incidents-dev.jsonl"
fi
echo "seeded: $(ls corpus/load_toml | wc -l) TOML, $(ls corpus/load_yaml | wc -l) YAML, $(ls corpus/route | wc -l) route"
