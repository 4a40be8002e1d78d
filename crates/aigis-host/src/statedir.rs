//! The state directory holds secrets: `forge.db` has the audit MAC key and
//! the log signing seeds in secret storage, `bridge.token` guards the test
//! bridge. So the directory is the owner's alone (0700) and every file the
//! host writes there is 0600, also when they existed before with looser
//! modes. Only the host's own files are touched: a state dir given as `.`
//! does not get the rest of the directory chmod-ed.

use std::io;
use std::path::Path;

/// The databases the host keeps in the state dir.
/// (`okta.db` and `graph.db`: the identity-provider simulators, `crate::idp`.)
pub(crate) const DATABASES: [&str; 5] = ["forge.db", "jira.db", "host.db", "okta.db", "graph.db"];
/// The token file of `aigis up --test-bridge`.
pub const BRIDGE_TOKEN: &str = "bridge.token";
/// The compiled-component cache.
pub(crate) const CACHE_DIR: &str = "cache";
/// Files SQLite keeps beside a database.
const SQLITE_SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Creates `dir` (and any missing parent) if needed; `dir` ends 0700.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
        builder.create(dir)?;
        set_mode(dir, 0o700)
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Writes `bytes` to `path`, readable and writable by the owner only (an
/// existing file is truncated and its mode tightened first).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    // Truncated only once nobody else can read it.
    f.set_len(0)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Creates `path` empty and 0600 unless it exists. SQLite gives a new
/// database 0644 and its side files the database's mode, so each database
/// is created here first.
fn touch_private(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Tightens a file to 0600 when it is a regular file (a symlink is left
/// alone: its target is not the host's).
fn tighten_file(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            set_mode(path, 0o600)?;
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The dir 0700 and each of the host's files in it 0600: the databases and
/// their side files, the bridge token, and the cache dir (0700) with
/// everything in it.
pub(crate) fn tighten(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    for db in DATABASES {
        tighten_file(&dir.join(db))?;
        for side in SQLITE_SIDE_FILES {
            tighten_file(&dir.join(format!("{db}{side}")))?;
        }
    }
    tighten_file(&dir.join(BRIDGE_TOKEN))?;
    let cache = dir.join(CACHE_DIR);
    if std::fs::symlink_metadata(&cache).is_ok_and(|m| m.is_dir()) {
        create_private_dir(&cache)?;
        for entry in std::fs::read_dir(&cache)? {
            tighten_file(&entry?.path())?;
        }
    }
    Ok(())
}

/// Makes `dir` ready for the host to open its databases in: private, with
/// each database present and 0600 before SQLite opens it.
pub(crate) fn prepare(dir: &Path) -> io::Result<()> {
    tighten(dir)?;
    for db in DATABASES {
        touch_private(&dir.join(db))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn write_private_tightens_an_existing_loose_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("bridge.token");
        std::fs::write(&f, "old token, longer than the new one").unwrap();
        set_mode(&f, 0o644).unwrap();
        write_private(&f, b"new").unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        let g = dir.path().join("fresh");
        write_private(&g, b"x").unwrap();
        assert_eq!(mode(&g), 0o600);
    }

    #[test]
    fn prepare_creates_private_databases_and_leaves_other_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("a/b/state");
        prepare(&state).unwrap();
        assert_eq!(mode(&state), 0o700);
        for db in DATABASES {
            assert_eq!(mode(&state.join(db)), 0o600, "{db}");
        }
        let other = state.join("notes.txt");
        std::fs::write(&other, "mine").unwrap();
        set_mode(&other, 0o644).unwrap();
        set_mode(&state, 0o755).unwrap();
        tighten(&state).unwrap();
        assert_eq!(mode(&state), 0o700);
        assert_eq!(mode(&other), 0o644);
    }
}
