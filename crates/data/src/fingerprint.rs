//! The data fingerprint: SHA-256 over the canonical columns of a series.
//!
//! What is hashed, in order: the tag `gauntlet-bars-v1`, the number of bars as u64
//! little-endian, then each column whole (`ts` as i64, then `open, high, low, close, volume` as
//! f64 bit patterns), every value little-endian. The symbol name and the file's layout (column
//! order, aliases, date format, CSV or Parquet) are deliberately left out: the same bars give the
//! same fingerprint whatever file they came from.

use sha2::{Digest, Sha256};

use crate::BarSeries;

/// SHA-256 over the canonical columns of `bars`, as 64 lowercase hex digits.
pub fn fingerprint_hex(bars: &BarSeries) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"gauntlet-bars-v1");
    hasher.update((bars.len() as u64).to_le_bytes());
    // Feeding the hasher 8 bytes at a time costs more than the hashing itself; batch the bytes.
    let mut buffer = Vec::with_capacity(BUFFER_BYTES);
    let mut feed = |bytes: [u8; 8], buffer: &mut Vec<u8>| {
        buffer.extend_from_slice(&bytes);
        if buffer.len() >= BUFFER_BYTES {
            hasher.update(&buffer[..]);
            buffer.clear();
        }
    };
    for ts in bars.ts() {
        feed(ts.to_le_bytes(), &mut buffer);
    }
    for column in [
        bars.open(),
        bars.high(),
        bars.low(),
        bars.close(),
        bars.volume(),
    ] {
        for value in column {
            feed(value.to_le_bytes(), &mut buffer);
        }
    }
    hasher.update(&buffer);
    let digest = hasher.finalize();
    hex::encode(digest)
}

const BUFFER_BYTES: usize = 64 * 1024;
