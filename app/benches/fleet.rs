//! What the Servers page computes for many servers, natively: each server's line (its findings
//! and its reachability matrix, `ServerSummary::new`), the cross-server findings and a search,
//! over S synthetic Coolify-like servers of N containers (M networks each). Pure: the engines'
//! answers are built in memory (reading them is the per-server topology cost, measured against
//! the docker CLI by the `topology` bench; the Servers page reads the servers at once). There
//! is no docker CLI equivalent: the CLI has one engine per command and no notion of findings.
//!
//! `cargo bench -p app --bench fleet -- [--sizes 10x100,10x300] [--runs 10]` (SERVERSxCONTAINERS)
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use app::domain::findings::findings;
use app::domain::overview::EngineStatus;
use app::domain::reachability::matrix::{matrix, Scope};
use app::domain::servers::across;
use app::domain::servers::summary::ServerSummary;
use app::domain::topology::Topology;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn status(t: &Topology) -> EngineStatus {
    EngineStatus {
        endpoint: "ssh://root@203.0.113.7".into(),
        engine_version: "24.0.7".into(),
        engine_api_version: "1.43".into(),
        negotiated_api_version: "1.41".into(),
        os: "linux".into(),
        arch: "x86_64".into(),
        containers: t.containers.len(),
        running: t.containers.iter().filter(|c| c.is_running()).count(),
        networks: t.networks.len(),
    }
}

fn main() {
    let (sizes, runs) = common::sizes_and_runs(vec![(10, 100)], 10);
    println!("| servers × containers | every line (ms) | cross-server findings (ms) | search (ms) | total median (ms) | slowest (ms) |");
    println!("|---|---|---|---|---|---|");
    for (servers, containers) in sizes {
        let networks = (containers / 8).max(2);
        let names: Vec<String> = (0..servers).map(|s| format!("server-{s}")).collect();
        let topologies: Vec<Topology> = (0..servers)
            .map(|_| common::coolify_like(containers, networks))
            .collect();
        let fleet: Vec<(&str, &Topology)> =
            names.iter().map(String::as_str).zip(&topologies).collect();
        let mut lines_t = Vec::new();
        let mut across_t = Vec::new();
        let mut search_t = Vec::new();
        let mut totals = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let lines: Vec<ServerSummary> = fleet
                .iter()
                .map(|(_, t)| ServerSummary::new(&status(t), &findings(t), &matrix(t, &Scope::All)))
                .collect();
            let lines_done = Instant::now();
            let found = across::findings(std::hint::black_box(&fleet));
            let across_done = Instant::now();
            let hits = across::search(std::hint::black_box(&fleet), "svc3", 50);
            let done = Instant::now();
            std::hint::black_box((lines, found, hits));
            lines_t.push(lines_done - started);
            across_t.push(across_done - lines_done);
            search_t.push(done - across_done);
            totals.push(done - started);
        }
        for v in [&mut lines_t, &mut across_t, &mut search_t, &mut totals] {
            v.sort();
        }
        let median = |v: &Vec<Duration>| ms(v[v.len() / 2]);
        println!(
            "| {servers} × {containers} | {:.1} | {:.2} | {:.2} | {:.1} | {:.1} |",
            median(&lines_t),
            median(&across_t),
            median(&search_t),
            median(&totals),
            ms(totals[totals.len() - 1])
        );
    }
}
