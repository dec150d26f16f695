//! The audit log: append-only JSON lines, hash-chained ([`gauntlet_registry::chain`]), and the
//! runner's write-ahead log.
//!
//! Each line is one entry: `seq`, `ts` (the bar time, ms since the epoch), `wall_ms` (the wall
//! clock, kept apart from the bar time), `event`, `payload`, `prev_sha256` and `sha256`. A
//! step's entries are written with one write call, so a process killed between steps leaves
//! whole steps; a line torn by a crash in the middle of a write is cut off when the log is
//! opened again.
//!
//! Durability: with [`Durability::Strict`] every step is written as it ends, and the log is
//! synced to disk (fsync) at the end of every step that decided an order, before the next step
//! can hand it to the broker. With [`Durability::Batch`] (paper replays) steps gather in memory
//! and are handed every few milliseconds (or every quarter megabyte) to a writer thread
//! ([`batch`]), which writes them and fsyncs every few milliseconds without holding up the
//! trading: a crash loses at most those last milliseconds of entries. Either way a checkpoint syncs the
//! log first, so a state is never ahead of the log it recovers from.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use gauntlet_registry::chain::{ChainBreak, ChainHead, ChainVerifier};
use gauntlet_report::canonical_json;
use serde_json::Value;

mod batch;
mod object;
mod seal;
mod syncer;

use batch::{BatchWriter, Records};
pub(crate) use object::Object;
use seal::{Sealer, write_opening};

/// When the log reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync before any order reaches the broker (the default with a real broker).
    Strict,
    /// Written every step, fsync every few milliseconds (paper replays).
    Batch,
}

/// How often a batch log is written and synced.
const BATCH_SYNC: Duration = Duration::from_millis(5);
/// A batch log is written at the latest when this much is buffered.
const BATCH_BYTES: usize = 1 << 18;

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
    /// Entries could not be appended (a full disk, a file-size limit, a failing device): the
    /// log keeps whole writes only, and nothing more is appended to it by this process.
    #[error(
        "{path}: cannot write the audit log: {message}. The runner stops here: the log ends with the last step written whole, and a restart on the same state carries on from it once the log can be written"
    )]
    Write {
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

fn write_error(path: &Path, e: impl std::fmt::Display) -> AuditError {
    AuditError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Appends `bytes` to `file`, which is `len` bytes long: all of them, or none. A write that
/// fails part way (a full disk, a file-size limit) is cut back off, so that the log never ends
/// in part of a step (whose bar a restart would replay without the decisions that followed
/// it, or with fills the log does not hold).
fn append_whole(file: &mut File, len: &mut u64, bytes: &[u8]) -> std::io::Result<()> {
    match file.write_all(bytes) {
        Ok(()) => {
            *len += bytes.len() as u64;
            Ok(())
        }
        Err(e) => match file.set_len(*len) {
            Ok(()) => Err(e),
            Err(cut) => Err(std::io::Error::new(
                e.kind(),
                format!("{e} (and cutting off the part written failed too: {cut})"),
            )),
        },
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
    sink: Sink,
    /// The seq of the last entry appended.
    seq: u64,
    last_write: Instant,
    /// The wall time stamped on entries, as of the last [`AuditLog::tick`].
    wall_ms: i64,
}

/// Where entries go.
#[derive(Debug)]
enum Sink {
    /// Sealed and written by the trading thread, synced when a step decided an order.
    Strict {
        file: File,
        sealer: Sealer,
        /// The opening of the entry being sealed.
        opening: Vec<u8>,
        /// The current step's lines.
        lines: Vec<u8>,
        /// Written, not yet synced.
        unsynced: bool,
        fsyncs: u64,
        /// The file's length: where a failed write is cut back to.
        len: u64,
        /// A write failed: nothing more is appended.
        broken: bool,
    },
    /// Sealed, written and synced by a writer thread.
    Batch {
        writer: BatchWriter,
        /// The entries gathered since they were last handed to the writer.
        records: Records,
    },
}

impl Drop for AuditLog {
    /// Hands over what a batch log still holds, as a `BufWriter` does (a run that stops on an
    /// error keeps the entries of the steps it took); its writer syncs it before stopping.
    fn drop(&mut self) {
        let _ = self.write_buffer();
    }
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
        let len = file.seek(SeekFrom::End(0)).map_err(|e| io(path, e))?;
        let seq = verified.head.seq;
        let sink = match durability {
            Durability::Strict => Sink::Strict {
                file,
                sealer: Sealer::new(verified.head),
                opening: Vec::with_capacity(1024),
                lines: Vec::with_capacity(1 << 16),
                unsynced: false,
                fsyncs: 0,
                len,
                broken: false,
            },
            Durability::Batch => Sink::Batch {
                writer: BatchWriter::start(file, len, verified.head, BATCH_SYNC)
                    .map_err(|e| io(path, e))?,
                records: Records::default(),
            },
        };
        let log = AuditLog {
            path: path.to_path_buf(),
            sink,
            seq,
            last_write: Instant::now(),
            wall_ms: wall_ms(),
        };
        Ok((log, after))
    }

    /// The seq of the last entry appended.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The wall time (ms since the epoch) as of the last [`AuditLog::tick`].
    pub fn wall_ms(&self) -> i64 {
        self.wall_ms
    }

    /// fsync calls so far (a batch writer's included).
    pub fn fsyncs(&self) -> u64 {
        match &self.sink {
            Sink::Strict { fsyncs, .. } => *fsyncs,
            Sink::Batch { writer, .. } => writer.fsyncs(),
        }
    }

    /// Adds an entry for `event` at bar time `ts` to the current step.
    pub fn append(&mut self, event: &str, ts: i64, payload: &Value) {
        self.append_with(event, ts, |out| {
            out.extend_from_slice(&canonical_json(payload, None));
        });
    }

    /// Adds an entry whose payload `write_payload` writes in canonical form (keys sorted, no
    /// spaces, scalars as serde_json writes them): the hot path of a bar, which never builds a
    /// JSON tree.
    pub fn append_with(&mut self, event: &str, ts: i64, write_payload: impl FnOnce(&mut Vec<u8>)) {
        self.seq += 1;
        match &mut self.sink {
            Sink::Strict {
                sealer,
                opening,
                lines,
                ..
            } => {
                opening.clear();
                write_opening(opening, event, write_payload);
                sealer.seal(opening, ts, self.wall_ms, lines);
            }
            Sink::Batch { records, .. } => records.push(event, ts, self.wall_ms, write_payload),
        }
    }

    /// Ends a step: a strict log writes its entries with one call and, when `ordered` (the
    /// step decided an order), syncs them before returning; a batch log hands what gathered
    /// to its writer once there is enough of it.
    pub fn end_step(&mut self, ordered: bool) -> Result<(), AuditError> {
        match &self.sink {
            Sink::Strict { .. } => {
                self.write_buffer()?;
                if ordered {
                    self.sync()?;
                }
            }
            Sink::Batch { records, .. } if records.bytes() >= BATCH_BYTES => {
                self.write_buffer()?;
            }
            Sink::Batch { .. } => {}
        }
        Ok(())
    }

    /// Reads the clocks: the wall time stamped on the entries that follow, and a batch log
    /// hands what gathered to its writer once it is due. The runner calls it for every batch
    /// of feed items and while it waits for one, which keeps clock reads out of the per-bar
    /// path (a file replay delivers up to a thousand bars a batch; a live feed, a bar or so).
    pub fn tick(&mut self) -> Result<(), AuditError> {
        self.wall_ms = wall_ms();
        if matches!(self.sink, Sink::Batch { .. }) && self.last_write.elapsed() >= BATCH_SYNC {
            self.write_buffer()?;
        }
        Ok(())
    }

    /// Writes what is buffered and syncs it to disk; the head of the chain, as written.
    pub fn sync(&mut self) -> Result<ChainHead, AuditError> {
        self.write_buffer()?;
        let path = &self.path;
        match &mut self.sink {
            Sink::Strict {
                file,
                sealer,
                unsynced,
                fsyncs,
                ..
            } => {
                if *unsynced {
                    file.sync_data().map_err(|e| write_error(path, e))?;
                    *fsyncs += 1;
                    *unsynced = false;
                }
                Ok(sealer.head().clone())
            }
            Sink::Batch { writer, .. } => writer.sync().map_err(|e| write_error(path, e)),
        }
    }

    fn write_buffer(&mut self) -> Result<(), AuditError> {
        self.last_write = Instant::now();
        let path = &self.path;
        match &mut self.sink {
            Sink::Strict { broken: true, .. } => {
                return Err(write_error(path, "an earlier write failed"));
            }
            Sink::Strict {
                file,
                lines,
                unsynced,
                len,
                broken,
                ..
            } if !lines.is_empty() => {
                let written = append_whole(file, len, lines);
                lines.clear();
                *broken = written.is_err();
                written.map_err(|e| write_error(path, e))?;
                *unsynced = true;
            }
            Sink::Batch { writer, records } if !records.is_empty() => {
                writer.write(records).map_err(|e| write_error(path, e))?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Milliseconds since the epoch, by the wall clock.
fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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
            log.append("bar", i as i64, &serde_json::json!({ "close": i }));
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
        log.append("bar", 5, &Value::Null);
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
        assert_eq!(log.seq(), 3);
        assert_eq!(lines(&path).len(), 3);
    }
}
