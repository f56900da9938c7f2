//! Sign-in cannot be raced or used to exhaust memory: attempts are counted before the password
//! is verified, few verifications run at once, and all clients together have a failure cap.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::login::{sign_in, with_login, PASSWORD};
use server::access::{MAX_GLOBAL_FAILURES, MAX_LOGIN_FAILURES};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_of_60_wrong_passwords_verifies_at_most_five() {
    let f = with_login(common::missing_engine());
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..60 {
        let router = f.router.clone();
        burst.spawn(async move { sign_in(&router, "not the password").await.status() });
    }
    let mut refused = 0;
    while let Some(status) = burst.join_next().await {
        match status.expect("request task") {
            StatusCode::SEE_OTHER => {}
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    let verified = f.access.verifications();
    assert!(
        verified <= u64::from(MAX_LOGIN_FAILURES),
        "{verified} passwords were verified"
    );
    assert!(refused >= 55, "{refused} refused");
    // Attempts held back as busy were not counted; one by one the rest of the budget goes…
    for _ in verified..u64::from(MAX_LOGIN_FAILURES) {
        assert_eq!(
            sign_in(&f.router, "still wrong").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let verified = f.access.verifications();
    assert_eq!(verified, u64::from(MAX_LOGIN_FAILURES));
    // …and once it is spent, even the right password waits, unverified.
    let right = sign_in(&f.router, PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(right.headers().contains_key("retry-after"));
    assert_eq!(f.access.verifications(), verified);
}

/// A netdoctor process with a login on a free loopback port, killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
    _dir: common::login::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_server() -> Server {
    let dir = common::login::temp_dir();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
    let child = Command::new(env!("CARGO_BIN_EXE_netdoctor"))
        .env("NETDOCTOR_LISTEN", addr.to_string())
        // `1`, as other Docker tools take booleans (it used to stop the server).
        .env("NETDOCTOR_REQUIRE_LOGIN", "1")
        .env("NETDOCTOR_ADMIN_PASSWORD", PASSWORD)
        .env("NETDOCTOR_DATA_DIR", dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/netdoctor/docker.sock")
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("netdoctor starts");
    let server = Server {
        child,
        addr,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(answer) = http(server.addr, None, "GET /healthz", "").await {
            if answer.starts_with("HTTP/1.1 200") {
                return server;
            }
        }
        assert!(
            Instant::now() < deadline,
            "netdoctor did not answer within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One HTTP/1.1 request from `from` (a loopback address of its own), the whole answer.
async fn http(
    to: SocketAddr,
    from: Option<Ipv4Addr>,
    line: &str,
    form: &str,
) -> std::io::Result<String> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    if let Some(ip) = from {
        socket.bind(SocketAddr::from((ip, 0)))?;
    }
    let mut stream = socket.connect(to).await?;
    let request = format!(
        "{line} HTTP/1.1\r\nHost: {to}\r\nOrigin: http://{to}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_300_sign_ins_from_many_addresses_keeps_memory_bounded_and_hits_the_global_cap()
{
    let server = start_server().await;
    let pid = server.child.id();
    let before = rss_kib(pid);
    let sampling = tokio::spawn(async move {
        let mut peak = 0;
        for _ in 0..400 {
            peak = peak.max(rss_kib(pid));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        peak
    });
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..300u32 {
        // 300 clients of 150 addresses: each address's own budget is never the limit.
        let from = Ipv4Addr::new(127, 0, 1, u8::try_from(2 + i % 150).unwrap());
        let addr = server.addr;
        burst.spawn(async move {
            http(
                addr,
                Some(from),
                "POST /auth/login",
                &format!("password=guess-{i}"),
            )
            .await
        });
    }
    let (mut wrong, mut held) = (0, 0);
    while let Some(answer) = burst.join_next().await {
        let answer = answer.expect("task").expect("an answer");
        if answer.starts_with("HTTP/1.1 303") {
            wrong += 1;
        } else if answer.starts_with("HTTP/1.1 429") {
            assert!(
                answer.to_ascii_lowercase().contains("retry-after: "),
                "{answer}"
            );
            held += 1;
        } else {
            panic!("unexpected answer: {answer}");
        }
    }
    let peak = sampling.await.expect("sampler");
    assert_eq!(wrong + held, 300);
    assert!(
        wrong <= MAX_GLOBAL_FAILURES,
        "{wrong} wrong passwords were verified; the cap is {MAX_GLOBAL_FAILURES}"
    );
    assert!(held >= 300 - MAX_GLOBAL_FAILURES, "{held} held back");
    // Two Argon2 verifications at most at once (19 MiB each); without the bound, 300 at once
    // would take gigabytes.
    let growth_mib = peak.saturating_sub(before) / 1024;
    eprintln!("RSS before {before} KiB, peak {peak} KiB (+{growth_mib} MiB)");
    assert!(
        growth_mib < 80,
        "RSS grew by {growth_mib} MiB during the burst"
    );

    // Attempts held back as busy were not counted: wrong ones from fresh addresses use up the
    // rest of the global budget, then everyone is held — the admin too — and told why.
    let mut more = 0;
    loop {
        let from = Ipv4Addr::new(127, 0, 3, u8::try_from(1 + more).unwrap());
        let answer = http(
            server.addr,
            Some(from),
            "POST /auth/login",
            "password=again",
        )
        .await
        .expect("answer");
        if answer.starts_with("HTTP/1.1 429") {
            assert!(answer.contains("error=paused"), "{answer}");
            break;
        }
        assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
        more += 1;
        assert!(
            wrong + more <= MAX_GLOBAL_FAILURES,
            "no pause after {} failures",
            wrong + more
        );
    }
    assert_eq!(wrong + more, MAX_GLOBAL_FAILURES);
    let paused = http(
        server.addr,
        Some(Ipv4Addr::new(127, 0, 2, 1)),
        "POST /auth/login",
        &format!("password={}", PASSWORD.replace(' ', "+")),
    )
    .await
    .expect("answer");
    assert!(paused.starts_with("HTTP/1.1 429"), "{paused}");
    assert!(paused.contains("error=paused"), "{paused}");
}
