#!/usr/bin/env bash
# Validates SPEC as N shards run side by side on this machine, then merges them: the same
# report.json as `gauntlet validate SPEC`, byte for byte.
#
#   docs/deploy/parallel.sh strategies/specs/sma_cross.toml 4 reports
#
# Uses GNU parallel when it is installed (it stops the other shards as soon as one fails),
# otherwise xargs -P. Each shard gets one thread; as many shards run at once as there are cores.
# Exits as the merge does: 0 every spec passed its gate, 1 one failed, 2 an error.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SPEC SHARDS [OUT]" >&2
  exit 2
fi
spec=$1
shards=$2
out=${3:-reports}
gauntlet=${GAUNTLET:-gauntlet}
jobs=$(nproc)
mkdir -p "$out/shards"
if command -v parallel > /dev/null; then
  seq 1 "$shards" | parallel --will-cite --jobs "$jobs" --halt now,fail=1 \
    "$gauntlet" validate "$spec" --shard "{}/$shards" --threads 1 --quiet --out "$out/shards"
else
  seq 1 "$shards" | xargs -P "$jobs" -I{} \
    "$gauntlet" validate "$spec" --shard "{}/$shards" --threads 1 --quiet --out "$out/shards"
fi
exec "$gauntlet" merge "$out/shards" --out "$out"
