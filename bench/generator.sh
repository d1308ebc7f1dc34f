#!/usr/bin/env bash
# Source generator: 2,000 [Task] methods in 20 files; first run (cold and warm) and an edit inside one method body,
# timed by the generator driver; the C# compiler's GetDiagnostics() on the same source for scale.
# NO_BUILD=1 skips the build and runs the last Release build.
# Usage: bench/generator.sh            (REPS=5 EDITS=21 to change repetitions; STEPS=1 for a per-step breakdown)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPS="${REPS:-5}"
EDITS="${EDITS:-21}"
STEPS="${STEPS:-0}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

source bench/build-bench.sh

echo "== generator: 2000 tasks in 20 files"
bench/Orchestrate.Bench/bin/Release/net10.0/Orchestrate.Bench generator \
  --tasks 2000 --files 20 --warmup 3 --reps "$REPS" --edits "$EDITS" --steps "$STEPS" | tee "$out" | grep -v '^RESULT'

echo "== summary (medians; 'best' is the fastest sample, less sensitive to other load on the machine)"
awk '
  $1 == "RESULT" { v[$2] = $3 }
  END {
    first = v["generator.first_run.ms"]; edit = v["generator.edit.ms"]; cold = v["generator.first_run_cold.ms"]; csc = v["generator.compiler_diagnostics.ms"]
    printf "generator first run: %.0f ms (target <= 200, %s; best %.0f), cold (JIT included) %.0f ms, compiler GetDiagnostics %.0f ms, ratio generator/compiler %.2f\n", first, (first <= 200 ? "met" : "MISSED"), v["generator.first_run_min.ms"], cold, csc, first / csc
    printf "generator edit: %.1f ms (target <= 20, %s; best %.1f), compiler GetDiagnostics %.0f ms, ratio generator/compiler %.3f\n", edit, (edit <= 20 ? "met" : "MISSED"), v["generator.edit_min.ms"], csc, edit / csc
  }' "$out"
