#!/usr/bin/env bash
# Fuzzes lakestack's text parsers: every target in fuzz/ (or those named) for a
# bounded time each, one after another; exits non-zero if any target crashed
# (a panic, a stack overflow, a timeout or running out of memory). Not run in CI.
#
#   bench/fuzz.sh                 # 60 s per target
#   FUZZ_SECONDS=20 bench/fuzz.sh glue_expr sfn_path
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). The toolchain is
# stable: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags. No sanitizer:
# the code under test forbids `unsafe`, and ASan would double build and run
# times on two cores. Seeds come from fuzz/corpus/<target> (kept small and
# committed); what the fuzzer finds goes to fuzz/corpus-run/<target>, crash
# inputs to fuzz/artifacts/<target>/ (both ignored by git).
set -uo pipefail

secs="${FUZZ_SECONDS:-60}"
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build --sanitizer none || exit 2

failed=()
for t in "${targets[@]}"; do
    mkdir -p "corpus-run/$t" "artifacts/$t"
    echo "== $t (${secs}s)"
    # The first corpus directory receives new inputs; the committed seeds stay as they are.
    if ! cargo fuzz run --sanitizer none "$t" "corpus-run/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=8192 \
        -print_final_stats=1 2>"artifacts/$t/last.log"; then
        failed+=("$t")
        grep -E "^(==[0-9]+==|thread '|SUMMARY|artifact_prefix|Test unit written)" "artifacts/$t/last.log" | head -20
    else
        grep -E "^stat::(number_of_executed_units|new_units_added)" "artifacts/$t/last.log"
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/<target>/, logs in fuzz/artifacts/<target>/last.log)" >&2
    exit 1
fi
echo "no crashes in ${#targets[@]} targets"
