#!/usr/bin/env bash
# Issue 4's grid benchmark side by side, in one run, on the same 1M-bar Parquet file: the
# 10 x 10 sma_cross grid through `gauntlet sweep` end to end (two threads, then one), and the
# same grid in vectorbt, interleaved round by round so that both see the same machine. Prints
# every time, the medians, peak memory, and the ratios. Results go in benches/README.md.
#
# Needs: a Python with vectorbt and pyarrow (PYTHON=..., default python3), and GNU time.
# ROUNDS=3 by default; each round runs gauntlet 3 times per thread count and vectorbt once.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
ROUNDS="${ROUNDS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gauntlet/target}"
work="${WORK:-$CARGO_TARGET_DIR/compare}"
mkdir -p "$work"
bars="$work/bars1m.parquet"

cargo build --release --quiet -p gauntlet
gauntlet="$CARGO_TARGET_DIR/release/gauntlet"
[ -f "$bars" ] || "$gauntlet" synth --bars 1000000 --seed 42 --interval minute --out "$bars"

times="$work/grid_times.txt"
: >"$times"
: >"$work/vectorbt_lines.txt"
sweep() {
  /usr/bin/time -f "gauntlet-$1 %e %M" -a -o "$times" "$gauntlet" sweep --strategy sma_cross \
    --data "$bars" --grid fast=5:50:5 --grid slow=60:240:20 --threads "$1" --quiet \
    --out "$work/sweep$1" >/dev/null
}
for round in $(seq "$ROUNDS"); do
  echo "== round $round"
  for _ in 1 2 3; do sweep 2; sweep 1; done
  /usr/bin/time -f "vectorbt %e %M" -a -o "$times" "$PYTHON" benches/peers/vectorbt_sma_grid.py \
    "$bars" 1 20 | tee -a "$work/vectorbt_lines.txt"
done
cmp "$work/sweep1/trials.csv" "$work/sweep2/trials.csv" && echo "one thread and two: identical trials.csv"

# vectorbt's own timing (the grid, without Python's start-up and the file read) is the figure
# compared; the wall-clock line of `time` is kept beside it.
"$PYTHON" - "$times" "$work/vectorbt_lines.txt" <<'EOF'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, seconds, kb = line.split()
    runs.setdefault(name, []).append((float(seconds), int(kb)))
vbt = [float(re.search(r"median ([0-9.]+) s", l).group(1)) for l in open(sys.argv[2])]
for name, values in sorted(runs.items()):
    secs = [s for s, _ in values]
    print(f"{name:12} median {statistics.median(secs):6.2f} s  range {min(secs):.2f}-{max(secs):.2f} s"
          f"  peak {max(k for _, k in values) / 1024:.0f} MB  ({len(secs)} runs)")
print(f"vectorbt grid (own timing) median {statistics.median(vbt):.2f} s ({', '.join(f'{v:.1f}' for v in vbt)})")
two = statistics.median(s for s, _ in runs["gauntlet-2"])
one = statistics.median(s for s, _ in runs["gauntlet-1"])
print(f"gauntlet (2 threads) is {statistics.median(vbt) / two:.1f}x faster than vectorbt "
      f"(the issue's bar: 19 s against 1 s, 19x); two threads {one / two:.2f}x one")
EOF
