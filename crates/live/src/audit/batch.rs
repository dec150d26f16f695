//! The writer thread of a batch log: it takes the entries the runner gathered, seals them into
//! the chain and writes them, while its [`Syncer`] fsyncs what it wrote every few milliseconds
//! (group commit), so that the trading thread neither waits for the disk nor spends its time
//! hashing and writing, and the writer does not wait for the disk either.
//!
//! The runner hands over [`Records`]: each entry's opening ([`super::seal::write_opening`]),
//! its bar and wall times, and the hash of its opening begun (the opening does not depend on
//! the chain, so the trading thread hashes it, which shares the hashing between the threads).

use std::fs::File;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use gauntlet_registry::chain::ChainHead;
use sha2::{Digest, Sha256};

use super::seal::{Sealer, write_opening};
use super::syncer::Syncer;

/// What the runner asks of the writer.
enum Request {
    /// Seal and write these records.
    Write(Records),
    /// Write everything before this request, fsync it, and answer with the chain's head.
    Sync(Sender<Result<ChainHead, String>>),
}

/// Buffers in flight at most: the runner waits when the disk is this far behind.
const IN_FLIGHT: usize = 8;

/// Entries waiting to be sealed.
#[derive(Debug, Default)]
pub(super) struct Records {
    /// The openings, one after another.
    openings: Vec<u8>,
    /// Per entry: where its opening ends, its bar time, its wall time, its hash begun.
    entries: Vec<(usize, i64, i64, Sha256)>,
}

impl Records {
    /// Adds an entry.
    pub(super) fn push(
        &mut self,
        event: &str,
        ts: i64,
        wall_ms: i64,
        write_payload: impl FnOnce(&mut Vec<u8>),
    ) {
        let start = self.openings.len();
        write_opening(&mut self.openings, event, write_payload);
        let hashing = Sha256::new_with_prefix(&self.openings[start..]);
        self.entries
            .push((self.openings.len(), ts, wall_ms, hashing));
    }

    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.openings.len()
    }

    /// True when there is nothing to hand over.
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn clear(&mut self) {
        self.openings.clear();
        self.entries.clear();
    }
}

/// The handle the log holds on its writer thread.
#[derive(Debug)]
pub(super) struct BatchWriter {
    requests: Option<SyncSender<Request>>,
    /// Emptied records, sent back for reuse.
    spare: Receiver<Records>,
    fsyncs: Arc<Mutex<u64>>,
    /// The first error the writer met; the log reports it at its next call.
    error: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl BatchWriter {
    /// Starts the thread on `file`, `len` bytes long, whose chain ends at `head`, fsyncing
    /// every `every` while there is something unsynced.
    pub(super) fn start(
        file: File,
        len: u64,
        head: ChainHead,
        every: Duration,
    ) -> std::io::Result<BatchWriter> {
        let (requests, inbox) = sync_channel(IN_FLIGHT);
        let (give_back, spare) = channel();
        let fsyncs = Arc::new(Mutex::new(0));
        let error = Arc::new(Mutex::new(None));
        let syncer = Syncer::start(
            file.try_clone()?,
            every,
            Arc::clone(&fsyncs),
            Arc::clone(&error),
        );
        let worker = Worker {
            file,
            len,
            sealer: Sealer::new(head),
            lines: Vec::new(),
            syncer,
            fsyncs: Arc::clone(&fsyncs),
            error: Arc::clone(&error),
            give_back,
            unsynced: false,
            broken: false,
        };
        let thread = std::thread::spawn(move || worker.run(&inbox));
        Ok(BatchWriter {
            requests: Some(requests),
            spare,
            fsyncs,
            error,
            thread: Some(thread),
        })
    }

    /// Hands `records` to the writer, leaving them empty (recycled ones when there are some,
    /// so that steady running allocates nothing).
    pub(super) fn write(&mut self, records: &mut Records) -> Result<(), String> {
        self.failed()?;
        let next = self.spare.try_recv().unwrap_or_default();
        let full = std::mem::replace(records, next);
        self.send(Request::Write(full))
    }

    /// Waits until everything handed over is written and synced; the chain's head then.
    pub(super) fn sync(&mut self) -> Result<ChainHead, String> {
        let (reply, answer) = channel();
        self.send(Request::Sync(reply))?;
        let head = answer
            .recv()
            .map_err(|_| "the audit writer stopped".to_string())??;
        self.failed()?;
        Ok(head)
    }

    /// fsyncs the writer made.
    pub(super) fn fsyncs(&self) -> u64 {
        *self.fsyncs.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send(&self, request: Request) -> Result<(), String> {
        match &self.requests {
            Some(requests) => requests
                .send(request)
                .map_err(|_| self.error().unwrap_or("the audit writer stopped".into())),
            None => Err("the audit writer stopped".into()),
        }
    }

    fn failed(&self) -> Result<(), String> {
        self.error().map_or(Ok(()), Err)
    }

    fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for BatchWriter {
    /// Lets the writer finish what it was handed (it syncs before it stops).
    fn drop(&mut self) {
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Worker {
    file: File,
    /// The file's length: where a failed write is cut back to.
    len: u64,
    sealer: Sealer,
    /// The sealed lines of one request, reused.
    lines: Vec<u8>,
    syncer: Syncer,
    fsyncs: Arc<Mutex<u64>>,
    error: Arc<Mutex<Option<String>>>,
    give_back: Sender<Records>,
    unsynced: bool,
    broken: bool,
}

impl Worker {
    fn run(mut self, inbox: &Receiver<Request>) {
        loop {
            match inbox.recv() {
                Ok(Request::Write(mut records)) => {
                    // A failed write is cut back off (the file keeps whole batches, which end
                    // between steps) and nothing more is appended (the log reports the error).
                    if !self.broken {
                        self.seal(&mut records);
                        let written =
                            super::append_whole(&mut self.file, &mut self.len, &self.lines)
                                .map_err(|e| e.to_string());
                        self.broken = written.is_err();
                        if written.is_ok() {
                            self.unsynced = true;
                            self.syncer.wrote();
                        }
                        self.settle(written);
                    }
                    records.clear();
                    let _ = self.give_back.send(records);
                }
                Ok(Request::Sync(reply)) => {
                    let synced = self.sync().map(|()| self.sealer.head().clone());
                    let _ = reply.send(synced);
                }
                Err(_) => {
                    // The log is closing: what was written is synced before the thread ends.
                    let synced = self.sync();
                    self.settle(synced);
                    return;
                }
            }
        }
    }

    /// Turns `records` into lines.
    fn seal(&mut self, records: &mut Records) {
        self.lines.clear();
        let mut start = 0;
        for (end, ts, wall_ms, hashing) in records.entries.drain(..) {
            let opening = &records.openings[start..end];
            self.sealer
                .seal_hashed(opening, hashing, ts, wall_ms, &mut self.lines);
            start = end;
        }
    }

    /// Syncs everything written so far, now (the syncer's next fsync may be a few milliseconds
    /// away).
    fn sync(&mut self) -> Result<(), String> {
        if !self.unsynced {
            return Ok(());
        }
        self.file.sync_data().map_err(|e| e.to_string())?;
        self.unsynced = false;
        *self.fsyncs.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        Ok(())
    }

    /// Keeps the first error for the log to report.
    fn settle(&self, result: Result<(), String>) {
        if let Err(message) = result {
            self.error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(message);
        }
    }
}
