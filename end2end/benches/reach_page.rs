//! How fast `/reach` is usable on a large host: a Coolify-like destination of N running
//! containers over M networks on the live engine (stacks of five with compose labels and
//! service aliases, each container on two networks, one in 17 left created), then the page in
//! headless Chromium: the time from navigation start until it is hydrated with the matrix
//! worked out (the summary or the grid on screen), the matrix's own time in the browser's wasm
//! (the page times it), and the same matrix natively on the same topology.
//!
//! Needs the release build (`scripts/test.sh browser` makes it; `NETDOCTOR_BIN` or the newest
//! `target/*/netdoctor`): `cargo bench -p end2end --bench reach_page -- [--size 300x40] [--loads 5]`
//!
//! Traffic stays on loopback and the engine's own socket; everything created is labelled with
//! the run id and removed when the bench ends.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::reachability::matrix::{matrix, Scope};
use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::{testid, testids, with_browser, Server};
use futures_util::stream::{self, StreamExt};
use std::time::Instant;

const CREATE_CONCURRENCY: usize = 8;

fn parse_args() -> (usize, usize, usize) {
    let (mut containers, mut networks, mut loads) = (300, 40, 5);
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--size" => {
                if let Some((c, n)) = pair[1].split_once('x') {
                    containers = c.parse().unwrap_or(containers);
                    networks = n.parse().unwrap_or(networks);
                }
            }
            "--loads" => loads = pair[1].parse().unwrap_or(loads),
            _ => {}
        }
    }
    (containers, networks, loads.max(1))
}

async fn build(lab: &TestLab, containers: usize, networks: usize) {
    let started = Instant::now();
    let nets = lab.networks_in_own_range("n", networks).await;
    let nets = &nets;
    let run = lab.run_id().to_owned();
    let run = &run;
    stream::iter(0..containers)
        .map(|i| async move {
            let stack = format!("stack{}-{run}", i / 5);
            let service = format!("svc{}", i % 5);
            let first = i % networks;
            let second = (i * 7 + 3) % networks;
            let mut spec = ContainerSpec::new(&format!("c{i:04}"))
                .expose(8080)
                .label("coolify.managed", "true")
                .label("coolify.type", "service")
                .label("coolify.projectName", &project(run))
                .label("com.docker.compose.project", &stack)
                .label("com.docker.compose.service", &service)
                .network(&nets[first], &[&service]);
            if second != first {
                spec = spec.network(&nets[second], &[&service]);
            }
            if i % 17 == 0 {
                spec = spec.created_only();
            }
            lab.container(spec).await;
        })
        .buffer_unordered(CREATE_CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
    println!(
        "  {containers} containers over {networks} networks created in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// The Coolify project every container of the run is labelled with: the page's scope.
fn project(run_id: &str) -> String {
    format!("bench-{run_id}")
}

/// `[performance.now(), the page's own matrix time]` once the page is hydrated and shows the
/// worked-out matrix (its timing line is written in the same render), else `null`.
const MATRIX_READY: &str = r#"
const hydrated = document.querySelector('[data-testid="hydration"][data-state="hydrated"]');
const timing = document.querySelector('[data-testid="reach-timing"]');
return hydrated && timing ? [performance.now(), parseFloat(timing.dataset.ms)] : null;
"#;

/// Asks the page every 10 ms until the matrix is on screen; after 60 s, says what the page shows.
async fn wait_for_matrix(client: &end2end::fantoccini::Client) -> (f64, f64) {
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let answer = client
            .execute(MATRIX_READY, vec![])
            .await
            .expect("ask the page");
        if let Some(pair) = answer.as_array() {
            return (
                pair[0].as_f64().unwrap_or(f64::NAN),
                pair[1].as_f64().unwrap_or(f64::NAN),
            );
        }
        if Instant::now() > deadline {
            let shown = client
                .execute("return document.body.innerText.slice(0, 600)", vec![])
                .await
                .unwrap_or_default();
            panic!("the matrix did not appear within 60 s; the page shows: {shown}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let (containers, networks, loads) = parse_args();
    println!("/reach on {containers} containers over {networks} networks (live engine)");
    let lab = TestLab::start().await;
    build(&lab, containers, networks).await;

    // The same matrix natively, on the topology the server reads, scoped like the page.
    let topology = lab.engine().topology().await.expect("topology");
    let scope = Scope::Project(project(lab.run_id()));
    let mut native = Vec::new();
    let mut pairs = 0;
    for _ in 0..loads {
        let started = Instant::now();
        let m = matrix(std::hint::black_box(&topology), &scope);
        native.push(started.elapsed().as_secs_f64() * 1000.0);
        pairs = m.counts().1;
    }

    let server = Server::start(&lab.endpoint().to_string());
    let page = format!("{}/reach?scope={scope}", server.url);
    let results = std::sync::Arc::new(std::sync::Mutex::new((Vec::new(), Vec::new())));
    let out = results.clone();
    with_browser(move |client| async move {
        for _ in 0..loads {
            client.goto("about:blank").await.unwrap();
            client.goto(&page).await.expect("open /reach");
            let (ready, wasm) = wait_for_matrix(&client).await;
            {
                let mut o = out.lock().unwrap();
                o.0.push(ready);
                o.1.push(wasm);
            }
            assert!(client.find(testid(testids::REACH_COUNTS)).await.is_ok());
        }
    })
    .await;
    let (mut ready, mut wasm) = {
        let r = results.lock().unwrap();
        (r.0.clone(), r.1.clone())
    };
    drop(server);
    println!("| what | median ms | min ms | max ms |");
    println!("|---|---|---|---|");
    for (what, v) in [
        (format!("matrix natively ({pairs} pairs)"), &mut native),
        (
            "matrix in the browser's wasm (same pairs)".to_owned(),
            &mut wasm,
        ),
        (
            "navigation start → hydrated, matrix on screen".to_owned(),
            &mut ready,
        ),
    ] {
        let m = median(v);
        println!(
            "| {what} | {m:.1} | {:.1} | {:.1} |",
            v.first().copied().unwrap_or(f64::NAN),
            v.last().copied().unwrap_or(f64::NAN)
        );
    }
    lab.clean_up().await;
}
