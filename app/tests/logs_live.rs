//! Streaming logs from the live Docker Engine: streams told apart and in order, follow mode,
//! the end of a stream when the container stops or is removed, odd bytes and long lines.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::logs::line::MAX_LINE_BYTES;
use app::domain::logs::{LogEndReason, LogLine, LogStream, Since, Tail};
use app::domain::names::ContainerName;
use app::engine::logs::{LogEvent, LogRequest};
use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::EngineError;
use futures_util::{Stream, StreamExt};
use std::time::Duration;

/// Everything a stream sends until its end, within `limit`.
async fn drain(
    stream: impl Stream<Item = LogEvent>,
    limit: Duration,
) -> (Vec<LogLine>, LogEndReason) {
    let mut stream = std::pin::pin!(stream);
    let mut lines = Vec::new();
    let collect = async {
        while let Some(event) = stream.next().await {
            match event {
                LogEvent::Lines(batch) => lines.extend(batch),
                LogEvent::End(end) => return end.reason,
            }
        }
        panic!("the stream stopped without an end message");
    };
    let reason = tokio::time::timeout(limit, collect)
        .await
        .expect("the stream did not end in time");
    (lines, reason)
}

fn name(n: &str) -> ContainerName {
    ContainerName::parse(n).unwrap()
}

fn follow_all() -> LogRequest {
    LogRequest {
        tail: Tail::All,
        follow: true,
        ..LogRequest::default()
    }
}

/// Waits until the container has exited, so a non-follow read sees all of its output.
async fn wait_exited(lab: &TestLab, container: &str) {
    for _ in 0..100 {
        let c = lab.engine().container(&name(container)).await.unwrap();
        if c.state.as_str() == "exited" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{container} did not exit");
}

#[tokio::test]
async fn stdout_and_stderr_arrive_told_apart_in_order_and_the_end_gives_the_exit_code() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("talk").cmd([
            "sh",
            "-c",
            "echo out one; usleep 200000; echo err one >&2; usleep 200000; echo out two; exit 3",
        ]))
        .await;

    let stream = lab.engine().logs(&name(&c), follow_all()).await.unwrap();
    let (lines, reason) = drain(stream, Duration::from_secs(20)).await;

    let seen: Vec<(LogStream, &str)> = lines.iter().map(|l| (l.s, l.text.as_str())).collect();
    assert_eq!(
        seen,
        vec![
            (LogStream::Stdout, "out one"),
            (LogStream::Stderr, "err one"),
            (LogStream::Stdout, "out two"),
        ]
    );
    assert!(lines
        .iter()
        .all(|l| l.ts.starts_with("20") && l.ts.ends_with('Z')));
    assert_eq!(lines.iter().map(|l| l.n).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(reason, LogEndReason::Exited { code: 3 });
}

#[tokio::test]
async fn follow_mode_receives_new_lines_in_order_and_ends_when_the_container_stops() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("ticker").cmd([
            "sh",
            "-c",
            "i=0; while true; do echo tick $i; i=$((i+1)); usleep 100000; done",
        ]))
        .await;

    let stream = lab.engine().logs(&name(&c), follow_all()).await.unwrap();
    let mut stream = Box::pin(stream);
    let mut lines: Vec<LogLine> = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        while lines.len() < 15 {
            match stream.next().await {
                Some(LogEvent::Lines(batch)) => lines.extend(batch),
                other => panic!("expected lines while the container runs, got {other:?}"),
            }
        }
    })
    .await
    .expect("new lines kept coming");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.text, format!("tick {i}"));
        assert_eq!(line.n, i as u64);
    }

    lab.stop(&c, 1).await;
    let (_, reason) = drain(stream, Duration::from_secs(20)).await;
    assert!(
        matches!(reason, LogEndReason::Exited { .. }),
        "stopping ends the stream as exited, got {reason:?}"
    );
}

#[tokio::test]
async fn removing_the_container_mid_stream_ends_the_stream_with_a_message() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("doomed").cmd([
            "sh",
            "-c",
            "while true; do echo alive; usleep 100000; done",
        ]))
        .await;
    let stream = lab.engine().logs(&name(&c), follow_all()).await.unwrap();
    let mut stream = Box::pin(stream);
    assert!(matches!(stream.next().await, Some(LogEvent::Lines(_))));

    lab.remove(&c).await;
    let (_, reason) = drain(stream, Duration::from_secs(20)).await;
    assert_eq!(reason, LogEndReason::Removed);
}

#[tokio::test]
async fn tail_sends_only_the_last_lines_and_a_finished_read_says_complete() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("count").cmd(["seq", "1", "50"]))
        .await;
    wait_exited(&lab, &c).await;

    let request = LogRequest {
        tail: Tail::Lines(5),
        ..LogRequest::default()
    };
    let stream = lab.engine().logs(&name(&c), request).await.unwrap();
    let (lines, reason) = drain(stream, Duration::from_secs(20)).await;

    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, vec!["46", "47", "48", "49", "50"]);
    assert_eq!(reason, LogEndReason::Complete);
}

#[tokio::test]
async fn bytes_that_are_not_utf8_and_very_long_lines_arrive_intact_and_bounded() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("odd").cmd([
            "sh",
            "-c",
            r"printf 'caf\351 \377 end\n'; head -c 40000 /dev/zero | tr '\0' a; echo",
        ]))
        .await;
    wait_exited(&lab, &c).await;

    let request = LogRequest {
        tail: Tail::All,
        ..LogRequest::default()
    };
    let stream = lab.engine().logs(&name(&c), request).await.unwrap();
    let (lines, _) = drain(stream, Duration::from_secs(20)).await;

    assert_eq!(lines[0].text, "caf\u{fffd} \u{fffd} end");
    // The log driver cut the 40,000-byte line into 16 KiB pieces, each its own frame with its
    // own timestamp: it arrives as one line, capped, with the rest counted.
    assert_eq!(lines.len(), 2, "the long line is one line");
    let long = &lines[1];
    assert_eq!(long.text.len(), MAX_LINE_BYTES);
    assert!(long.text.bytes().all(|b| b == b'a'), "no timestamp inside");
    assert_eq!(long.cut, 40_000 - MAX_LINE_BYTES);
    assert_eq!(long.n, 1);
}

#[tokio::test]
async fn an_unknown_name_short_id_or_full_id_is_not_found_before_any_stream_starts() {
    let lab = TestLab::start().await;
    let missing = lab.name("never-created");
    let short = "deadbeef0000".to_owned();
    let full = format!("{short}{}", "0".repeat(52));
    for unknown in [missing, short, full] {
        match lab.engine().logs(&name(&unknown), follow_all()).await {
            Err(EngineError::NotFound(message)) => {
                assert_eq!(
                    message,
                    format!("no container with the name or id {unknown}")
                );
            }
            Err(other) => panic!("{unknown}: expected not found, got {other}"),
            Ok(_) => panic!("{unknown}: expected not found, got a stream"),
        }
    }
}

#[tokio::test]
async fn a_container_is_found_by_its_short_id_and_its_full_id_too() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("by-id").cmd(["sh", "-c", "echo found by id"]))
        .await;
    wait_exited(&lab, &c).await;
    let id = lab.engine().container(&name(&c)).await.unwrap().id;
    let request = LogRequest {
        tail: Tail::All,
        ..LogRequest::default()
    };
    for asked in [&id[..12], id.as_str()] {
        let stream = lab.engine().logs(&name(asked), request).await.unwrap();
        let (lines, reason) = drain(stream, Duration::from_secs(20)).await;
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["found by id"], "asked for {asked}");
        assert_eq!(reason, LogEndReason::Complete);
    }
}

#[tokio::test]
async fn since_an_absolute_time_leaves_out_the_lines_written_before_it() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("since").cmd([
            "sh",
            "-c",
            "echo before; usleep 2500000; echo after; sleep 3600",
        ]))
        .await;
    let all = LogRequest {
        tail: Tail::All,
        ..LogRequest::default()
    };
    let mut everything = Vec::new();
    for _ in 0..100 {
        let stream = lab.engine().logs(&name(&c), all).await.unwrap();
        (everything, _) = drain(stream, Duration::from_secs(20)).await;
        if everything.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let texts: Vec<&str> = everything.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, vec!["before", "after"]);

    // The second in which "after" was written, as a user would type it.
    let after = app::domain::time::parse_utc(&everything[1].ts).unwrap();
    let typed = app::domain::time::rfc3339(after);
    let since = Since::parse(&typed).unwrap();
    assert_eq!(since, Since::At(after));
    let request = LogRequest { since, ..all };
    let stream = lab.engine().logs(&name(&c), request).await.unwrap();
    let (lines, reason) = drain(stream, Duration::from_secs(20)).await;
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, vec!["after"], "since {typed}");
    assert_eq!(reason, LogEndReason::Complete);
}
