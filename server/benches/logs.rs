//! How fast and how lean a long log reaches a browser: a container that printed N lines
//! (default 100,000) is streamed through a real netdoctor server (`GET /api/logs`, server-sent
//! events) to a client that parses every event as the browser does and checks that every line
//! arrives, in order. Compared in the same run with `docker logs -t <c> > /dev/null`. The
//! server's resident memory is sampled before, during and after; a last pass reads slowly
//! (a viewer on a weak laptop) to show the server holds back instead of buffering.
//!
//! `cargo bench -p server --bench logs -- [--lines 100000] [--rounds 5]`
//!
//! The bench shells out to the docker CLI for the comparison (the product never does); it
//! talks to the local engine and loopback only.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::logs::{LogEnd, LogEndReason, LogLine};
use app::engine::testkit::{docker_cli, ContainerSpec, TestLab};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    lines: u64,
    rounds: usize,
}

/// `--lines 100000 --rounds 5`; anything else cargo passes (`--bench`) is ignored.
fn parse_args() -> Args {
    let mut args = Args {
        lines: 100_000,
        rounds: 5,
    };
    let argv: Vec<String> = std::env::args().collect();
    for pair in argv.windows(2) {
        match pair[0].as_str() {
            "--lines" => args.lines = pair[1].parse().expect("--lines N"),
            "--rounds" => args.rounds = pair[1].parse().expect("--rounds N"),
            _ => {}
        }
    }
    args
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The netdoctor server under test (the optimised build of this workspace), killed on drop.
struct Server {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Server {
    fn start(docker_host: &str) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("nd-bench-logs-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_netdoctor"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--site-root")
            .arg(&dir)
            .env("DOCKER_HOST", docker_host)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start netdoctor");
        let server = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "netdoctor did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Resident set size in KiB, from `/proc/<pid>/status`.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Samples a process's RSS every 5 ms until finished; the peak.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, peak) = (Arc::clone(&stop), Arc::clone(&peak));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

/// Reads `/api/logs` as an `EventSource` would (HTTP/1.0, so the body is the raw event stream
/// until the server closes it), parses every event, checks order and content. `pause` is slept
/// after each event (a slow viewer). Returns the lines received and the end.
fn read_stream(port: u16, container: &str, pause: Duration) -> (u64, LogEnd) {
    let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        socket,
        "GET /api/logs?name={container}&tail=all&follow=1 HTTP/1.0\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::with_capacity(64 * 1024, socket);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains(" 200 "), "status line: {line}");
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut event = String::new();
    let mut expected = 0u64;
    loop {
        line.clear();
        let read = reader.read_line(&mut line).unwrap();
        assert!(
            read > 0,
            "the stream closed without an end event after {expected} lines"
        );
        let text = line.trim_end_matches(['\r', '\n']);
        if let Some(kind) = text.strip_prefix("event: ") {
            event = kind.to_owned();
        } else if let Some(data) = text.strip_prefix("data: ") {
            if event == "lines" {
                let batch: Vec<LogLine> = serde_json::from_str(data).unwrap();
                for l in batch {
                    assert_eq!(l.n, expected, "lines arrive in order");
                    assert_eq!(l.text, (expected + 1).to_string(), "line content");
                    expected += 1;
                }
                if !pause.is_zero() {
                    std::thread::sleep(pause);
                }
            } else if event == "end" {
                return (expected, serde_json::from_str(data).unwrap());
            }
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args = parse_args();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let lab = runtime.block_on(TestLab::start());
    let container = runtime.block_on(lab.container(ContainerSpec::new("bench-logs").cmd([
        "seq",
        "1",
        &args.lines.to_string(),
    ])));
    let engine = lab.engine();
    let name = app::domain::names::ContainerName::parse(&container).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while runtime
        .block_on(engine.container(&name))
        .map(|c| c.state.as_str() != "exited")
        .unwrap_or(true)
    {
        assert!(
            Instant::now() < deadline,
            "the log container did not finish"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let server = Server::start(&lab.endpoint().to_string());
    let pid = server.pid();
    let cli = docker_cli();
    println!(
        "logs: {} lines through netdoctor (GET /api/logs, SSE, parsed) vs `{cli} logs -t > /dev/null`, {} rounds after a warm-up",
        args.lines, args.rounds
    );
    let rss_before = rss_kib(pid);

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut peak = 0;
    for round in 0..=args.rounds {
        let sampler = RssSampler::start(pid);
        let start = Instant::now();
        let (received, end) = read_stream(server.port, &container, Duration::ZERO);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        peak = peak.max(sampler.finish());
        assert_eq!(received, args.lines, "every line reached the client");
        assert_eq!(end.lines, args.lines);
        assert_eq!(end.reason, LogEndReason::Exited { code: 0 });

        let start = Instant::now();
        let status = Command::new(&cli)
            .args(["logs", "-t", &container])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("docker logs");
        let cli_ms = start.elapsed().as_secs_f64() * 1e3;
        assert!(status.success());
        if round > 0 {
            ours.push(ms);
            theirs.push(cli_ms);
        }
        println!("  round {round}: netdoctor {ms:8.1} ms   docker logs -t {cli_ms:8.1} ms");
    }
    std::thread::sleep(Duration::from_secs(1));
    let rss_after = rss_kib(pid);
    let (m_ours, m_theirs) = (median(ours), median(theirs));
    println!(
        "  median: netdoctor {m_ours:.1} ms, docker logs -t {m_theirs:.1} ms, ratio {:.2}x",
        m_ours / m_theirs
    );
    println!(
        "  server RSS: before {:.1} MB, peak during {:.1} MB, 1 s after {:.1} MB",
        mb(rss_before),
        mb(peak),
        mb(rss_after)
    );

    // A slow viewer: 30 ms after every event. The server reads from the engine only as fast as
    // the client takes the events, so its memory stays where it was.
    let sampler = RssSampler::start(pid);
    let start = Instant::now();
    let (received, _) = read_stream(server.port, &container, Duration::from_millis(30));
    let slow_ms = start.elapsed().as_secs_f64() * 1e3;
    let slow_peak = sampler.finish();
    assert_eq!(received, args.lines);
    println!(
        "  slow reader (30 ms after each event): {slow_ms:.0} ms, server RSS peak {:.1} MB",
        mb(slow_peak)
    );
    drop(server);
    drop(lab);
}
