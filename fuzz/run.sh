#!/usr/bin/env bash
# Runs every kubesim fuzz target for SECONDS each (default 60) after building the
# seed corpora; a short run (`fuzz/run.sh 10`) is a CI smoke test. Exits non-zero
# on the first crash, leaving the reproducer in fuzz/artifacts/TARGET/.
# Needs nightly and cargo-fuzz: `rustup toolchain install nightly`,
# `cargo install cargo-fuzz --locked`.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
targets="${TARGETS:-shell_line kubectl_args manifest_apply lesson_parse persist_restore}"
./corpus.sh
for t in $targets; do
  echo "== $t: ${seconds}s"
  # -rss_limit_mb: a run that allocates past this is a bug (the tab would die too).
  # -O: release without debug assertions, the same build as `cargo fuzz build -O`.
  status=0
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
    > "fuzz-$t.log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+== ERROR|SUMMARY|Test unit written)' "fuzz-$t.log" || true
  test "$status" -eq 0 || { echo "fuzz/run.sh: $t failed (fuzz/fuzz-$t.log)" >&2; exit 1; }
done
