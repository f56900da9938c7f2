//! Opening the store: refuse what is not ours or is damaged, notice a store that vanished, set
//! up durability, and migrate the schema forward (never backward) in one transaction.
//!
//! A marker file beside the database (`shares.db.created`, holding the creation time) is what
//! tells "never made" from "made and then lost": without it a deleted or emptied database would
//! silently come back empty.

use super::error::StoreError;
use super::{StoreOptions, DB_FILE, MARKER_FILE};
use crate::domain::time::utc_text;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a statement waits for another connection's lock (another netdoctor on the same
/// data directory, or a backup tool) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one step per version: step `i` takes `user_version` from `i` to `i + 1`.
/// Append only; a released step never changes.
const MIGRATIONS: &[&str] = &[
    // 1: the shared links. `lookup` is the token's first half; `verifier` is SHA-256 of its
    // second half, so the file holds nothing that opens a link. Times are ms since 1970.
    "CREATE TABLE shares (
        id          TEXT    NOT NULL PRIMARY KEY,
        lookup      BLOB    NOT NULL UNIQUE,
        verifier    BLOB    NOT NULL,
        kind        TEXT    NOT NULL,
        title       TEXT    NOT NULL,
        payload     TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        revoked_at  INTEGER,
        views       INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX shares_by_creation ON shares (created_at);",
];

/// The schema version this build writes.
pub(super) const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Opens (creating or migrating) `shares.db` in `data_dir`.
pub(super) fn open(data_dir: &Path, options: &StoreOptions) -> Result<Connection, StoreError> {
    let path = data_dir.join(DB_FILE);
    let marker = data_dir.join(MARKER_FILE);
    fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
        action: "create the data directory",
        path: data_dir.to_owned(),
        source,
    })?;
    let since = read_marker(&marker)?;
    let exists = path.try_exists().map_err(|source| StoreError::Io {
        action: "look for the share store",
        path: path.clone(),
        source,
    })?;
    if !exists {
        if let (Some(since), false) = (&since, options.allow_new) {
            return Err(StoreError::Missing {
                file: DB_FILE,
                dir: data_dir.to_owned(),
                since: since.clone(),
            });
        }
        create_private(&path)?;
    }
    // Never SQLITE_OPEN_CREATE: a file that vanished since the check must not come back empty.
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| refusal(&path, e))?;
    // SQLite gives the -wal and -shm files the database's mode, so this covers them too.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).map_err(|source| {
        StoreError::Io {
            action: "restrict to its owner the share store",
            path: path.clone(),
            source,
        }
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| refusal(&path, e))?;
    // Read-only checks first: nothing is written to a file that may not be ours.
    quick_check(&conn, &path)?;
    let version = user_version(&conn).map_err(|e| refusal(&path, e))?;
    check_version(version, &path)?;
    if version == 0 {
        if let (Some(since), false) = (&since, options.allow_new) {
            return Err(StoreError::Emptied {
                file: DB_FILE,
                dir: data_dir.to_owned(),
                since: since.clone(),
            });
        }
    }
    set_durability(&conn).map_err(|e| refusal(&path, e))?;
    let mut conn = conn;
    migrate(&mut conn, &path)?;
    if since.is_none() || version == 0 {
        write_marker(&marker, data_dir)?;
    }
    Ok(conn)
}

/// Sorts SQLite's answer while opening: not a database, damaged, or could not open.
fn refusal(path: &Path, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_owned(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_owned(),
            detail: error.to_string(),
        },
        _ => StoreError::Open {
            path: path.to_owned(),
            source: error,
        },
    }
}

/// Creates an empty file readable by its owner only (SQLite makes it a database).
fn create_private(path: &Path) -> Result<(), StoreError> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        // Someone else created it meanwhile: open it like any existing store.
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Io {
            action: "create the share store",
            path: path.to_owned(),
            source,
        }),
    }
}

/// SQLite's quick consistency check; anything but `ok` refuses the file.
fn quick_check(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let report = conn
        .prepare("PRAGMA quick_check(3)")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| refusal(path, e))?;
    if report.len() == 1 && report[0] == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: report.join("; "),
        })
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Refuses a schema newer than this build knows (or a negative one, which no netdoctor writes).
fn check_version(version: i64, path: &Path) -> Result<usize, StoreError> {
    usize::try_from(version)
        .ok()
        .filter(|v| *v <= SCHEMA_VERSION)
        .ok_or_else(|| StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            known: SCHEMA_VERSION,
        })
}

/// A write-ahead log, synced on every commit: a commit that returned survives a crash or power
/// loss (NORMAL would only survive a crash of netdoctor itself).
fn set_durability(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "SQLite kept journal_mode={mode} instead of WAL"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")
}

/// Applies the missing steps and the new version in one exclusive transaction, so a store is
/// never half migrated and two netdoctors starting together do not both migrate.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let failed = |version, source| StoreError::Migrate {
        path: path.to_owned(),
        version,
        source,
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|e| refusal(path, e))?;
    let from = check_version(user_version(&tx).map_err(|e| refusal(path, e))?, path)?;
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        tx.execute_batch(sql).map_err(|e| failed(step + 1, e))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION as i64)
        .and_then(|()| tx.commit())
        .map_err(|e| failed(SCHEMA_VERSION, e))
}

/// When the store was made, from the marker, or `None` when there is no marker.
fn read_marker(marker: &Path) -> Result<Option<String>, StoreError> {
    match fs::read_to_string(marker) {
        Ok(text) => {
            let first = text.lines().next().unwrap_or("").trim();
            let since: String = first.chars().filter(|c| !c.is_control()).take(64).collect();
            Ok(Some(if since.is_empty() {
                "an unknown time".into()
            } else {
                since
            }))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::Io {
            action: "read the share store's marker",
            path: marker.to_owned(),
            source,
        }),
    }
}

/// Writes the marker atomically (temporary file, fsync, rename, fsync of the directory, which
/// also makes the new database's directory entry durable).
fn write_marker(marker: &Path, dir: &Path) -> Result<(), StoreError> {
    let io = |action, path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Io {
            action,
            path,
            source,
        }
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default();
    let tmp = marker.with_extension("created.tmp");
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io("write the share store's marker", &tmp))?;
    writeln!(
        file,
        "{}\nnetdoctor stores shared links in {DB_FILE} here. While this file exists, netdoctor \
         refuses to start without {DB_FILE} rather than begin again with an empty store.",
        utc_text(now_ms)
    )
    .and_then(|()| file.sync_all())
    .map_err(io("write the share store's marker", &tmp))?;
    fs::rename(&tmp, marker).map_err(io("write the share store's marker", marker))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync the data directory", dir))
}
