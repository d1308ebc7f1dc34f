# Sourced by the benchmark scripts: builds bench/Orchestrate.Bench in Release (NO_BUILD=1 reuses the last
# build), writing the build log to "$out", which the caller has created.
if [[ "${NO_BUILD:-0}" == 1 ]]; then
  echo "== NO_BUILD=1: using the bench as last built"
elif echo "== building bench (Release)" && ! dotnet build bench/Orchestrate.Bench/Orchestrate.Bench.csproj -c Release -v quiet -nologo >"$out" 2>&1; then
  grep -E 'error' "$out" | sort -u >&2 || cat "$out" >&2
  echo "bench build failed (NO_BUILD=1 runs the last build)" >&2
  exit 1
fi
: >"$out"
