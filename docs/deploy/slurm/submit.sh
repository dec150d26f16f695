#!/usr/bin/env bash
# Validates SPEC as a Slurm job array of N shards followed by their merge.
#
#   docs/deploy/slurm/submit.sh strategies/specs/sma_cross.toml 8 reports
#
# Run it from the repository's root on a login node whose file system the compute nodes share:
# the shards go to OUT/shards/, the reports to OUT/<spec>/. If a shard fails (exit 2 is a
# configuration error), the merge never starts: --kill-on-invalid-dep cancels it.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SPEC SHARDS [OUT]" >&2
  exit 2
fi
spec=$1
shards=$2
out=${3:-reports}
here=$(cd "$(dirname "$0")" && pwd)
# --parsable prints "jobid" or "jobid;cluster".
array=$(sbatch --parsable --array="1-$shards" \
  --export="ALL,SPEC=$spec,SHARDS=$shards,SHARDS_DIR=$out/shards" "$here/shard.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --export="ALL,SHARDS_DIR=$out/shards,REPORTS_DIR=$out" "$here/merge.sbatch")
echo "submitted shards as job array $array (1-$shards) and their merge as job ${merge%%;*}"
