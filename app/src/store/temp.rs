//! A directory under the system's temporary directory, removed with everything in it on drop:
//! for tests of the store and of whatever holds one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh, empty directory that is removed when this value drops.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `netdoctor-<tag>-<pid>-<n>-<random>` in the temporary directory.
    pub fn new(tag: &str) -> std::io::Result<Self> {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let salt = crate::token::random_bytes::<4>()
            .map(|b| crate::token::to_hex(&b))
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("netdoctor-{tag}-{}-{n}-{salt}", std::process::id()));
        std::fs::create_dir(&dir)?;
        Ok(Self(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
