#!/usr/bin/env bash
# Runs one fuzz target for a while with the settings used for the figures in
# fuzz/README.md, logging to fuzz/logs/TARGET.log.
#
#   fuzz/run.sh TARGET [SECONDS]     # default 600 (10 minutes)
#
# Works on a stable toolchain: RUSTC_BOOTSTRAP=1 lets it accept the -Z flags
# that cargo-fuzz passes. A crash leaves its input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-600}
mkdir -p logs "corpus/$target"
[ -n "$(ls -A corpus/load_toml 2>/dev/null)" ] || ./seed.sh
# -timeout: an input that takes 10 s is a hang, reported like a crash.
# The folder target's input is a list of files: long inputs from the start.
extra=()
[ "$target" = matrix_folder ] && extra=(-len_control=0)
RUSTC_BOOTSTRAP=1 nice -n 10 cargo fuzz run -O "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" \
  2>&1 | tee "logs/$target.log" | grep -E '^(#[0-9]+ +(DONE|pulse)|Done|==[0-9]+==|SUMMARY|stat::)|panicked|Test unit' || true
