//! How long the reachability matrix takes: `matrix(&topology, &Scope::All)` over a synthetic
//! Coolify-like host (N containers over M networks, stacks of five with service-name aliases,
//! each container on two networks), natively. Pure: no engine, nothing runs. There is no docker
//! CLI equivalent to compare with: the CLI has no notion of who can reach whom (the nearest is
//! a `docker network inspect` per network and reading it by hand).
//!
//! `cargo bench -p app --bench reachability -- [--sizes 20x5,300x40] [--runs 20]`
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use app::domain::engine_json::{ContainerInspectJson, NetworkInspectJson};
use app::domain::reachability::matrix::{matrix, Scope};
use app::domain::topology::Topology;
use serde_json::json;
use std::time::{Duration, Instant};

fn fixture(containers: usize, networks: usize) -> Topology {
    let nets: Vec<NetworkInspectJson> = (0..networks)
        .map(|n| {
            serde_json::from_value(json!({
                "Name": format!("net-{n}"), "Id": format!("{n:064x}"), "Driver": "bridge", "Scope": "local",
                "Internal": n % 10 == 9,
                "IPAM": {"Config": [{"Subnet": format!("10.{n}.0.0/16"), "Gateway": format!("10.{n}.0.1")}]}
            }))
            .unwrap()
        })
        .collect();
    let cs: Vec<ContainerInspectJson> = (0..containers)
        .map(|i| {
            let stack = i / 5;
            let service = format!("svc{}", i % 5);
            let name = format!("{service}-stack{stack}");
            let mut endpoints = serde_json::Map::new();
            for n in [i % networks, (i * 7 + 3) % networks] {
                endpoints.insert(
                    format!("net-{n}"),
                    json!({"IPAddress": format!("10.{n}.{}.{}", i / 250, i % 250 + 2), "Aliases": [service, format!("{i:012x}")]}),
                );
            }
            serde_json::from_value(json!({
                "Id": format!("{i:064x}"), "Name": format!("/{name}"),
                "State": {"Status": if i % 17 == 0 { "exited" } else { "running" }, "Running": i % 17 != 0},
                "Config": {"Image": "app:latest", "ExposedPorts": {"8080/tcp": {}},
                    "Labels": {"com.docker.compose.project": format!("stack{stack}"), "com.docker.compose.service": service}},
                "HostConfig": {"NetworkMode": format!("net-{}", i % networks)},
                "NetworkSettings": {"Networks": endpoints}
            }))
            .unwrap()
        })
        .collect();
    Topology::from_engine(&cs, &nets)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let (sizes, runs) = common::sizes_and_runs(vec![(20, 5), (300, 40)], 20);
    println!("| containers × networks | cells | open | median ms | min ms | max ms |");
    println!("|---|---|---|---|---|---|");
    for (containers, networks) in sizes {
        let t = fixture(containers, networks);
        let mut samples = Vec::new();
        let mut last = matrix(&t, &Scope::All);
        for _ in 0..runs {
            let started = Instant::now();
            last = matrix(std::hint::black_box(&t), &Scope::All);
            samples.push(started.elapsed());
        }
        samples.sort();
        let (open, total) = last.counts();
        println!(
            "| {containers} × {networks} | {total} | {open} | {:.1} | {:.1} | {:.1} |",
            ms(samples[samples.len() / 2]),
            ms(samples[0]),
            ms(samples[samples.len() - 1])
        );
    }
}
