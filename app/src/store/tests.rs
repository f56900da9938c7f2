#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::os::unix::fs::PermissionsExt;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// A fixed "now" (2025-11-27), so expiry tests never depend on the clock.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_764_238_503)
}

fn dir() -> TempDir {
    TempDir::new("store-test").unwrap()
}

fn open_in(dir: &TempDir) -> ShareStore {
    ShareStore::open(dir.path(), StoreOptions::default()).unwrap()
}

fn share(title: &str) -> NewShare {
    NewShare {
        kind: "graph".into(),
        title: title.into(),
        payload: format!(r#"{{"title":{title:?},"nodes":[]}}"#),
        ttl: None,
    }
}

/// `shares.db` in `dir`, made by hand with `sql` (not by the store).
fn made_by_hand(dir: &TempDir, sql: &str) -> std::path::PathBuf {
    let path = dir.path().join(DB_FILE);
    Connection::open(&path).unwrap().execute_batch(sql).unwrap();
    path
}

/// Why opening `dir` with default options fails, and the message, which must name the file.
fn refused(dir: &TempDir) -> (StoreError, String) {
    let err = ShareStore::open(dir.path(), StoreOptions::default()).unwrap_err();
    let message = err.to_string();
    let file = dir.path().display().to_string();
    assert!(
        message.contains(&file),
        "the message does not name {file}: {message}"
    );
    (err, message)
}

fn allowing_new() -> StoreOptions {
    StoreOptions {
        allow_new: true,
        ..StoreOptions::default()
    }
}

/// Deletes these files from `dir` if they are there.
fn remove(dir: &TempDir, files: &[&str]) {
    for file in files {
        let _ = std::fs::remove_file(dir.path().join(file));
    }
}

fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// The token with the hex digit at `at` replaced by another one.
fn with_digit_changed(token: &str, at: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

async fn not_found(store: &ShareStore, token: &str) -> bool {
    store.open_token(token, t0()).await.unwrap() == Err(Refused::NotFound)
}

#[tokio::test]
async fn a_created_share_opens_with_its_payload_and_counts_each_view() {
    let dir = dir();
    let store = open_in(&dir);
    let new = share("web cannot reach db");
    let created = store.create(new.clone(), t0()).await.unwrap();
    assert_eq!(created.info.views, 0);
    assert_eq!(created.info.created_at_ms, 1_764_238_503_000);
    assert_eq!(
        created.info.expires_at_ms,
        1_764_238_503_000 + 7 * 24 * 3_600_000
    );
    for views in 1..=3 {
        let shared = store
            .open_token(&created.token, t0() + HOUR)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(shared.payload, new.payload);
        assert_eq!(shared.info.views, views);
        assert_eq!(shared.info.title, "web cannot reach db");
    }
    assert_eq!(store.list(t0()).await.unwrap()[0].views, 3);
}

#[tokio::test]
async fn the_public_id_is_16_hex_and_not_part_of_the_token() {
    let dir = dir();
    let store = open_in(&dir);
    let created = store.create(share("a"), t0()).await.unwrap();
    assert_eq!(created.info.id.len(), 16);
    assert!(parse_hex::<8>(&created.info.id).is_some());
    assert!(!created.token.contains(&created.info.id));
    assert!(not_found(&store, &created.info.id).await);
    assert!(!format!("{created:?}").contains(&created.token));
}

#[tokio::test]
async fn a_token_with_one_digit_changed_in_the_lookup_half_is_not_found() {
    let dir = dir();
    let store = open_in(&dir);
    let created = store.create(share("a"), t0()).await.unwrap();
    for at in [0, 7, 31] {
        assert!(not_found(&store, &with_digit_changed(&created.token, at)).await);
    }
    assert!(store
        .open_token(&created.token, t0())
        .await
        .unwrap()
        .is_ok());
}

#[tokio::test]
async fn a_token_with_one_digit_changed_in_the_verifier_half_is_not_found() {
    let dir = dir();
    let store = open_in(&dir);
    let created = store.create(share("a"), t0()).await.unwrap();
    for at in [32, 48, 63] {
        assert!(not_found(&store, &with_digit_changed(&created.token, at)).await);
    }
    // The forgeries counted no view and did not spoil the real link.
    let shared = store
        .open_token(&created.token, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shared.info.views, 1);
}

#[tokio::test]
async fn ten_thousand_random_well_formed_tokens_are_all_not_found() {
    let dir = dir();
    let store = open_in(&dir);
    for i in 0..20 {
        store.create(share(&format!("s{i}")), t0()).await.unwrap();
    }
    for _ in 0..10_000 {
        let guess = SplitToken::generate().unwrap().to_hex();
        assert!(not_found(&store, &guess).await, "{guess} opened a link");
    }
    assert!(store.list(t0()).await.unwrap().iter().all(|s| s.views == 0));
}

#[tokio::test]
async fn malformed_tokens_are_not_found() {
    let dir = dir();
    let store = open_in(&dir);
    let token = store.create(share("a"), t0()).await.unwrap().token;
    let upper = token.to_uppercase();
    let long = format!("{token}0");
    let spaced = format!(" {token}");
    let trailing_newline = format!("{token}\n");
    let non_hex = format!("{}g", &token[..63]);
    let multibyte = format!("{}\u{e9}", &token[..62]);
    let with_slash = format!("{}/", &token[..63]);
    let nul = format!("{}\0", &token[..63]);
    for bad in [
        "",
        &token[..63],
        &token[..32],
        &long,
        &spaced,
        &trailing_newline,
        &non_hex,
        &multibyte,
        &with_slash,
        &nul,
        "' OR 1=1 --",
    ] {
        assert!(not_found(&store, bad).await, "{bad:?}");
    }
    if upper != token {
        assert!(not_found(&store, &upper).await);
    }
    assert!(store.open_token(&token, t0()).await.unwrap().is_ok());
}

#[tokio::test]
async fn a_link_past_its_expiry_answers_expired_with_the_expiry_time() {
    let dir = dir();
    let store = open_in(&dir);
    let new = NewShare {
        ttl: Some(2 * HOUR),
        ..share("a")
    };
    let created = store.create(new, t0()).await.unwrap();
    let expires = created.info.expires_at_ms;
    assert_eq!(expires, created.info.created_at_ms + 2 * 3_600_000);
    let just_before = t0() + 2 * HOUR - Duration::from_millis(1);
    assert!(store
        .open_token(&created.token, just_before)
        .await
        .unwrap()
        .is_ok());
    for later in [t0() + 2 * HOUR, t0() + 30 * DAY] {
        assert_eq!(
            store.open_token(&created.token, later).await.unwrap(),
            Err(Refused::Expired {
                expired_at_ms: expires
            })
        );
    }
}

#[tokio::test]
async fn a_revoked_link_answers_revoked_and_an_unknown_id_cannot_be_revoked() {
    let dir = dir();
    let store = open_in(&dir);
    let created = store.create(share("a"), t0()).await.unwrap();
    let other = store.create(share("b"), t0()).await.unwrap();
    let revoked_at = t0() + HOUR;
    assert!(store.revoke(&created.info.id, revoked_at).await.unwrap());
    let refused = Err(Refused::Revoked {
        revoked_at_ms: 1_764_238_503_000 + 3_600_000,
    });
    assert_eq!(
        store
            .open_token(&created.token, t0() + 2 * HOUR)
            .await
            .unwrap(),
        refused
    );
    // Revoking again answers true and keeps the first time; after expiry it still says revoked.
    assert!(store
        .revoke(&created.info.id, t0() + 3 * HOUR)
        .await
        .unwrap());
    assert_eq!(
        store
            .open_token(&created.token, t0() + 60 * DAY)
            .await
            .unwrap(),
        refused
    );
    assert!(store.open_token(&other.token, t0()).await.unwrap().is_ok());
    let upper_id = created.info.id.to_uppercase();
    for unknown in [
        "0123456789abcdef",
        "",
        "not an id",
        &created.token,
        &upper_id,
    ] {
        assert!(!store.revoke(unknown, t0()).await.unwrap(), "{unknown:?}");
    }
}

#[tokio::test]
async fn lifetimes_of_zero_or_over_the_maximum_are_refused_and_nothing_is_stored() {
    let dir = dir();
    let store = open_in(&dir);
    let too_long = NewShare {
        ttl: Some(MAX_TTL + Duration::from_secs(1)),
        ..share("a")
    };
    let err = store.create(too_long, t0()).await.unwrap_err();
    assert!(matches!(err, StoreError::TtlTooLong { .. }), "{err}");
    assert!(err.is_bad_input());
    assert!(err.to_string().contains("at most 90d"), "{err}");
    let zero = NewShare {
        ttl: Some(Duration::ZERO),
        ..share("a")
    };
    assert!(matches!(
        store.create(zero, t0()).await,
        Err(StoreError::ZeroTtl)
    ));
    let longest = NewShare {
        ttl: Some(MAX_TTL),
        ..share("a")
    };
    store.create(longest, t0()).await.unwrap();
    assert_eq!(store.list(t0()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_payload_over_the_limit_is_refused() {
    let dir = dir();
    let options = StoreOptions {
        max_payload_bytes: 1_000,
        ..StoreOptions::default()
    };
    let store = ShareStore::open(dir.path(), options).unwrap();
    let at_limit = NewShare {
        payload: "x".repeat(1_000),
        ..share("a")
    };
    store.create(at_limit, t0()).await.unwrap();
    let over = NewShare {
        payload: "x".repeat(1_001),
        ..share("a")
    };
    let err = store.create(over, t0()).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::PayloadTooLarge {
                bytes: 1_001,
                max: 1_000
            }
        ),
        "{err}"
    );
    assert_eq!(store.list(t0()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn kinds_must_be_short_lowercase_words_and_titles_at_most_200_characters() {
    let dir = dir();
    let store = open_in(&dir);
    for kind in [
        "wizard",
        "graph",
        "container",
        "connect",
        "proxy-logs",
        "v2",
    ] {
        let new = NewShare {
            kind: kind.into(),
            ..share("a")
        };
        store.create(new, t0()).await.unwrap();
    }
    for kind in [
        "",
        "Graph",
        "2graph",
        "graph!",
        "gr aph",
        "gräph",
        &"a".repeat(33),
    ] {
        let new = NewShare {
            kind: kind.into(),
            ..share("a")
        };
        let err = store.create(new, t0()).await.unwrap_err();
        assert!(matches!(err, StoreError::BadKind { .. }), "{kind:?}: {err}");
    }
    // Characters, not bytes: 200 two-byte characters are fine, 201 are not.
    store.create(share(&"é".repeat(200)), t0()).await.unwrap();
    let err = store
        .create(share(&"é".repeat(201)), t0())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TitleTooLong { chars: 201, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn the_list_is_newest_first_and_keeps_expired_and_revoked_links() {
    let dir = dir();
    let store = open_in(&dir);
    let short = NewShare {
        ttl: Some(HOUR),
        ..share("first")
    };
    let first = store.create(short, t0()).await.unwrap();
    let second = store.create(share("second"), t0() + HOUR).await.unwrap();
    let third = store.create(share("third"), t0() + HOUR).await.unwrap();
    store.revoke(&second.info.id, t0() + HOUR).await.unwrap();
    let list = store.list(t0() + 2 * HOUR).await.unwrap();
    let titles: Vec<&str> = list.iter().map(|s| s.title.as_str()).collect();
    // Same creation time: the later one first.
    assert_eq!(titles, ["third", "second", "first"]);
    assert_eq!(list[0], third.info);
    assert_eq!(list[1].revoked_at_ms, Some(second.info.created_at_ms));
    assert_eq!(list[2], first.info);
    let later = unix_ms(t0() + 2 * HOUR);
    assert!(matches!(
        list[2].refusal_at(later),
        Some(Refused::Expired { .. })
    ));
}

#[tokio::test]
async fn purge_deletes_only_links_expired_or_revoked_longer_ago_than_the_grace() {
    let dir = dir();
    let store = open_in(&dir);
    let ttl = |hours: u32, title: &str| NewShare {
        ttl: Some(HOUR * hours),
        ..share(title)
    };
    let long_expired = store.create(ttl(1, "long expired"), t0()).await.unwrap();
    store
        .create(ttl(20, "recently expired"), t0())
        .await
        .unwrap();
    let long_revoked = store.create(ttl(100, "long revoked"), t0()).await.unwrap();
    store.revoke(&long_revoked.info.id, t0()).await.unwrap();
    store.create(ttl(100, "live"), t0()).await.unwrap();

    let now = t0() + 24 * HOUR;
    assert_eq!(store.purge(now, 12 * HOUR).await.unwrap(), 2);
    let titles: Vec<String> = store
        .list(now)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.title)
        .collect();
    assert_eq!(titles, ["live", "recently expired"]);
    // A purged link is simply unknown.
    assert!(not_found(&store, &long_expired.token).await);
    assert_eq!(store.purge(now, 12 * HOUR).await.unwrap(), 0);
}

#[tokio::test]
async fn a_reopened_store_keeps_every_share_its_views_and_revocations() {
    let dir = dir();
    let store = open_in(&dir);
    let kept = store.create(share("kept"), t0()).await.unwrap();
    let revoked = store.create(share("revoked"), t0()).await.unwrap();
    store.open_token(&kept.token, t0()).await.unwrap().unwrap();
    store.revoke(&revoked.info.id, t0()).await.unwrap();
    let before = store.list(t0()).await.unwrap();
    drop(store);

    let reopened = open_in(&dir);
    assert_eq!(reopened.list(t0()).await.unwrap(), before);
    let shared = reopened
        .open_token(&kept.token, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shared.info.views, 2);
    assert!(matches!(
        reopened.open_token(&revoked.token, t0()).await.unwrap(),
        Err(Refused::Revoked { .. })
    ));
}

#[tokio::test]
async fn a_stolen_database_holds_no_working_token() {
    let dir = dir();
    let store = open_in(&dir);
    let created = store.create(share("secret"), t0()).await.unwrap();
    let token = SplitToken::parse(&created.token).unwrap();
    let mut files = Vec::new();
    for name in [DB_FILE, "shares.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
            files.extend(bytes);
        }
    }
    let contains = |needle: &[u8]| files.windows(needle.len()).any(|w| w == needle);
    assert!(
        contains(&token.lookup),
        "the lookup half is stored, as designed"
    );
    assert!(!contains(&token.secret), "the secret half is stored");
    assert!(
        !contains(created.token.as_bytes()),
        "the token text is stored"
    );
    assert!(contains(&verifier_hash(&token.secret)));
}

#[test]
fn a_database_at_schema_version_0_made_by_hand_is_migrated() {
    let dir = dir();
    let path = made_by_hand(
        &dir,
        "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine');",
    );
    assert_eq!(user_version(&Connection::open(&path).unwrap()), 0);
    let store = open_in(&dir);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn), open::SCHEMA_VERSION as i64);
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let note: String = conn
        .query_row("SELECT t FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(note, "mine", "migrating keeps what was there");
    drop(store);
}

#[test]
fn a_database_from_a_newer_netdoctor_is_refused_and_left_as_it_was() {
    let dir = dir();
    let path = made_by_hand(&dir, "CREATE TABLE future (x); PRAGMA user_version = 999;");
    let before = std::fs::read(&path).unwrap();
    let (err, message) = refused(&dir);
    assert!(
        matches!(err, StoreError::TooNew { found: 999, .. }),
        "{err}"
    );
    assert!(message.contains("newer netdoctor"), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join(MARKER_FILE).exists());
}

#[test]
fn a_file_of_garbage_bytes_is_refused_with_a_message_naming_the_path() {
    let dir = dir();
    let path = dir.path().join(DB_FILE);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let (err, message) = refused(&dir);
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(message.contains(&format!("{} is not a SQLite database", path.display())));
    assert!(message.contains("Move it aside"), "{message}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file was changed"
    );
    // allow_new never replaces a file that is there.
    assert!(ShareStore::open(dir.path(), allowing_new()).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[tokio::test]
async fn a_damaged_database_fails_the_quick_check_and_is_refused() {
    let dir = dir();
    let store = open_in(&dir);
    for i in 0..200 {
        store
            .create(share(&format!("share {i}")), t0())
            .await
            .unwrap();
    }
    drop(store); // the last connection checkpoints the log into shares.db
    let path = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 3 * 4096);
    bytes[2 * 4096..2 * 4096 + 200].fill(0xa5);
    std::fs::write(&path, &bytes).unwrap();
    let (err, message) = refused(&dir);
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(message.contains("backup"), "{message}");
}

#[tokio::test]
async fn a_missing_database_is_refused_while_the_marker_remembers_it_unless_a_new_one_is_allowed() {
    let dir = dir();
    let store = open_in(&dir);
    store.create(share("lost"), t0()).await.unwrap();
    drop(store);
    let marker = std::fs::read_to_string(dir.path().join(MARKER_FILE)).unwrap();
    remove(&dir, &[DB_FILE, "shares.db-wal", "shares.db-shm"]);

    let (err, message) = refused(&dir);
    assert!(matches!(err, StoreError::Missing { .. }), "{err}");
    assert!(
        message.starts_with(&format!(
            "shares.db is missing from {} though snapshots were stored there since {}",
            dir.path().display(),
            marker.lines().next().unwrap()
        )),
        "{message}"
    );
    assert!(message.contains("--new-share-store"), "{message}");
    assert!(!dir.path().join(DB_FILE).exists(), "nothing was created");

    let fresh = ShareStore::open(dir.path(), allowing_new()).unwrap();
    assert!(fresh.list(t0()).await.unwrap().is_empty());
    drop(fresh);
    // The marker was rewritten: a normal start now opens the new store.
    open_in(&dir);
}

#[test]
fn an_emptied_database_is_refused_while_the_marker_remembers_it() {
    let dir = dir();
    drop(open_in(&dir));
    remove(&dir, &["shares.db-wal", "shares.db-shm"]);
    std::fs::write(dir.path().join(DB_FILE), b"").unwrap();
    let (err, message) = refused(&dir);
    assert!(matches!(err, StoreError::Emptied { .. }), "{err}");
    assert!(message.contains("is empty though snapshots were stored"));
    ShareStore::open(dir.path(), allowing_new()).unwrap();
}

#[tokio::test]
async fn the_database_and_its_log_are_readable_by_their_owner_only() {
    let dir = dir();
    let store = open_in(&dir);
    store.create(share("a"), t0()).await.unwrap();
    for file in [DB_FILE, "shares.db-wal", MARKER_FILE] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
    }
}

#[test]
fn an_existing_database_is_restricted_to_its_owner_on_open() {
    let dir = dir();
    drop(open_in(&dir));
    let path = dir.path().join(DB_FILE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(open_in(&dir));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_default_lifetime_over_the_maximum_is_refused_at_open() {
    let dir = dir();
    let options = StoreOptions {
        default_ttl: 100 * DAY,
        ..StoreOptions::default()
    };
    let err = ShareStore::open(dir.path(), options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a shared link may live at most 90d, not 100d"
    );
    assert!(!dir.path().join(DB_FILE).exists());
}

#[test]
fn the_store_writes_ahead_and_syncs_every_commit() {
    let dir = dir();
    let store = open_in(&dir);
    let conn = store.inner.conn.lock().unwrap();
    let pragma = |name: &str| -> String {
        conn.pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(pragma("journal_mode"), r#"Text("wal")"#);
    assert_eq!(pragma("synchronous"), "Integer(2)", "2 is FULL");
    assert_eq!(pragma("busy_timeout"), "Integer(5000)");
}
