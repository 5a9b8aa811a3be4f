//! State on disk: where it lives, and writing it so concurrent cron runs never corrupt
//! it — a whole-file write goes to a temporary file in the same directory and is renamed over the
//! old one. A file that cannot be parsed is reported and rebuilt, never fatal.
//!
//! Owns paths and bytes only; what the files mean belongs to their users (`marks` for log marks).

pub mod actions;
pub mod alerts;
pub mod detected;
pub mod history;
pub mod marks;
pub mod outbox;
pub mod samples;
pub mod silences;

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `--state-dir` / `MCPMON_STATE_DIR`, else `$XDG_STATE_HOME/mcpmon`, else `~/.local/state/mcpmon`.
pub fn state_dir(
    flag: Option<&Path>,
    xdg_state_home: Option<&str>,
    home: Option<&str>,
) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    if let Some(x) = xdg_state_home.filter(|x| !x.is_empty()) {
        return Some(Path::new(x).join("mcpmon"));
    }
    home.filter(|h| !h.is_empty())
        .map(|h| Path::new(h).join(".local/state/mcpmon"))
}

/// Takes an exclusive `flock` on `file`, waiting up to `wait` for another holder (polled every
/// 5 ms); `path` names it in the error.
pub fn lock_exclusive(
    file: std::fs::File,
    path: &Path,
    wait: std::time::Duration,
) -> std::io::Result<nix::fcntl::Flock<std::fs::File>> {
    use nix::fcntl::{Flock, FlockArg};
    let started = std::time::Instant::now();
    let mut f = file;
    loop {
        match Flock::lock(f, FlockArg::LockExclusiveNonblock) {
            Ok(l) => return Ok(l),
            Err((back, errno)) => {
                if errno != nix::errno::Errno::EWOULDBLOCK || started.elapsed() > wait {
                    return Err(std::io::Error::other(format!(
                        "cannot lock {}: {}",
                        path.display(),
                        if errno == nix::errno::Errno::EWOULDBLOCK {
                            "another mcpmon run holds it"
                        } else {
                            errno.desc()
                        }
                    )));
                }
                f = back;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
}

/// A JSON state file read-modified-written by concurrent runs: what it is called, its lock, and how
/// what is on disk (missing, or corrupt with a warning) becomes a value.
pub trait StateFile: Serialize + DeserializeOwned + Sized {
    const FILE: &'static str;
    const LOCK: &'static str;
    /// The value for what `read_json` found: a missing file (`Ok(None)`) or a corrupt one (`Err`, kept
    /// as the warning, the value started afresh).
    fn from_disk(read: Result<Option<Self>, String>) -> (Self, Option<String>);
    /// Nothing worth writing: a missing file then stays missing.
    fn is_empty(&self) -> bool {
        false
    }
}

/// The usual `StateFile::from_disk`: what was read, or `fresh()` when the file is missing, or
/// `fresh()` and the warning when it was corrupt.
pub fn read_or_fresh<T>(
    read: Result<Option<T>, String>,
    fresh: impl Fn() -> T,
) -> (T, Option<String>) {
    match read {
        Ok(f) => (f.unwrap_or_else(fresh), None),
        Err(w) => (fresh(), Some(w)),
    }
}

/// A state file, locked for a read-modify-write until dropped.
pub struct Locked<T> {
    _lock: nix::fcntl::Flock<std::fs::File>,
    path: PathBuf,
    pub file: T,
    /// Set when the file on disk was corrupt and has been started afresh.
    pub warning: Option<String>,
}

/// How long a run waits for another run holding a state file's lock.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl<T: StateFile> Locked<T> {
    /// Takes the file's lock in `state_dir` (waiting up to 10 s for another run) and reads it.
    pub fn open(state_dir: &Path) -> std::io::Result<Locked<T>> {
        std::fs::create_dir_all(state_dir)?;
        let lock_path = state_dir.join(T::LOCK);
        let lock_file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        let lock = lock_exclusive(lock_file, &lock_path, LOCK_WAIT)?;
        let path = state_dir.join(T::FILE);
        let (file, warning) = T::from_disk(read_json::<T>(&path));
        Ok(Locked {
            _lock: lock,
            path,
            file,
            warning,
        })
    }

    /// Writes the file back (atomically); the lock is released when `self` is dropped.
    pub fn save(&self) -> std::io::Result<()> {
        if self.file.is_empty() && !self.path.exists() {
            return Ok(());
        }
        write_json_atomic(&self.path, &self.file)
    }
}

/// Reads a JSON state file. Missing → `Ok(None)`; unreadable or corrupt → `Err(description)` so the
/// caller can say so and start afresh.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{} is corrupt ({e}); starting afresh", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes a JSON state file atomically: temporary file in the same directory, fsync, rename.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// Writes a file atomically: temporary file in the same directory, fsync, rename. Nothing is left
/// behind on failure, and a reader sees the old content or the new, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn state_dir_precedence() {
        assert_eq!(
            state_dir(Some(Path::new("/s")), Some("/x"), Some("/h")),
            Some(PathBuf::from("/s"))
        );
        assert_eq!(
            state_dir(None, Some("/x"), Some("/h")),
            Some(PathBuf::from("/x/mcpmon"))
        );
        assert_eq!(
            state_dir(None, Some(""), Some("/h")),
            Some(PathBuf::from("/h/.local/state/mcpmon"))
        );
        assert_eq!(state_dir(None, None, None), None);
    }

    #[test]
    fn atomic_write_then_read_and_corrupt_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/state.json");
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), 1u32);
        write_json_atomic(&p, &m).unwrap();
        let back: Option<BTreeMap<String, u32>> = read_json(&p).unwrap();
        assert_eq!(back, Some(m));
        // no temporary file is left behind
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
        std::fs::write(&p, b"{not json").unwrap();
        let err = read_json::<BTreeMap<String, u32>>(&p).unwrap_err();
        assert!(err.contains("corrupt"), "{err}");
        assert_eq!(
            read_json::<BTreeMap<String, u32>>(&dir.path().join("none.json")).unwrap(),
            None
        );
    }
}
