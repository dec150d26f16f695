//! The writers' lock of a manifest: an exclusive lock on a file beside it
//! (`approvals.json.lock`), held from the read of the entries to the rename of the new file.
//!
//! A manifest is rewritten whole: without the lock, two `promote` or `revoke` runs that read
//! the same entries would each write their own new entry onto them, and the rename that came
//! second would drop the other's entry without a trace (a revocation lost is an approval
//! still in force). The lock is the operating system's (`flock` on Unix, `LockFileEx` on
//! Windows), so it is released when the process ends, however it ends: a crash leaves no
//! stale lock behind, only the empty lock file.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// An exclusive hold on a manifest's lock file; released when dropped.
#[derive(Debug)]
pub struct ManifestLock {
    // Held for its lock only: the lock lives as long as this open file.
    _file: File,
}

impl ManifestLock {
    /// Waits for and takes the lock of the manifest at `manifest`.
    pub fn acquire(manifest: &Path) -> std::io::Result<ManifestLock> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock_path(manifest))?;
        file.lock()?;
        Ok(ManifestLock { _file: file })
    }
}

/// The lock file of the manifest at `manifest`: its name with `.lock` added.
pub fn lock_path(manifest: &Path) -> PathBuf {
    let mut name = manifest.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use crate::{Manifest, ManifestError, Record, Revocation};

    fn revocation(n: u64) -> Record {
        Record::Revocation(Revocation {
            approval: n,
            revoked_by: "test".into(),
            revoked_at: "2026-11-22T00:00:00Z".into(),
            reason: format!("entry {n}"),
        })
    }

    #[test]
    fn concurrent_writers_lose_no_entry() {
        // Four writers, each reading and appending 25 times as `gauntlet approvals revoke`
        // does: without the lock, writers that read the same entries overwrite each other's.
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("approvals.json");
        std::thread::scope(|scope| {
            for writer in 0..4u64 {
                let path = &path;
                scope.spawn(move || {
                    for i in 0..25 {
                        let mut manifest = Manifest::open_for_update(path).expect("readable");
                        manifest
                            .append(revocation(writer * 100 + i))
                            .expect("written");
                    }
                });
            }
        });
        let manifest = Manifest::open(&path).expect("the chain checks");
        assert_eq!(manifest.entries().len(), 100);
        let mut written: Vec<u64> = manifest
            .entries()
            .iter()
            .map(|e| match &e.record {
                Record::Revocation(r) => r.approval,
                Record::Approval(_) => unreachable!("only revocations were written"),
            })
            .collect();
        written.sort_unstable();
        let expected: Vec<u64> = (0..4)
            .flat_map(|w| (0..25).map(move |i| w * 100 + i))
            .collect();
        assert_eq!(written, expected);
    }

    #[test]
    fn a_stale_reader_writes_nothing() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("approvals.json");
        let mut first = Manifest::open(&path).expect("empty");
        let mut stale = first.clone();
        assert_eq!(first.append(revocation(1)).expect("written"), 1);
        let before = std::fs::read(&path).expect("written");
        match stale.append(revocation(2)) {
            Err(ManifestError::Changed { read, on_disk, .. }) => {
                assert_eq!((read, on_disk), (0, 1));
            }
            other => panic!("expected Changed, got {other:?}"),
        }
        assert_eq!(std::fs::read(&path).expect("still there"), before);
        let message = stale
            .append(revocation(2))
            .expect_err("still stale")
            .to_string();
        assert!(message.contains("approvals.json"), "{message}");
        assert!(message.contains("run the command again"), "{message}");
    }
}
