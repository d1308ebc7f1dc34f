#!/usr/bin/env bash
# Incremental runs, whole process from the command line: N copy tasks (one file dep, one target each) in
# Orchestrate (bench/Orchestrate.CopyBench, published self-contained with one composite ReadyToRun image of the
# framework and the program, the framework trimmed to what is used, without ICU: see "Fast start" in the README;
# PUBLISH=r2r: framework-dependent ReadyToRun, untrimmed) and the same graph as a
# generated dodo.py in doit (python3-doit, dbm backend): first run, no-op run, run after one changed file
# (the no-op and one-changed runs alternate, so that their ratio compares runs of the same minute).
# Also a .NET hello world published the same way (the floor) and, at N=10,000, `dotnet <dll>` of the plain
# Release build (what ReadyToRun buys). NO_BUILD=1 skips the builds and runs the last ones.
# Usage: bench/incremental.sh      (NS="1000 10000" to pick task counts; SKIP_DOIT_100K=1 skips doit at 100,000;
#                                   REPS=5 BIG_REPS=3 repetitions of the no-op and one-changed runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NS="${NS:-1000 10000 100000}"
REPS="${REPS:-5}"
BIG_REPS="${BIG_REPS:-3}"
PUBLISH="${PUBLISH:-composite}"
R2R=bench/Orchestrate.CopyBench/bin/publish-$PUBLISH
HELLO=bench/HelloWorld/bin/publish-$PUBLISH
DLL=bench/Orchestrate.CopyBench/bin/Release/net10.0/Orchestrate.CopyBench.dll
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

publish() { # project output
  rm -rf "$2" # what an earlier publish of another kind left there must not be run
  if [[ "$PUBLISH" == composite ]]; then
    # Its own intermediate and output directories: a composite publish's ReadyToRun files must not be taken up by another kind.
    dotnet publish "$1" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
      -p:IntermediateOutputPath=obj/composite/ -p:OutputPath=bin/composite/ -o "$2" -v quiet -nologo >"$out" 2>&1
  else
    dotnet publish "$1" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$2" -v quiet -nologo >"$out" 2>&1
  fi
}
if [[ "${NO_BUILD:-0}" == 1 ]]; then
  echo "== NO_BUILD=1: using the last builds"
else
  echo "== publishing Orchestrate.CopyBench and HelloWorld (Release, linux-x64, $([[ "$PUBLISH" == composite ]] && echo "self-contained, composite ReadyToRun" || echo "ReadyToRun, framework-dependent"))"
  for step in "publish bench/Orchestrate.CopyBench $R2R" "publish bench/HelloWorld $HELLO" \
              "dotnet build bench/Orchestrate.CopyBench -c Release -v quiet -nologo"; do
    if ! $step >"$out" 2>&1; then
      grep -E 'error' "$out" | sort -u >&2 || cat "$out" >&2
      echo "build failed: $step (NO_BUILD=1 runs the last builds)" >&2
      exit 1
    fi
  done
fi

# doit runs on the system Python (the default python3 may be a pyenv one without the Debian package).
PY=/usr/bin/python3
if ! "$PY" -c 'import doit' 2>/dev/null; then
  echo "== installing python3-doit"
  apt-get install -y python3-doit >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y python3-doit >/dev/null 2>&1; } || {
    echo "could not install python3-doit with apt-get" >&2
    exit 1
  }
fi

skip=()
[[ "${SKIP_DOIT_100K:-0}" == 1 ]] && skip=(--skip-doit-100k)
echo "== N = $NS; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" bench/incremental.py --bin "$PWD/$R2R/Orchestrate.CopyBench" --hello "$PWD/$HELLO/HelloWorld" --dll "$PWD/$DLL" \
  --ns "$NS" --reps "$REPS" --big-reps "$BIG_REPS" "${skip[@]}" | grep --line-buffered -v '^RESULT'
