#!/usr/bin/env bash
# Cost of --events on a no-op run: N copy tasks (bench/Orchestrate.CopyBench, published ReadyToRun, framework-dependent),
# all up to date, run as a whole process without and with `--events FILE` (one JSON line per task, a skip event
# each). The two are run alternately, REPS times each; prints the medians and their ratio (target: <= 1.5x).
# Usage: bench/events.sh      (N=100000 tasks, REPS=5; NO_BUILD=1 runs the last build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

N="${N:-100000}"
REPS="${REPS:-5}"
BIN="$PWD/bench/Orchestrate.CopyBench/bin/publish-r2r/Orchestrate.CopyBench"
out="$(mktemp)"
tree="$(mktemp -d -t orchestrate-events-XXXXXX)"
trap 'rm -rf "$out" "$tree"' EXIT

if [[ "${NO_BUILD:-0}" == 1 ]]; then
  echo "== NO_BUILD=1: using the last build"
elif echo "== publishing Orchestrate.CopyBench (Release, linux-x64, ReadyToRun)" &&
  ! dotnet publish bench/Orchestrate.CopyBench -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o bench/Orchestrate.CopyBench/bin/publish-r2r -v quiet -nologo >"$out" 2>&1; then
  grep -E 'error' "$out" | sort -u >&2 || cat "$out" >&2
  echo "build failed (NO_BUILD=1 runs the last build)" >&2
  exit 1
fi

echo "== $N tasks in $tree; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$tree/src"
for ((i = 0; i < N; i++)); do echo "source file $i" >"$tree/src/f$i.txt"; done

run() { # seconds of one whole run, its output thrown away; fails loudly on a non-zero exit
  local start end
  start=$(date +%s.%N)
  if ! (cd "$tree" && "$BIN" "$N" "$@" >/dev/null 2>"$out"); then
    echo "run failed: $BIN $N $*" >&2
    tail -5 "$out" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "== first run (copies every file), then a warm-up no-op run"
run >/dev/null
run --events "$tree/events.jsonl" >/dev/null
plain=()
events=()
for ((r = 0; r < REPS; r++)); do
  plain+=("$(run)")
  events+=("$(run --events "$tree/events.jsonl")")
done
lines=$(wc -l <"$tree/events.jsonl")
if ((lines != N + 2)); then
  echo "the events file has $lines lines, expected $N skips + run-start + run-finish = $((N + 2))" >&2
  exit 1
fi

p=$(median "${plain[@]}")
e=$(median "${events[@]}")
printf 'no-op run, %d tasks:      %s s (runs: %s)\n' "$N" "$p" "${plain[*]}"
printf 'same with --events FILE:  %s s (runs: %s); file %s lines, %s bytes\n' "$e" "${events[*]}" "$lines" "$(stat -c %s "$tree/events.jsonl")"
printf 'ratio: %.2fx (target <= 1.5x); load average after: %s\n' "$(awk -v e="$e" -v p="$p" 'BEGIN { print e / p }')" "$(cut -d' ' -f1-3 /proc/loadavg)"
