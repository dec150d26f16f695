#!/usr/bin/env python3
"""Prints the constants of `crates/strategy/src/indicators/log.rs`: ln(1 + i/128) for i in
0..=128 as a double-double (hi, lo), and ln 2 split so that k * LN2_HI is exact for |k| < 2^11.

Computed in 60-digit decimal arithmetic (Python's `decimal`), then rounded to the nearest
double: the table depends on no platform's libm.  Run: python3 crates/strategy/tools/ln_table.py
"""
from decimal import Decimal, getcontext
import struct

getcontext().prec = 60


def bits(x: float) -> str:
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def split(v: Decimal):
    hi = float(v)  # correctly rounded
    lo = float(v - Decimal(hi))
    return hi, lo


ln2 = Decimal(2).ln()
# LN2_HI: ln 2 with its significand cut to 42 bits, so k * LN2_HI is exact for |k| < 2^11.
scale = Decimal(2) ** 42
hi = float(int(ln2 * scale) / scale)  # truncated to 42 fractional bits (ln 2 < 1)
lo = float(ln2 - Decimal(hi))
print(f"const LN2_HI: f64 = f64::from_bits({bits(hi)});")
print(f"const LN2_LO: f64 = f64::from_bits({bits(lo)});")
print("const LN_CENTRES: [(u64, u64); 129] = [")
for i in range(129):
    h, l = split((Decimal(1) + Decimal(i) / 128).ln())
    print(f"    ({bits(h)}, {bits(l)}),")
print("];")
