//! A link handed out is a link kept: a process writing shares as fast as it can is killed with
//! SIGKILL mid-write, and after reopening the store every token it printed still opens with its
//! payload. The writer is this test binary run again with `WRITER_DIR` set.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::store::{NewShare, ShareStore, StoreOptions, TempDir};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// Set in the writer: the data directory to write shares into.
const WRITER_DIR: &str = "NETDOCTOR_STORE_CRASH_WRITER_DIR";
/// Set in the writer: tells its payloads apart from other rounds'.
const WRITER_ROUND: &str = "NETDOCTOR_STORE_CRASH_WRITER_ROUND";
/// This test's name, for running only it in the writer.
const TEST_NAME: &str = "every_link_printed_before_a_sigkill_opens_after_a_restart";

/// The snapshot for share `i` of `round`: 1 to 24 KiB, so the log fills and checkpoints
/// happen while the writer runs.
fn payload(round: &str, i: u64) -> String {
    let pad = "x".repeat(1_024 * (1 + (i % 24) as usize));
    format!(r#"{{"round":{round:?},"i":{i},"pad":"{pad}"}}"#)
}

/// The writer: shares in a tight loop, each token printed only after `create` returned.
async fn write_until_killed(dir: &Path, round: &str) -> ! {
    let store = ShareStore::open(dir, StoreOptions::default()).expect("writer opens the store");
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let new = NewShare {
            kind: "graph".into(),
            title: format!("round {round} share {i}"),
            payload: payload(round, i),
            ttl: None,
        };
        let created = store.create(new, SystemTime::now()).await.expect("create");
        // Straight to the file descriptor, past the test harness's capture, line by line.
        writeln!(out, "share {i} {}", created.token).expect("stdout");
        out.flush().expect("stdout");
    }
    unreachable!("the writer runs until it is killed")
}

/// Runs a writer on `dir`, reads `wanted` tokens, kills it with SIGKILL, and returns every
/// token it printed (some more may have come between the last read and the kill).
fn kill_writer_after(dir: &Path, round: &str, wanted: usize) -> Vec<(u64, String)> {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(WRITER_DIR, dir)
        .env(WRITER_ROUND, round)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the writer");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = Vec::new();
    // Only whole lines count: a line cut short by the kill was never fully printed.
    let mut read_line = |printed: &mut Vec<(u64, String)>| {
        let mut line = String::new();
        let n = stdout.read_line(&mut line).expect("utf-8 line");
        if let Some(rest) = line
            .strip_prefix("share ")
            .and_then(|l| l.strip_suffix('\n'))
        {
            let (i, token) = rest.split_once(' ').expect("share <i> <token>");
            printed.push((i.parse::<u64>().expect("i"), token.to_owned()));
        }
        n > 0
    };
    while printed.len() < wanted {
        assert!(
            read_line(&mut printed),
            "the writer stopped after {} shares",
            printed.len()
        );
    }
    child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the writer was not killed: {status}");
    // Lines printed before the kill are in the pipe still.
    while read_line(&mut printed) {}
    printed
}

#[tokio::test]
async fn every_link_printed_before_a_sigkill_opens_after_a_restart() {
    if let Some(dir) = std::env::var_os(WRITER_DIR) {
        let round = std::env::var(WRITER_ROUND).unwrap_or_default();
        write_until_killed(Path::new(&dir), &round).await;
    }
    let dir = TempDir::new("store-crash").expect("temp dir");
    let mut total = 0;
    for (rounds, (round, wanted)) in [("a", 300), ("b", 200), ("c", 400)].into_iter().enumerate() {
        let printed = kill_writer_after(dir.path(), round, wanted);
        assert!(printed.len() >= wanted);
        // Opening runs SQLite's quick_check and recovers the log.
        let store = ShareStore::open(dir.path(), StoreOptions::default())
            .unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
        for (i, token) in &printed {
            let shared = store
                .open_token(token, SystemTime::now())
                .await
                .expect("query")
                .unwrap_or_else(|r| panic!("round {round}: share {i} was lost: {r}"));
            assert_eq!(
                shared.payload,
                payload(round, *i),
                "round {round} share {i}"
            );
        }
        total += printed.len();
        // Each kill may have come between a commit and its line: one unprinted share a round.
        let stored = store.list(SystemTime::now()).await.expect("list").len();
        assert!(
            (total..=total + rounds + 1).contains(&stored),
            "round {round}: {stored} stored, {total} printed"
        );
        println!("round {round}: {} tokens printed, all open", printed.len());
    }
}

#[tokio::test]
async fn a_writer_killed_while_creating_the_store_leaves_one_that_opens() {
    for wait_ms in [0, 10, 20, 40, 80] {
        let dir = TempDir::new("store-crash-new").expect("temp dir");
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(WRITER_DIR, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the writer");
        // Somewhere between starting, creating the file, migrating and the first writes.
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
        let store = ShareStore::open(dir.path(), StoreOptions::default())
            .unwrap_or_else(|e| panic!("killed after {wait_ms} ms: {e}"));
        store
            .list(SystemTime::now())
            .await
            .expect("the store answers");
    }
}
