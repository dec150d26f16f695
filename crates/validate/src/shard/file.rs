//! The shard file: the magic line, the body's length, the body (CBOR) and its XXH3-128
//! checksum (see the format in the parent module's docs), written atomically and read back
//! with every way it can be damaged named.

use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use super::ShardResult;

/// The first bytes of every shard file.
pub const MAGIC: &[u8] = b"gauntlet shard v3\n";

/// The length of the checksum a shard file ends with.
const CHECKSUM: usize = 16;

/// Why a shard file cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ShardFileError {
    /// Reading or writing failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The file is not a shard file of this format.
    #[error("{path}: not a gauntlet shard file (it does not start with {expected:?})")]
    NotAShard {
        /// The file.
        path: PathBuf,
        /// The first line a shard file has.
        expected: String,
    },
    /// The file ends early.
    #[error("{path}: truncated: {found} bytes where the shard file needs {expected}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Its length.
        found: u64,
        /// The length its header announces.
        expected: u64,
    },
    /// The content does not hash to the checksum it ends with.
    #[error("{path}: fails its checksum (the file was changed or damaged after it was written)")]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The checksum holds but the content cannot be read.
    #[error("{path}: cannot decode the shard's content: {message}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
}

/// Writes `result` to `path` atomically (temporary file, sync, rename).
pub fn write(path: &Path, result: &ShardResult) -> Result<(), ShardFileError> {
    let io = |e: std::io::Error| ShardFileError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut body = Vec::new();
    ciborium::into_writer(result, &mut body).map_err(|e| io(std::io::Error::other(e)))?;
    let framed = seal(&body);
    gauntlet_data::atomic::write_file(path, |out| {
        use std::io::Write;
        out.write_all(&framed)
    })
    .map_err(io)
}

/// The bytes of a shard file around `body`: the magic line, the body's length, the body and
/// the checksum (how [`write`] frames a result's CBOR).
pub fn seal(body: &[u8]) -> Vec<u8> {
    let mut framed = MAGIC.to_vec();
    framed.extend_from_slice(&(body.len() as u64).to_le_bytes());
    framed.extend_from_slice(body);
    let sum = checksum(&[&framed]);
    framed.extend_from_slice(&sum);
    framed
}

/// The XXH3-128 checksum of `parts` in order, little-endian.
fn checksum(parts: &[&[u8]]) -> [u8; CHECKSUM] {
    let mut hash = Xxh3::new();
    for part in parts {
        hash.update(part);
    }
    hash.digest128().to_le_bytes()
}

/// Reads and checks the shard file at `path`.
pub fn read(path: &Path) -> Result<ShardResult, ShardFileError> {
    let bytes = std::fs::read(path).map_err(|e| ShardFileError::Io {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    decode(path, &bytes)
}

/// Checks and decodes the bytes of a shard file (`path` names it in errors).
pub fn decode(path: &Path, bytes: &[u8]) -> Result<ShardResult, ShardFileError> {
    let path = || path.to_path_buf();
    let prefix = MAGIC.len() + 8;
    if !bytes.starts_with(MAGIC) {
        return Err(ShardFileError::NotAShard {
            path: path(),
            expected: String::from_utf8_lossy(MAGIC).trim_end().to_string(),
        });
    }
    let found = bytes.len() as u64;
    let Some(length) = bytes.get(MAGIC.len()..prefix) else {
        return Err(ShardFileError::Truncated {
            path: path(),
            found,
            expected: (prefix + CHECKSUM) as u64,
        });
    };
    let mut le = [0_u8; 8];
    le.copy_from_slice(length);
    let expected = (prefix as u64)
        .saturating_add(u64::from_le_bytes(le))
        .saturating_add(CHECKSUM as u64);
    if found < expected {
        return Err(ShardFileError::Truncated {
            path: path(),
            found,
            expected,
        });
    }
    // `expected` ≤ `found`, so it fits a usize.
    let end = expected as usize - CHECKSUM;
    if found > expected || checksum(&[&bytes[..end]])[..] != bytes[end..] {
        return Err(ShardFileError::Checksum { path: path() });
    }
    ciborium::from_reader(&bytes[prefix..end]).map_err(|e| ShardFileError::Decode {
        path: path(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mean_variance::MeanVariance;
    use crate::shard::{ShardHeader, ShardId};
    use crate::workload::{CellResult, TestSummary};

    #[test]
    fn a_damaged_file_is_named_and_refused() {
        let result = ShardResult {
            header: ShardHeader {
                spec: "s".into(),
                spec_path: "s.toml".into(),
                plan: "p".into(),
                shard: ShardId { index: 1, count: 1 },
            },
            cells: vec![(
                0,
                CellResult::Test(TestSummary {
                    periods: 5000,
                    growth: 1.25,
                    returns: MeanVariance {
                        n: 5000.0,
                        mean: 1e-4,
                        m2: 0.3,
                    },
                    trades: 7,
                    finite: true,
                    // Long enough to fill the decoder's scratch buffer, as a real shard does.
                    blocks: (0..400)
                        .map(|b| {
                            let piece = MeanVariance {
                                n: 12.0,
                                mean: b as f64 * 1e-5,
                                m2: 1e-3,
                            };
                            (b, piece)
                        })
                        .collect(),
                }),
            )],
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shard-1-of-1.gshard");
        write(&path, &result).expect("write");
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(decode(&path, &bytes).expect("decode"), result);
        let cut = decode(&path, &bytes[..bytes.len() - 5]).expect_err("truncated");
        assert!(matches!(cut, ShardFileError::Truncated { .. }), "{cut}");
        let mut flipped = bytes.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        let bad = decode(&path, &flipped).expect_err("flipped");
        assert!(matches!(bad, ShardFileError::Checksum { .. }), "{bad}");
        let other = decode(&path, b"id,close\n").expect_err("not a shard");
        assert!(matches!(other, ShardFileError::NotAShard { .. }), "{other}");
    }
}
