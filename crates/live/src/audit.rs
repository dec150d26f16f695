//! The audit log: append-only JSON lines, hash-chained ([`gauntlet_registry::chain`]), and the
//! runner's write-ahead log.
//!
//! Each line is one entry: `seq`, `ts` (the bar time, ms since the epoch), `wall_ms` (the wall
//! clock, kept apart from the bar time), `event`, `payload`, `prev_sha256` and `sha256`. A
//! step's entries are written with one write call, so a process killed between steps leaves
//! whole steps; a line torn by a crash in the middle of a write is cut off when the log is
//! opened again.
//!
//! Durability: with [`Durability::Strict`] the log is synced to disk (fsync) at the end of
//! every step that decided an order, before the next step can hand it to the broker; with
//! [`Durability::Batch`] it is written every step and synced at most every few milliseconds.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use gauntlet_registry::chain::{ChainBreak, ChainHead, ChainVerifier};
use serde_json::{Map, Value};

/// When the log reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync before any order reaches the broker (the default with a real broker).
    Strict,
    /// Written every step, fsync every few milliseconds (paper replays).
    Batch,
}

/// How often a batch log is synced.
const BATCH_SYNC: Duration = Duration::from_millis(5);

/// Why the audit log cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Cannot be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's words.
        message: String,
    },
    /// The chain is broken.
    #[error("{path}: the audit chain is broken: {brk}")]
    Broken {
        /// The file.
        path: PathBuf,
        /// Where and how (the position is the line).
        brk: ChainBreak,
    },
    /// The log ends before an entry the state recorded.
    #[error(
        "{path}: the log ends at seq {last}, but the state recorded seq {recorded}: {} entries were cut off the end",
        recorded - last
    )]
    CutOff {
        /// The file.
        path: PathBuf,
        /// The last seq in the log.
        last: u64,
        /// The seq the state recorded.
        recorded: u64,
    },
    /// The entry the state recorded is not the one in the log.
    #[error(
        "{path}: entry seq {seq} has sha256 {found}, but the state recorded {recorded}: the log was replaced"
    )]
    Diverged {
        /// The file.
        path: PathBuf,
        /// The seq.
        seq: u64,
        /// In the log.
        found: String,
        /// In the state.
        recorded: String,
    },
}

fn io(path: &Path, e: impl std::fmt::Display) -> AuditError {
    AuditError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The end of the chain.
    pub head: ChainHead,
    /// Entries read.
    pub entries: usize,
}

/// Checks the whole log at `path`; with `recorded` (the seq and hash a checkpoint recorded),
/// also that the log reaches that entry and holds it unchanged, which catches a cut-off tail.
pub fn verify(path: &Path, recorded: Option<(u64, &str)>) -> Result<Verified, AuditError> {
    let file = File::open(path).map_err(|e| io(path, e))?;
    scan(&file, path, recorded, false).map(|(verified, _)| verified)
}

/// One pass over the log: the chain checked (and the recorded entry, when given) and, with
/// `keep_after`, the entries after the recorded seq kept (what a restart replays: at most one
/// checkpoint interval of them).
fn scan(
    file: &File,
    path: &Path,
    recorded: Option<(u64, &str)>,
    keep_after: bool,
) -> Result<(Verified, Vec<Value>), AuditError> {
    let mut verifier = ChainVerifier::new();
    let mut at_recorded = None;
    let mut after = Vec::new();
    let recorded_seq = recorded.map_or(0, |(seq, _)| seq);
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| io(path, e))?;
        let entry: Result<Value, String> = serde_json::from_str(&line).map_err(|e| e.to_string());
        let seq = entry.as_ref().ok().and_then(|e| e.get("seq")?.as_u64());
        if recorded.is_some() && seq == Some(recorded_seq) {
            at_recorded = entry
                .as_ref()
                .ok()
                .and_then(|e| e.get("sha256")?.as_str().map(str::to_string));
        }
        verifier.push(entry.as_ref().map_err(Clone::clone));
        if keep_after
            && seq.is_some_and(|seq| seq > recorded_seq)
            && let Ok(entry) = entry
        {
            after.push(entry);
        }
    }
    let entries = verifier.entries();
    let head = verifier.finish().map_err(|brk| AuditError::Broken {
        path: path.to_path_buf(),
        brk,
    })?;
    if let Some((seq, hash)) = recorded {
        if head.seq < seq {
            return Err(AuditError::CutOff {
                path: path.to_path_buf(),
                last: head.seq,
                recorded: seq,
            });
        }
        if seq > 0
            && let Some(found) = at_recorded.filter(|found| found != hash)
        {
            return Err(AuditError::Diverged {
                path: path.to_path_buf(),
                seq,
                found,
                recorded: hash.to_string(),
            });
        }
    }
    Ok((Verified { head, entries }, after))
}

/// The log, open for appending.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: File,
    head: ChainHead,
    durability: Durability,
    /// The current step's lines, written together.
    buffer: Vec<u8>,
    /// Written, not yet synced.
    unsynced: bool,
    last_sync: Instant,
    fsyncs: u64,
}

impl AuditLog {
    /// Opens (or creates) the log at `path`: a line torn by a crash is cut off, and the whole
    /// chain is checked before anything is appended, in one pass that also checks the entry
    /// a checkpoint recorded (`recorded`: its seq and hash; seq 0 for none) and returns the
    /// entries after it, which a restart replays.
    pub fn open(
        path: &Path,
        durability: Durability,
        recorded: (u64, &str),
    ) -> Result<(AuditLog, Vec<Value>), AuditError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(path, e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        cut_torn_tail(&mut file).map_err(|e| io(path, e))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| io(path, e))?;
        let (verified, after) = scan(&file, path, Some(recorded), true)?;
        file.seek(SeekFrom::End(0)).map_err(|e| io(path, e))?;
        let log = AuditLog {
            path: path.to_path_buf(),
            file,
            head: verified.head,
            durability,
            buffer: Vec::with_capacity(1 << 16),
            unsynced: false,
            last_sync: Instant::now(),
            fsyncs: 0,
        };
        Ok((log, after))
    }

    /// The last entry written (or buffered).
    pub fn head(&self) -> &ChainHead {
        &self.head
    }

    /// fsync calls so far.
    pub fn fsyncs(&self) -> u64 {
        self.fsyncs
    }

    /// Adds an entry for `event` at bar time `ts` to the current step.
    pub fn append(&mut self, event: &str, ts: i64, payload: Value) {
        let wall_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let mut body = Map::new();
        body.insert("event".into(), Value::String(event.to_string()));
        body.insert("ts".into(), Value::from(ts));
        body.insert("wall_ms".into(), Value::from(wall_ms));
        body.insert("payload".into(), payload);
        let entry = self.head.seal(body);
        // Writing a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.buffer, &entry);
        self.buffer.push(b'\n');
    }

    /// Ends a step: its entries are written with one call; `ordered` (the step decided an
    /// order) makes a strict log sync before returning.
    pub fn end_step(&mut self, ordered: bool) -> Result<(), AuditError> {
        self.write_buffer()?;
        let due = match self.durability {
            Durability::Strict => ordered,
            Durability::Batch => self.last_sync.elapsed() >= BATCH_SYNC,
        };
        if due && self.unsynced {
            self.sync()?;
        }
        Ok(())
    }

    /// Writes what is buffered and syncs it to disk.
    pub fn sync(&mut self) -> Result<(), AuditError> {
        self.write_buffer()?;
        if self.unsynced {
            self.file.sync_data().map_err(|e| io(&self.path, e))?;
            self.fsyncs += 1;
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }
}

impl AuditLog {
    fn write_buffer(&mut self) -> Result<(), AuditError> {
        if !self.buffer.is_empty() {
            self.file
                .write_all(&self.buffer)
                .map_err(|e| io(&self.path, e))?;
            self.buffer.clear();
            self.unsynced = true;
        }
        Ok(())
    }
}

/// Cuts a last line without its newline (a write torn by a crash), reading back from the end
/// only as far as the last newline.
fn cut_torn_tail(file: &mut File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut chunk = [0u8; 4096];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let part = &mut chunk[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(i) = part.iter().rposition(|&b| b == b'\n') {
            end = start + i as u64 + 1;
            break;
        }
        end = start;
    }
    if end < len {
        file.set_len(end)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_registry::chain::BreakKind;

    fn log_of(n: usize) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("audit.jsonl");
        let (mut log, _) = AuditLog::open(&path, Durability::Batch, (0, "")).expect("open");
        for i in 0..n {
            log.append("bar", i as i64, serde_json::json!({ "close": i }));
            log.end_step(false).expect("write");
        }
        log.sync().expect("sync");
        (dir, path)
    }

    fn hash_of(path: &Path, seq: usize) -> String {
        let entry: Value = serde_json::from_str(&lines(path)[seq - 1]).expect("json");
        entry["sha256"].as_str().expect("hash").to_string()
    }

    fn lines(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .expect("read")
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn write(path: &Path, lines: &[String]) {
        std::fs::write(path, lines.join("\n") + "\n").expect("write");
    }

    fn kind(path: &Path) -> BreakKind {
        match verify(path, None) {
            Err(AuditError::Broken { brk, .. }) => brk.kind,
            other => panic!("expected a broken chain, got {other:?}"),
        }
    }

    #[test]
    fn an_intact_log_verifies_and_reopens_where_it_ended() {
        let (_dir, path) = log_of(5);
        assert_eq!(verify(&path, None).expect("intact").head.seq, 5);
        let (mut log, replay) =
            AuditLog::open(&path, Durability::Strict, (3, &hash_of(&path, 3))).expect("reopen");
        assert_eq!(
            replay.iter().map(|e| e["seq"].as_u64()).collect::<Vec<_>>(),
            [Some(4), Some(5)],
            "the entries after the recorded one"
        );
        log.append("bar", 5, Value::Null);
        log.end_step(true).expect("write");
        assert_eq!(log.fsyncs(), 1, "strict: a step that ordered is synced");
        assert_eq!(verify(&path, None).expect("intact").head.seq, 6);
    }

    #[test]
    fn every_kind_of_tampering_is_caught() {
        let (_dir, path) = log_of(6);
        let original = lines(&path);

        let mut edited = original.clone();
        edited[2] = edited[2].replace("\"close\":2", "\"close\":3");
        write(&path, &edited);
        assert_eq!(kind(&path), BreakKind::Edited { seq: 3 });

        let mut removed = original.clone();
        removed.remove(3);
        write(&path, &removed);
        assert_eq!(
            kind(&path),
            BreakKind::Removed {
                expected: 4,
                found: 5
            }
        );

        let mut reordered = original.clone();
        reordered.swap(1, 4);
        write(&path, &reordered);
        assert_eq!(
            kind(&path),
            BreakKind::Reordered {
                expected: 2,
                found: 5
            }
        );

        let mut inserted = original.clone();
        inserted.insert(2, original[1].clone());
        write(&path, &inserted);
        assert_eq!(kind(&path), BreakKind::Inserted { seq: 2 });

        // A cut-off tail leaves a valid chain: only the state's record of its last seq
        // shows it.
        let head: Value = serde_json::from_str(&original[5]).expect("json");
        let hash = head["sha256"].as_str().expect("hash").to_string();
        write(&path, &original[..4]);
        assert!(verify(&path, None).is_ok());
        assert!(matches!(
            verify(&path, Some((6, &hash))),
            Err(AuditError::CutOff {
                last: 4,
                recorded: 6,
                ..
            })
        ));
        write(&path, &original);
        assert!(verify(&path, Some((6, &hash))).is_ok());
    }

    #[test]
    fn a_torn_last_line_is_cut_when_the_log_is_opened() {
        let (_dir, path) = log_of(3);
        let mut text = std::fs::read_to_string(&path).expect("read");
        text.push_str("{\"seq\":4,\"ev");
        std::fs::write(&path, text).expect("write");
        let (log, _) = AuditLog::open(&path, Durability::Batch, (0, "")).expect("open");
        assert_eq!(log.head().seq, 3);
        assert_eq!(lines(&path).len(), 3);
    }
}
