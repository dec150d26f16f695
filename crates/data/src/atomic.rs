//! Writing outputs so that a reader never sees half of one: files are written under a temporary
//! name in the same directory, flushed to disk, then renamed into place.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` atomically: `write` fills a temporary file beside it, which is synced and then
/// renamed over `path`. On any error the temporary file is removed and `path` is untouched.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&mut fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = parent_dir(path);
    fs::create_dir_all(&dir)?;
    let prefix = format!(".{}.", file_name(path));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A temporary file is private (0600) by default; renamed into place it is an output like
    // any other, so it gets the mode `File::create` gives: 0666 less the user's umask (a shard
    // written on one account and merged on another must be readable there).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(&dir)?;
    {
        let mut writer = BufWriter::new(temp.as_file_mut());
        write(&mut writer)?;
        writer.flush()?;
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A directory of outputs assembled out of sight and moved into place by [`StagedDir::commit`].
///
/// Dropped without a commit, the staging directory is deleted and the target is untouched.
#[derive(Debug)]
pub struct StagedDir {
    staging: tempfile::TempDir,
    target: PathBuf,
}

impl StagedDir {
    /// Starts staging outputs for `target` (in a hidden directory beside it).
    pub fn new(target: &Path) -> io::Result<StagedDir> {
        let parent = parent_dir(target);
        fs::create_dir_all(&parent)?;
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{}.", file_name(target)))
            .suffix(".tmp")
            .tempdir_in(&parent)?;
        Ok(StagedDir {
            staging,
            target: target.to_path_buf(),
        })
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// Moves the staged files into the target: the whole directory at once when the target does
    /// not exist yet, otherwise file by file (each rename atomic), replacing files of the same
    /// name and leaving any others in the target alone.
    pub fn commit(self) -> io::Result<PathBuf> {
        let staged = self.staging.keep();
        if !self.target.exists() {
            fs::rename(&staged, &self.target)?;
            return Ok(self.target);
        }
        for entry in fs::read_dir(&staged)? {
            let entry = entry?;
            fs::rename(entry.path(), self.target.join(entry.file_name()))?;
        }
        fs::remove_dir(&staged)?;
        Ok(self.target)
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        let result = write_file(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read_dir(dir.path()).expect("read").count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_written_file_has_the_mode_a_created_one_has() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let created = dir.path().join("created");
        fs::File::create(&created).expect("create");
        let written = dir.path().join("written");
        write_file(&written, |w| w.write_all(b"x")).expect("write");
        let mode = |p: &Path| fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&written), mode(&created));
    }

    #[test]
    fn staged_dir_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("run");
        {
            let staged = StagedDir::new(&target).expect("stage");
            fs::write(staged.path().join("a.txt"), "a").expect("write");
            // dropped without commit
        }
        assert_eq!(fs::read_dir(dir.path()).expect("read").count(), 0);
        let staged = StagedDir::new(&target).expect("stage");
        fs::write(staged.path().join("a.txt"), "a").expect("write");
        staged.commit().expect("commit");
        assert_eq!(fs::read_to_string(target.join("a.txt")).expect("read"), "a");
        // Committing again over an existing directory replaces the file, keeps the others.
        fs::write(target.join("keep.txt"), "k").expect("write");
        let staged = StagedDir::new(&target).expect("stage");
        fs::write(staged.path().join("a.txt"), "b").expect("write");
        staged.commit().expect("commit");
        assert_eq!(fs::read_to_string(target.join("a.txt")).expect("read"), "b");
        assert!(target.join("keep.txt").exists());
        assert_eq!(fs::read_dir(dir.path()).expect("read").count(), 1);
    }
}
