//! Hash chains: each entry carries its sequence number, the previous entry's hash and its own,
//! so that an entry edited, removed, reordered or inserted by hand breaks the chain where it
//! happened. The approvals manifest and the live runner's audit log are both such chains.
//!
//! An entry is a JSON object. Its hash is the SHA-256 of its canonical encoding (see
//! [`gauntlet_report::canonical_json`]) without the `sha256` key; the first entry's
//! `prev_sha256` is [`GENESIS`]. Sequence numbers start at 1 and rise by one.
//!
//! Like the report's content hash, the chain catches edits made by hand or by a careless tool;
//! whoever can rewrite the whole file can recompute every hash (it is not a signature).

use std::collections::HashSet;
use std::fmt;

use gauntlet_report::{canonical_json, sha256_hex};
use serde_json::{Map, Value};

/// The `prev_sha256` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key of the entry's own hash.
pub const HASH_KEY: &str = "sha256";
/// The key of the previous entry's hash.
pub const PREV_KEY: &str = "prev_sha256";
/// The key of the sequence number.
pub const SEQ_KEY: &str = "seq";

/// The hash of `entry` (all of it but its `sha256` key).
pub fn entry_hash(entry: &Value) -> String {
    sha256_hex(&canonical_json(entry, Some(HASH_KEY)))
}

/// The end of a chain: what the next entry links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// Sequence number of the last entry (0 for an empty chain).
    pub seq: u64,
    /// Hash of the last entry ([`GENESIS`] for an empty chain).
    pub sha256: String,
}

impl Default for ChainHead {
    fn default() -> Self {
        ChainHead {
            seq: 0,
            sha256: GENESIS.to_string(),
        }
    }
}

impl ChainHead {
    /// Seals `body` as the next entry: sets its `seq` and `prev_sha256`, computes its `sha256`,
    /// and moves the head onto it. Keys of `body` with those names are replaced.
    pub fn seal(&mut self, mut body: Map<String, Value>) -> Value {
        let seq = self.seq + 1;
        body.insert(SEQ_KEY.into(), Value::from(seq));
        body.insert(PREV_KEY.into(), Value::String(self.sha256.clone()));
        body.remove(HASH_KEY);
        let mut entry = Value::Object(body);
        let hash = entry_hash(&entry);
        if let Value::Object(map) = &mut entry {
            map.insert(HASH_KEY.into(), Value::String(hash.clone()));
        }
        self.seq = seq;
        self.sha256 = hash;
        entry
    }
}

/// Where and how a chain is broken: the first entry that does not follow from the ones before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// Where the entry is: its line (audit log) or position (manifest), from 1.
    pub position: usize,
    /// What kind of tampering the break shows.
    pub kind: BreakKind,
}

/// What is wrong at a [`ChainBreak`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakKind {
    /// Not an entry at all (not a JSON object, or without `seq`, `prev_sha256` or `sha256`).
    Unreadable(String),
    /// The entry's content does not match its own hash: it was edited.
    Edited {
        /// Its sequence number.
        seq: u64,
    },
    /// Entries are missing before this one, and do not appear later: they were removed.
    Removed {
        /// The sequence number expected here.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// The entry stands out of order: its number belongs elsewhere in the chain.
    Reordered {
        /// The sequence number expected here.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// An entry with a number already used, or one whose link does not match the entry before
    /// it although its own hash is right: it was inserted (or rewritten with its hash).
    Inserted {
        /// Its sequence number.
        seq: u64,
    },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.position;
        match &self.kind {
            BreakKind::Unreadable(why) => write!(f, "entry {at} is not a chain entry: {why}"),
            BreakKind::Edited { seq } => write!(
                f,
                "entry {at} (seq {seq}) was edited: its content does not match its sha256"
            ),
            BreakKind::Removed { expected, found } => write!(
                f,
                "entry {at} has seq {found} where seq {expected} was expected: {} removed",
                if found - expected == 1 {
                    format!("seq {expected} was")
                } else {
                    format!("seqs {expected}..={} were", found - 1)
                }
            ),
            BreakKind::Reordered { expected, found } => write!(
                f,
                "entry {at} has seq {found} where seq {expected} was expected: entries were reordered"
            ),
            BreakKind::Inserted { seq } => write!(
                f,
                "entry {at} (seq {seq}) does not link to the entry before it: it was inserted or replaced"
            ),
        }
    }
}

/// Checks entries one at a time, in file order; memory stays flat with the chain's length
/// but for one number per entry (kept to tell a removal from a reordering).
#[derive(Debug, Default)]
pub struct ChainVerifier {
    head: ChainHead,
    position: usize,
    seen: HashSet<u64>,
    /// The first break, with the numbers still unseen when it happened.
    first_break: Option<(ChainBreak, u64)>,
    /// Every sequence number found, to classify a gap once the whole chain is read.
    found: HashSet<u64>,
}

impl ChainVerifier {
    /// A verifier at the start of a chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next entry; an unreadable one (bad JSON) is passed as `Err(message)`.
    pub fn push(&mut self, entry: Result<&Value, String>) {
        self.position += 1;
        let position = self.position;
        let fields = entry.and_then(|e| {
            let seq = e.get(SEQ_KEY).and_then(Value::as_u64);
            let prev = e.get(PREV_KEY).and_then(Value::as_str);
            let hash = e.get(HASH_KEY).and_then(Value::as_str);
            match (seq, prev, hash) {
                (Some(seq), Some(prev), Some(hash)) => Ok((e, seq, prev, hash)),
                _ => Err(format!(
                    "expected a JSON object with '{SEQ_KEY}', '{PREV_KEY}' and '{HASH_KEY}'"
                )),
            }
        });
        let (entry, seq, prev, hash) = match fields {
            Ok(f) => f,
            Err(why) => {
                self.fail(position, BreakKind::Unreadable(why));
                return;
            }
        };
        self.found.insert(seq);
        if self.first_break.is_some() {
            return;
        }
        let expected = self.head.seq + 1;
        let kind = if entry_hash(entry) != hash {
            Some(BreakKind::Edited { seq })
        } else if seq > expected {
            // Removed or moved later: told apart once the whole chain has been read.
            Some(BreakKind::Removed {
                expected,
                found: seq,
            })
        } else if seq < expected && self.seen.contains(&seq) {
            Some(BreakKind::Inserted { seq })
        } else if seq < expected {
            Some(BreakKind::Reordered {
                expected,
                found: seq,
            })
        } else if prev != self.head.sha256 {
            Some(BreakKind::Inserted { seq })
        } else {
            None
        };
        match kind {
            Some(kind) => self.fail(position, kind),
            None => {
                self.seen.insert(seq);
                self.head = ChainHead {
                    seq,
                    sha256: hash.to_string(),
                };
            }
        }
    }

    fn fail(&mut self, position: usize, kind: BreakKind) {
        if self.first_break.is_none() {
            let expected = self.head.seq + 1;
            self.first_break = Some((ChainBreak { position, kind }, expected));
        }
    }

    /// The head of the intact chain, or its first break.
    pub fn finish(self) -> Result<ChainHead, ChainBreak> {
        match self.first_break {
            None => Ok(self.head),
            Some((mut brk, expected)) => {
                // A gap whose missing number turns up later is a reordering, not a removal.
                if let BreakKind::Removed { found, .. } = brk.kind
                    && self.found.contains(&expected)
                {
                    brk.kind = BreakKind::Reordered { expected, found };
                }
                Err(brk)
            }
        }
    }

    /// Entries read so far.
    pub fn entries(&self) -> usize {
        self.position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<Value> {
        let mut head = ChainHead::default();
        (0..n)
            .map(|i| {
                let mut body = Map::new();
                body.insert("event".into(), Value::from(format!("e{i}")));
                head.seal(body)
            })
            .collect()
    }

    fn verify(entries: &[Value]) -> Result<ChainHead, ChainBreak> {
        let mut v = ChainVerifier::new();
        for e in entries {
            v.push(Ok(e));
        }
        v.finish()
    }

    #[test]
    fn a_sealed_chain_verifies_and_links_by_hand_computed_hashes() {
        let entries = chain(3);
        let head = verify(&entries).expect("intact");
        assert_eq!(head.seq, 3);
        assert_eq!(entries[0][PREV_KEY], GENESIS);
        assert_eq!(entries[1][PREV_KEY], entries[0][HASH_KEY]);
        // The first entry's hash over its canonical form, worked out with Python:
        // hashlib.sha256(b'{"event":"e0","prev_sha256":"' + b'0'*64 + b'","seq":1}').hexdigest()
        assert_eq!(
            entries[0][HASH_KEY],
            "9e65a2868eb856bf0cae1d9bebe144db76c7d0ca3d48a636b0f2b1a5533cfcdd"
        );
    }

    #[test]
    fn each_kind_of_tampering_is_named_at_its_entry() {
        let entries = chain(5);
        let mut edited = entries.clone();
        edited[2]["event"] = Value::from("changed");
        assert_eq!(
            verify(&edited),
            Err(ChainBreak {
                position: 3,
                kind: BreakKind::Edited { seq: 3 }
            })
        );

        let mut removed = entries.clone();
        removed.remove(1);
        assert_eq!(
            verify(&removed),
            Err(ChainBreak {
                position: 2,
                kind: BreakKind::Removed {
                    expected: 2,
                    found: 3
                }
            })
        );

        let mut swapped = entries.clone();
        swapped.swap(1, 2);
        assert_eq!(
            verify(&swapped),
            Err(ChainBreak {
                position: 2,
                kind: BreakKind::Reordered {
                    expected: 2,
                    found: 3
                }
            })
        );

        // An entry forged with a correct hash of its own, spliced in as seq 3: the real seq 3
        // after it no longer links.
        let mut inserted = entries.clone();
        let mut forged = entries[2].as_object().expect("object").clone();
        forged.insert("event".into(), Value::from("forged"));
        let mut head = ChainHead {
            seq: 2,
            sha256: entries[1][HASH_KEY].as_str().expect("hash").to_string(),
        };
        inserted.insert(2, head.seal(forged));
        assert_eq!(
            verify(&inserted),
            Err(ChainBreak {
                position: 4,
                kind: BreakKind::Inserted { seq: 3 }
            })
        );

        let mut v = ChainVerifier::new();
        v.push(Ok(&entries[0]));
        v.push(Err("expected value at line 1 column 1".into()));
        assert!(matches!(
            v.finish(),
            Err(ChainBreak {
                position: 2,
                kind: BreakKind::Unreadable(_)
            })
        ));
    }
}
