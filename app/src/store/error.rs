//! Why the share store refused to start or to do something, in words a user can act on: which
//! file, what is wrong with it, and what to do. netdoctor never replaces a store it cannot read.

use std::path::PathBuf;

/// The flag and variable that allow starting with an empty store when the old one is gone.
const NEW_STORE_HINT: &str = "--new-share-store (NETDOCTOR_NEW_SHARE_STORE=true)";

/// What went wrong in the share store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or directory operation failed (create, read, restrict, sync).
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What netdoctor was doing, as a verb phrase ("create the data directory").
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite could not open the file or set it up (permissions, read-only file system, …).
    #[error(
        "cannot open the share store {}: {source}; check that the file and its directory belong \
         to netdoctor's user and are writable",
        path.display()
    )]
    Open {
        /// The database file.
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file is not a SQLite database at all.
    #[error(
        "{} is not a SQLite database, so it is not netdoctor's share store and netdoctor will \
         not overwrite it. Move it aside (mv {0} {0}.broken) to start with an empty store, or put \
         back a backup",
        path.display()
    )]
    NotADatabase {
        /// The database file.
        path: PathBuf,
    },
    /// The file is a SQLite database that fails SQLite's own consistency check.
    #[error(
        "the share store {} is damaged (SQLite's quick_check says: {detail}). netdoctor will not \
         touch it: put back a backup, or move it aside (mv {0} {0}.broken) to start with an \
         empty store",
        path.display()
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The first lines of SQLite's report.
        detail: String,
    },
    /// A newer netdoctor wrote the file; this one would not understand its schema.
    #[error(
        "the share store {} was written by a newer netdoctor (schema version {found}; this one \
         knows up to {known}). Run that newer netdoctor, or put back a backup this version wrote: \
         netdoctor never downgrades a store",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// The newest schema this build knows.
        known: usize,
    },
    /// A schema migration failed; its transaction was rolled back, the file is as it was.
    #[error(
        "cannot bring the share store {} to schema version {version}: {source}. Nothing was \
         changed; put back a backup if the file was edited by hand, else report this as a bug",
        path.display()
    )]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The schema version that failed.
        version: usize,
        #[source]
        source: rusqlite::Error,
    },
    /// The marker says links were stored here, but the database file is gone.
    #[error(
        "{file} is missing from {} though snapshots were stored there since {since}; restore it, \
         or start with {NEW_STORE_HINT} to begin with an empty store",
        dir.display()
    )]
    Missing {
        /// The database file's name.
        file: &'static str,
        /// The data directory.
        dir: PathBuf,
        /// When the store was first made, from the marker.
        since: String,
    },
    /// The marker says links were stored here, but the database file is empty (no schema).
    #[error(
        "{file} in {} is empty though snapshots were stored there since {since}; restore it, or \
         start with {NEW_STORE_HINT} to begin with an empty store",
        dir.display()
    )]
    Emptied {
        /// The database file's name.
        file: &'static str,
        /// The data directory.
        dir: PathBuf,
        /// When the store was first made, from the marker.
        since: String,
    },
    /// A query failed after the store opened (disk full, I/O error, file removed, …).
    #[error("the share store {} failed: {source}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The operating system's random source failed; no token can be made without it.
    #[error("the operating system could not supply random bytes for a link: {0}")]
    Random(getrandom::Error),
    /// The worker thread running the query panicked or was cancelled.
    #[error("the share store's worker thread failed: {0}")]
    Worker(String),
    /// A kind that is not a short lowercase word.
    #[error(
        "a shared link's kind must be 1 to {max} lowercase letters, digits, '-' or '_', starting \
         with a letter (got {kind:?})"
    )]
    BadKind {
        /// The refused kind, clipped.
        kind: String,
        /// The longest kind allowed.
        max: usize,
    },
    /// A title longer than allowed.
    #[error("a shared link's title may have at most {max} characters (this one has {chars})")]
    TitleTooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A snapshot larger than allowed.
    #[error("the snapshot is {bytes} bytes; a shared snapshot may be at most {max} bytes")]
    PayloadTooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A lifetime of zero.
    #[error("a shared link must live longer than 0 seconds")]
    ZeroTtl,
    /// A lifetime beyond the maximum.
    #[error("a shared link may live at most {max}, not {requested}")]
    TtlTooLong {
        /// What was asked for, like `120d`.
        requested: String,
        /// The limit, like `90d`.
        max: String,
    },
}

impl StoreError {
    /// True when the request was refused for what it asked (kind, title, size, lifetime), so an
    /// API answers "bad input" rather than "internal error".
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Self::BadKind { .. }
                | Self::TitleTooLong { .. }
                | Self::PayloadTooLarge { .. }
                | Self::ZeroTtl
                | Self::TtlTooLong { .. }
        )
    }
}
