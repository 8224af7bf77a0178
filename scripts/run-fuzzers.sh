#!/usr/bin/env bash
# make fuzz: each libFuzzer harness of the sanitizer build for SECONDS, from the committed corpus
# (fuzz/corpus/<target>) and what earlier runs found (BUILD/fuzz-work/<target>, kept between runs).
# A crash leaves its input in BUILD/fuzz-found/ and stops with exit 1: turn it into a regression
# (fuzz/regressions/<target>/) once fixed. One summary line per target.
#   scripts/run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]
set -uo pipefail
build=${1:?build folder}
seconds=${2:?seconds per target}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^set(ATRIUM_FUZZ_TARGETS \(.*\))$/\1/p' "$root/fuzz/CMakeLists.txt"))
fi
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$build/fuzz-work/$t" "$build/fuzz-found"
  inputs=("$build/fuzz-work/$t" "$root/fuzz/corpus/$t")
  [ -d "$root/fuzz/regressions/$t" ] && inputs+=("$root/fuzz/regressions/$t")
  log="$build/fuzz-work/$t.log"
  start=$(date +%s)
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} LSAN_OPTIONS=suppressions=$root/fuzz/lsan.supp "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -timeout=30 -print_final_stats=1 -artifact_prefix="$build/fuzz-found/$t-" "${inputs[@]}" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  files=$(ls "$build/fuzz-work/$t" | wc -l)
  if [ $rc -ne 0 ]; then
    failed=1
    echo "fuzz $t: FOUND SOMETHING after $(( $(date +%s) - start )) s (exit $rc): $(ls -t "$build"/fuzz-found/$t-* 2>/dev/null | head -1); log: $log"
  else
    echo "fuzz $t: $(( $(date +%s) - start )) s, ${execs:-?} inputs run, ${cov:-cov: ?} edges, $files new corpus files, nothing found"
  fi
done
exit $failed
