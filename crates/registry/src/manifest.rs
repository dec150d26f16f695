//! The approvals manifest: a JSON file whose entries (approvals and revocations) form a hash
//! chain. It is only ever appended to, and written whole and atomically (temporary file, fsync,
//! rename), so a crash leaves the old manifest or the new one, never half of one. Writers
//! take the manifest's lock ([`crate::lock`]) and check, under it, that the entries they read
//! are still the file's, so that no entry is ever written over another's.
//!
//! ```json
//! { "format": "gauntlet-approvals/1",
//!   "entries": [ { "seq": 1, "kind": "approval", ..., "prev_sha256": "00..", "sha256": ".." } ] }
//! ```

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::approval::Approval;
use crate::chain::{ChainBreak, ChainHead, ChainVerifier, HASH_KEY, PREV_KEY, SEQ_KEY};
use crate::lock::{ManifestLock, lock_path};

/// The `format` of the manifests this build reads and writes.
pub const FORMAT: &str = "gauntlet-approvals/1";

/// One entry's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A strategy approved.
    Approval(Box<Approval>),
    /// An approval withdrawn.
    Revocation(Revocation),
}

/// The withdrawal of an approval; the approval stays in the chain, marked by this entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The seq of the approval withdrawn.
    pub approval: u64,
    /// Who withdrew it.
    pub revoked_by: String,
    /// When (UTC, RFC 3339).
    pub revoked_at: String,
    /// Why.
    pub reason: String,
}

/// An entry of the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its sequence number.
    pub seq: u64,
    /// Its hash.
    pub sha256: String,
    /// What it records.
    pub record: Record,
}

/// Why a manifest cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Cannot be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's words.
        message: String,
    },
    /// Not a manifest of this format.
    #[error("{path}: not a gauntlet approvals manifest: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The hash chain is broken.
    #[error("{path}: the approvals chain is broken: {brk}; the manifest was edited by hand")]
    Broken {
        /// The file.
        path: PathBuf,
        /// Where and how.
        brk: ChainBreak,
    },
    /// No such entry, or not the kind asked for.
    #[error("{path}: {message}")]
    NoEntry {
        /// The file.
        path: PathBuf,
        /// What was asked for and what there is.
        message: String,
    },
    /// Another writer added entries after these were read: nothing was written.
    #[error(
        "{path}: another promote or revoke wrote entry {on_disk} after this one read up to \
         entry {read}: nothing written; run the command again"
    )]
    Changed {
        /// The file.
        path: PathBuf,
        /// The last seq this writer read.
        read: u64,
        /// The last seq in the file now.
        on_disk: u64,
    },
}

/// The manifest, read and its chain checked.
#[derive(Debug, Clone)]
pub struct Manifest {
    path: PathBuf,
    /// The entries as written (their hashes cover exactly these values).
    raw: Vec<Value>,
    entries: Vec<Entry>,
    head: ChainHead,
    /// The writers' lock, when opened with [`Manifest::open_for_update`].
    lock: Option<Arc<ManifestLock>>,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    entries: Vec<Value>,
}

/// Whether an approval stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// In force.
    Active,
    /// Withdrawn.
    Revoked(Revocation),
}

impl fmt::Display for Standing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Standing::Active => write!(f, "active"),
            Standing::Revoked(r) => write!(
                f,
                "revoked by {} at {}: {}",
                r.revoked_by, r.revoked_at, r.reason
            ),
        }
    }
}

impl Manifest {
    /// Reads `path`; a file that does not exist is an empty manifest (the first `promote`
    /// creates it). The chain is checked: an edit by hand is an error.
    pub fn open(path: &Path) -> Result<Manifest, ManifestError> {
        let empty = Manifest {
            path: path.to_path_buf(),
            raw: Vec::new(),
            entries: Vec::new(),
            head: ChainHead::default(),
            lock: None,
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(empty),
            Err(e) => return Err(io_error(path, e)),
        };
        Manifest::parse(&bytes, path)
    }

    /// Reads a manifest from `bytes` (from `path`, for messages).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Manifest, ManifestError> {
        let malformed = |message: String| ManifestError::Malformed {
            path: path.to_path_buf(),
            message,
        };
        let file: File = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        if file.format != FORMAT {
            return Err(malformed(format!(
                "format '{}', this gauntlet reads '{FORMAT}'",
                file.format
            )));
        }
        let mut verifier = ChainVerifier::new();
        for entry in &file.entries {
            verifier.push(Ok(entry));
        }
        let head = verifier.finish().map_err(|brk| ManifestError::Broken {
            path: path.to_path_buf(),
            brk,
        })?;
        let mut entries = Vec::with_capacity(file.entries.len());
        for (i, value) in file.entries.iter().enumerate() {
            let mut body = value.as_object().cloned().unwrap_or_default();
            let seq = body.get(SEQ_KEY).and_then(Value::as_u64).unwrap_or(0);
            let sha256 = body
                .get(HASH_KEY)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            for key in [SEQ_KEY, PREV_KEY, HASH_KEY] {
                body.remove(key);
            }
            let record: Record = serde_json::from_value(Value::Object(body))
                .map_err(|e| malformed(format!("entry {} (seq {seq}): {e}", i + 1)))?;
            entries.push(Entry {
                seq,
                sha256,
                record,
            });
        }
        Ok(Manifest {
            path: path.to_path_buf(),
            raw: file.entries,
            entries,
            head,
            lock: None,
        })
    }

    /// Takes the manifest's writers' lock (waiting while another `promote` or `revoke` holds
    /// it), then reads `path` as [`Manifest::open`] does. The lock is held until the manifest
    /// is dropped, so that what is decided from its entries (is this report approved already?
    /// is that approval still in force?) still holds when the new entry is written.
    pub fn open_for_update(path: &Path) -> Result<Manifest, ManifestError> {
        let lock = ManifestLock::acquire(path).map_err(|e| io_error(&lock_path(path), e))?;
        let mut manifest = Manifest::open(path)?;
        manifest.lock = Some(Arc::new(lock));
        Ok(manifest)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every entry, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry `seq`. (The chain makes entry `seq` the `seq`-th, but a lookup does not
    /// lean on that.)
    pub fn entry(&self, seq: u64) -> Option<&Entry> {
        self.position(seq).map(|i| &self.entries[i])
    }

    fn position(&self, seq: u64) -> Option<usize> {
        self.entries.iter().position(|e| e.seq == seq)
    }

    /// The entry `seq`, as written (with its hashes).
    pub fn raw(&self, seq: u64) -> Option<&Value> {
        self.position(seq).map(|i| &self.raw[i])
    }

    /// The approval `seq`.
    pub fn approval(&self, seq: u64) -> Result<&Approval, ManifestError> {
        match self.entry(seq) {
            Some(Entry {
                record: Record::Approval(a),
                ..
            }) => Ok(a),
            Some(_) => Err(self.no_entry(format!("entry {seq} is a revocation, not an approval"))),
            None => Err(self.no_entry(format!(
                "no entry {seq} (the manifest has {} entries)",
                self.entries.len()
            ))),
        }
    }

    /// Whether approval `seq` stands.
    pub fn standing(&self, seq: u64) -> Standing {
        self.entries
            .iter()
            .find_map(|e| match &e.record {
                Record::Revocation(r) if r.approval == seq => Some(Standing::Revoked(r.clone())),
                _ => None,
            })
            .unwrap_or(Standing::Active)
    }

    /// Every approval, with its seq and standing, in order.
    pub fn approvals(&self) -> impl Iterator<Item = (u64, &Approval, Standing)> {
        self.entries.iter().filter_map(|e| match &e.record {
            Record::Approval(a) => Some((e.seq, a.as_ref(), self.standing(e.seq))),
            Record::Revocation(_) => None,
        })
    }

    /// The approval the live runner should load: the latest active approval of `strategy`, or,
    /// with no name, of the only strategy with an active approval. The error says what the
    /// manifest does hold.
    pub fn active(&self, strategy: Option<&str>) -> Result<(u64, &Approval), ManifestError> {
        let active: Vec<(u64, &Approval)> = self
            .approvals()
            .filter(|(_, _, s)| *s == Standing::Active)
            .map(|(seq, a, _)| (seq, a))
            .collect();
        match strategy {
            Some(name) => {
                if let Some(found) = active.iter().rev().find(|(_, a)| a.strategy.name == name) {
                    return Ok(*found);
                }
                let revoked = self
                    .approvals()
                    .filter(|(_, a, _)| a.strategy.name == name)
                    .last();
                Err(self.no_entry(match revoked {
                    Some((seq, _, standing)) => {
                        format!("'{name}' is not approved: its approval {seq} was {standing}")
                    }
                    None => format!(
                        "'{name}' is not approved (approved: {})",
                        match names(&active).as_slice() {
                            [] => "nothing".to_string(),
                            some => some.join(", "),
                        }
                    ),
                }))
            }
            None => {
                let distinct = names(&active);
                match distinct.as_slice() {
                    [only] => self.active(Some(only)),
                    [] => Err(self.no_entry(match self.approvals().last() {
                        Some((seq, a, standing)) => format!(
                            "no strategy is approved: the last approval, {seq} of '{}', was {standing}",
                            a.strategy.name
                        ),
                        None => "no strategy is approved".into(),
                    })),
                    many => Err(self.no_entry(format!(
                        "several strategies are approved ({}): choose one with --strategy",
                        many.join(", ")
                    ))),
                }
            }
        }
    }

    fn no_entry(&self, message: String) -> ManifestError {
        ManifestError::NoEntry {
            path: self.path.clone(),
            message,
        }
    }

    /// Appends `record` as a new entry, sealed onto the chain, and writes the manifest.
    /// Returns the new entry's seq. Under the writers' lock (this manifest's, or taken for the
    /// write), the file must still end where this manifest's entries end: otherwise
    /// [`ManifestError::Changed`], and nothing is written.
    pub fn append(&mut self, record: Record) -> Result<u64, ManifestError> {
        let _taken = match self.lock {
            Some(_) => None,
            None => Some(
                ManifestLock::acquire(&self.path)
                    .map_err(|e| io_error(&lock_path(&self.path), e))?,
            ),
        };
        let on_disk = Manifest::open(&self.path)?;
        if on_disk.head != self.head {
            return Err(ManifestError::Changed {
                path: self.path.clone(),
                read: self.head.seq,
                on_disk: on_disk.head.seq,
            });
        }
        let body = match serde_json::to_value(&record) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) => Map::new(),
        };
        let mut head = self.head.clone();
        let sealed = head.seal(body);
        let mut raw = self.raw.clone();
        raw.push(sealed);
        write(&self.path, &raw)?;
        self.raw = raw;
        self.entries.push(Entry {
            seq: head.seq,
            sha256: head.sha256.clone(),
            record,
        });
        self.head = head;
        Ok(self.head.seq)
    }

    /// Revokes approval `seq`, recording who, when and why.
    pub fn revoke(
        &mut self,
        seq: u64,
        by: &str,
        at: &str,
        reason: &str,
    ) -> Result<u64, ManifestError> {
        self.approval(seq)?;
        if let Standing::Revoked(r) = self.standing(seq) {
            return Err(self.no_entry(format!(
                "approval {seq} is already revoked (by {} at {})",
                r.revoked_by, r.revoked_at
            )));
        }
        self.append(Record::Revocation(Revocation {
            approval: seq,
            revoked_by: by.to_string(),
            revoked_at: at.to_string(),
            reason: reason.to_string(),
        }))
    }
}

/// The strategies of `approvals`, each once, in name order.
fn names<'a>(approvals: &[(u64, &'a Approval)]) -> Vec<&'a str> {
    let mut names: Vec<&str> = approvals
        .iter()
        .map(|(_, a)| a.strategy.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn write(path: &Path, entries: &[Value]) -> Result<(), ManifestError> {
    let file = File {
        format: FORMAT.to_string(),
        entries: entries.to_vec(),
    };
    gauntlet_data::atomic::write_file(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &file)?;
        out.write_all(b"\n")
    })
    .map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, e: std::io::Error) -> ManifestError {
    ManifestError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
