"""The 10 x 10 sma_cross grid of `gauntlet sweep` in vectorbt, on the same Parquet file.

The grid: fast SMA 5, 10, ..., 50 against slow SMA 60, 80, ..., 240 (100 parameter sets), the
rules of benches/peers/vectorbt_sma_cross.py (strict crosses at the close, long-only, fill at the
next bar's open, all cash in, no fees), every set's Sharpe ratio and total return computed, as
`gauntlet sweep` computes them. The idiomatic vectorbt way: one indicator run per axis with the
parameters broadcast into 100 columns, one `Portfolio.from_signals` over all columns at once.

Usage: python vectorbt_sma_grid.py BARS.parquet [repeats] [chunk]
With `chunk`, the 100 sets run `chunk` at a time (all 100 at once needed more than the 24 GB
of the development machine, and was killed); the time of a repeat is the sum over its chunks.
Prints one line: sets, bars, median seconds, best set by Sharpe.
"""

import statistics
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
import vectorbt as vbt

FAST = list(range(5, 51, 5))
SLOW = list(range(60, 241, 20))


def run(close: pd.Series, open_: pd.Series, sets: list):
    fast_windows = [f for f, _ in sets]
    slow_windows = [s for _, s in sets]
    fast = vbt.MA.run(close, fast_windows, short_name="fast")
    slow = vbt.MA.run(close, slow_windows, short_name="slow")
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    # Decided at the close of bar t, filled at the open of bar t+1.
    pf = vbt.Portfolio.from_signals(
        close,
        entries.shift(1, fill_value=False),
        exits.shift(1, fill_value=False),
        price=open_,
        init_cash=100_000.0,
        fees=0.0,
        freq="1min",
    )
    return pf.sharpe_ratio(), pf.total_return()


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    grid = [(f, s) for f in FAST for s in SLOW]
    chunk = int(sys.argv[3]) if len(sys.argv) > 3 else len(grid)
    table = pq.read_table(path).to_pandas()
    close = pd.Series(table["close"].to_numpy(), index=pd.RangeIndex(len(table)))
    open_ = pd.Series(table["open"].to_numpy(), index=close.index)
    run(close.iloc[:2000], open_.iloc[:2000], grid)  # compile numba outside the timing
    times = []
    sharpe = None
    for _ in range(repeats):
        start = time.perf_counter()
        parts = [run(close, open_, grid[i : i + chunk])[0] for i in range(0, len(grid), chunk)]
        sharpe = pd.concat(parts)
        times.append(time.perf_counter() - start)
    best = sharpe.idxmax()
    print(
        f"vectorbt {vbt.__version__}: {len(sharpe)} sets x {len(close)} bars, median "
        f"{statistics.median(times):.3f} s over {repeats} (runs: "
        f"{', '.join(f'{t:.2f}' for t in times)}), best by Sharpe {best} "
        f"(Sharpe {sharpe[best]:.3f}), {chunk} sets at a time"
    )


if __name__ == "__main__":
    main()
