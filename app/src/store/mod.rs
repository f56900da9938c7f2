//! Shared diagnostic links, kept in SQLite (`shares.db` in the data directory) so they survive
//! restarts and crashes: each link is a frozen, redacted snapshot behind an unguessable token,
//! with an expiry and a revocation.
//!
//! The token is an [`crate::token::SplitToken`]: its first half finds the row, and only SHA-256
//! of its second half is stored, compared in constant time; so a copy of the database opens no
//! link. The public [`ShareInfo::id`] is a separate random handle for listing and revoking.
//!
//! Every write is one transaction in a write-ahead log synced on commit: a link handed out
//! survives `kill -9` and power loss. A database that is not ours, is damaged, comes from a newer
//! netdoctor or has vanished stops netdoctor at start with a message saying what to do
//! ([`StoreError`]); it is never replaced.

mod error;
mod open;
#[cfg(any(test, feature = "testkit"))]
mod temp;
#[cfg(test)]
mod tests;

pub use crate::domain::share_link::{Refused, ShareInfo};
pub use error::StoreError;
#[cfg(any(test, feature = "testkit"))]
pub use temp::TempDir;

use crate::domain::time::format_seconds;
use crate::token::{constant_time_eq, parse_hex, random_bytes, to_hex, SplitToken};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The database file in the data directory.
pub const DB_FILE: &str = "shares.db";
/// Beside it: written when the store is first made, so a lost database is noticed.
pub const MARKER_FILE: &str = "shares.db.created";
/// How long a link lives unless asked otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// The longest a link may live.
pub const MAX_TTL: Duration = Duration::from_secs(90 * 24 * 3600);
/// The largest snapshot stored.
pub const MAX_PAYLOAD_BYTES: usize = 4 * 1024 * 1024;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest kind, in ASCII characters.
pub const MAX_KIND_LEN: usize = 32;
/// Random bytes in a public id (16 hex characters).
const ID_BYTES: usize = 8;

/// How the store behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Lifetime of a link made without one ([`DEFAULT_TTL`]).
    pub default_ttl: Duration,
    /// Longer lifetimes are refused ([`MAX_TTL`]).
    pub max_ttl: Duration,
    /// Larger snapshots are refused ([`MAX_PAYLOAD_BYTES`]).
    pub max_payload_bytes: usize,
    /// Start with an empty store when the marker says one existed but the database is missing
    /// or empty (`--new-share-store`). Never deletes or replaces a database that is there.
    pub allow_new: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            default_ttl: DEFAULT_TTL,
            max_ttl: MAX_TTL,
            max_payload_bytes: MAX_PAYLOAD_BYTES,
            allow_new: false,
        }
    }
}

/// A link to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShare {
    /// What is shared: 1 to [`MAX_KIND_LEN`] of `a-z`, `0-9`, `-`, `_`, starting with a letter
    /// (`wizard`, `graph`, `container`, `connect`).
    pub kind: String,
    /// At most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// The redacted snapshot as JSON text, stored and returned byte for byte.
    pub payload: String,
    /// `None`: [`StoreOptions::default_ttl`]. Zero or more than `max_ttl` is refused.
    pub ttl: Option<Duration>,
}

/// A link just made. The token is shown once; the store keeps only a hash of its secret half.
#[derive(Clone, PartialEq, Eq)]
pub struct Created {
    /// 64 lowercase hex characters: the secret part of the link.
    pub token: String,
    pub info: ShareInfo,
}

impl std::fmt::Debug for Created {
    /// Never prints the token: it opens the link.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Created")
            .field("token", &"<hidden>")
            .field("info", &self.info)
            .finish()
    }
}

/// An opened link: what it is and the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// Its views include this one.
    pub info: ShareInfo,
    pub payload: String,
}

/// The shared links in the data directory. Cheap to clone; all clones share one connection.
#[derive(Clone)]
pub struct ShareStore {
    inner: Arc<Inner>,
}

struct Inner {
    // Declared before `_temp` so the connection closes before a temporary directory goes.
    conn: Mutex<Connection>,
    path: PathBuf,
    options: StoreOptions,
    #[cfg(feature = "testkit")]
    _temp: Option<TempDir>,
}

impl std::fmt::Debug for ShareStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareStore")
            .field("path", &self.inner.path)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl ShareStore {
    /// Opens `shares.db` in `data_dir` (mode 0600), creating it, or migrating it to this build's
    /// schema. Refuses, with what to do, a file that is not SQLite, fails SQLite's quick_check,
    /// was written by a newer netdoctor, or is missing or empty while the marker says links were
    /// stored (unless `options.allow_new`). Blocking: call it at start-up.
    pub fn open(data_dir: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        check_ttl(options.default_ttl, options.max_ttl)?;
        let conn = open::open(data_dir, &options)?;
        Ok(Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path: data_dir.join(DB_FILE),
                options,
                #[cfg(feature = "testkit")]
                _temp: None,
            }),
        })
    }

    /// A store with default options in a new temporary directory, removed when the last clone
    /// is dropped: for tests that need an `AppState`.
    #[cfg(feature = "testkit")]
    pub fn temporary() -> Result<Self, StoreError> {
        let dir = TempDir::new("shares").map_err(|source| StoreError::Io {
            action: "create a temporary directory in",
            path: std::env::temp_dir(),
            source,
        })?;
        let options = StoreOptions::default();
        let conn = open::open(dir.path(), &options)?;
        Ok(Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path: dir.path().join(DB_FILE),
                options,
                _temp: Some(dir),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The options it was opened with (the default lifetime, for a form).
    pub fn options(&self) -> &StoreOptions {
        &self.inner.options
    }

    /// Stores a snapshot and returns its new token. Refuses a bad kind, a long title, a large
    /// payload or a lifetime of zero or over the maximum before anything is written.
    pub async fn create(&self, new: NewShare, now: SystemTime) -> Result<Created, StoreError> {
        let ttl = self.check(&new)?;
        let token = SplitToken::generate().map_err(StoreError::Random)?;
        let created_at_ms = unix_ms(now);
        let info = ShareInfo {
            id: to_hex(&random_bytes::<ID_BYTES>().map_err(StoreError::Random)?),
            kind: new.kind,
            title: new.title,
            created_at_ms,
            expires_at_ms: created_at_ms.saturating_add(duration_ms(ttl)),
            revoked_at_ms: None,
            views: 0,
        };
        let row = info.clone();
        let verifier = verifier_hash(&token.secret);
        let lookup = token.lookup;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO shares (id, lookup, verifier, kind, title, payload, created_at, \
                 expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    row.id,
                    &lookup[..],
                    &verifier[..],
                    row.kind,
                    row.title,
                    new.payload,
                    sql_int(row.created_at_ms),
                    sql_int(row.expires_at_ms),
                ],
            )?;
            tx.commit()
        })
        .await?;
        Ok(Created {
            token: token.to_hex(),
            info,
        })
    }

    /// The snapshot behind `token`, counting the view; or why it does not open. Unknown,
    /// malformed (anything but 64 lowercase hex) and tampered tokens all answer
    /// [`Refused::NotFound`]; malformed ones without a query. A revoked link answers `Revoked`
    /// even after its expiry.
    pub async fn open_token(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<Result<Shared, Refused>, StoreError> {
        let Some(token) = SplitToken::parse(token) else {
            return Ok(Err(Refused::NotFound));
        };
        let now_ms = unix_ms(now);
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found = tx
                .query_row(
                    &format!("SELECT verifier, {INFO_COLUMNS} FROM shares WHERE lookup = ?1"),
                    [&token.lookup[..]],
                    |row| Ok((row.get::<_, Vec<u8>>(0)?, info_from_row(row, 1)?)),
                )
                .optional()?;
            let Some((verifier, mut info)) = found else {
                return Ok(Err(Refused::NotFound));
            };
            if !constant_time_eq(&verifier, &verifier_hash(&token.secret)) {
                return Ok(Err(Refused::NotFound));
            }
            if let Some(refused) = info.refusal_at(now_ms) {
                return Ok(Err(refused));
            }
            let payload: String = tx.query_row(
                "UPDATE shares SET views = views + 1 WHERE id = ?1 RETURNING payload",
                [&info.id],
                |row| row.get(0),
            )?;
            tx.commit()?;
            info.views += 1;
            Ok(Ok(Shared { info, payload }))
        })
        .await
    }

    /// Every link, newest first, expired and revoked ones included (the page shows them greyed;
    /// [`ShareInfo::refusal_at`] tells which). Nothing is filtered by `now`: the parameter keeps
    /// the interface uniform and leaves room for a view that needs the clock.
    pub async fn list(&self, _now: SystemTime) -> Result<Vec<ShareInfo>, StoreError> {
        self.run(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {INFO_COLUMNS} FROM shares ORDER BY created_at DESC, rowid DESC"
            ))?;
            let rows = stmt.query_map([], |row| info_from_row(row, 0))?;
            rows.collect()
        })
        .await
    }

    /// Revokes the link with this public id: `true` when it exists (revoking again keeps the
    /// first time), `false` when no link has this id (malformed ids included).
    pub async fn revoke(&self, id: &str, now: SystemTime) -> Result<bool, StoreError> {
        if parse_hex::<ID_BYTES>(id).is_none() {
            return Ok(false);
        }
        let id = id.to_owned();
        let now_ms = sql_int(unix_ms(now));
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists = tx
                .query_row("SELECT 1 FROM shares WHERE id = ?1", [&id], |_| Ok(()))
                .optional()?
                .is_some();
            tx.execute(
                "UPDATE shares SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now_ms],
            )?;
            tx.commit()?;
            Ok(exists)
        })
        .await
    }

    /// Deletes the links that expired or were revoked more than `keep_after_expiry` before
    /// `now`; returns how many. Until then they stay listed (and answer Expired or Revoked
    /// rather than NotFound).
    pub async fn purge(
        &self,
        now: SystemTime,
        keep_after_expiry: Duration,
    ) -> Result<usize, StoreError> {
        let cutoff = sql_int(unix_ms(now).saturating_sub(duration_ms(keep_after_expiry)));
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let deleted = tx.execute(
                "DELETE FROM shares WHERE expires_at <= ?1 OR revoked_at <= ?1",
                [cutoff],
            )?;
            tx.commit()?;
            Ok(deleted)
        })
        .await
    }

    /// The lifetime to use, after checking everything the caller gave.
    fn check(&self, new: &NewShare) -> Result<Duration, StoreError> {
        let options = &self.inner.options;
        if !is_kind(&new.kind) {
            return Err(StoreError::BadKind {
                kind: new.kind.chars().take(MAX_KIND_LEN + 8).collect(),
                max: MAX_KIND_LEN,
            });
        }
        let chars = new.title.chars().count();
        if chars > MAX_TITLE_CHARS {
            return Err(StoreError::TitleTooLong {
                chars,
                max: MAX_TITLE_CHARS,
            });
        }
        if new.payload.len() > options.max_payload_bytes {
            return Err(StoreError::PayloadTooLarge {
                bytes: new.payload.len(),
                max: options.max_payload_bytes,
            });
        }
        let ttl = new.ttl.unwrap_or(options.default_ttl);
        check_ttl(ttl, options.max_ttl)?;
        Ok(ttl)
    }

    /// Runs `work` on the connection in the blocking pool; the mutex serialises this process's
    /// queries, SQLite's locks and busy timeout other processes'.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // A panic inside a transaction rolled it back when the transaction dropped, so
            // the connection is consistent even if the mutex is poisoned.
            let mut conn = inner.conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn).map_err(|source| StoreError::Database {
                path: inner.path.clone(),
                source,
            })
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }
}

/// Refuses a lifetime of zero or over `max`.
fn check_ttl(ttl: Duration, max: Duration) -> Result<(), StoreError> {
    if ttl.is_zero() {
        return Err(StoreError::ZeroTtl);
    }
    if ttl > max {
        return Err(StoreError::TtlTooLong {
            requested: format_seconds(ttl.as_secs()),
            max: format_seconds(max.as_secs()),
        });
    }
    Ok(())
}

fn is_kind(kind: &str) -> bool {
    kind.len() <= MAX_KIND_LEN
        && kind.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && kind
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

/// The columns [`info_from_row`] reads, in its order.
const INFO_COLUMNS: &str = "id, kind, title, created_at, expires_at, revoked_at, views";

fn info_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<ShareInfo> {
    let ms = |i: usize| row.get::<_, i64>(first + i).map(from_sql_int);
    Ok(ShareInfo {
        id: row.get(first)?,
        kind: row.get(first + 1)?,
        title: row.get(first + 2)?,
        created_at_ms: ms(3)?,
        expires_at_ms: ms(4)?,
        revoked_at_ms: row.get::<_, Option<i64>>(first + 5)?.map(from_sql_int),
        views: ms(6)?,
    })
}

/// What the store keeps of a token's secret half.
fn verifier_hash(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, duration_ms)
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// SQLite integers are signed; times and counts here never reach 2^63.
fn sql_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn from_sql_int(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
