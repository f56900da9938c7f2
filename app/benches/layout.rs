//! How long the graph takes to lay out, natively: a synthetic Coolify-like host (a Traefik proxy
//! on every network, N containers over M networks — a few big networks, many small ones — every
//! 5th routed by a domain, every 10th publishing a host port, every 4th on a second network),
//! through what the page does on every change: the layout's input from the topology, the layout
//! fitted to the graph frame of a 1440×900 window (open, and the overview a large host opens on),
//! and what a selection lights up. Pure: no engine, no browser.
//!
//! `cargo bench -p app --bench layout -- [--sizes 20x5,40x8,300x40] [--runs 50]`
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use app::domain::engine_json::{ContainerInspectJson, NetworkInspectJson};
use app::domain::graph::{focus_on_node, is_overview, layout_input, layout_options, GraphQuery};
use app::domain::layout::{layout, LayoutOptions};
use app::domain::topology::Topology;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The graph frame's shape in a 1440×900 window.
const ASPECT: f64 = 1062.0 / 766.0;

fn fixture(containers: usize, networks: usize) -> Topology {
    let nets: Vec<NetworkInspectJson> = (0..networks)
        .map(|n| {
            serde_json::from_value(json!({
                "Name": format!("net-{n}"), "Id": format!("{n:064x}"), "Driver": "bridge", "Scope": "local",
                "IPAM": {"Config": [{"Subnet": format!("10.{n}.0.0/16"), "Gateway": format!("10.{n}.0.1")}]}
            }))
            .unwrap()
        })
        .collect();
    let endpoint = |n: usize, i: usize| json!({"IPAddress": format!("10.{n}.{}.{}", i / 250, i % 250 + 2), "Aliases": [format!("{i:012x}")]});
    let mut proxy_networks = serde_json::Map::new();
    for n in 0..networks {
        proxy_networks.insert(format!("net-{n}"), endpoint(n, 60_000));
    }
    let mut cs: Vec<ContainerInspectJson> = vec![serde_json::from_value(json!({
        "Id": format!("{:064x}", u64::MAX), "Name": "/coolify-proxy",
        "State": {"Status": "running", "Running": true},
        "Config": {"Image": "traefik:v3.6", "ExposedPorts": {"80/tcp": {}, "443/tcp": {}},
            "Labels": {"coolify.managed": "true", "coolify.proxy": "true"}},
        "HostConfig": {"NetworkMode": "net-0"},
        "NetworkSettings": {"Networks": proxy_networks, "Ports": {
            "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "80"}],
            "443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "443"}]}}
    }))
    .unwrap()];
    for i in 0..containers {
        // Skewed: network k holds about twice as many as network k + 1.
        let home = (i * i / containers.max(1) + i / 7) % networks;
        let mut endpoints = serde_json::Map::new();
        endpoints.insert(format!("net-{home}"), endpoint(home, i));
        if i % 4 == 3 {
            let other = (home + 1 + i % 3) % networks;
            endpoints.insert(format!("net-{other}"), endpoint(other, i));
        }
        let mut labels = serde_json::Map::new();
        labels.insert(
            "com.docker.compose.project".into(),
            json!(format!("stack{}", i / 5)),
        );
        if i % 5 == 0 {
            labels.insert("traefik.enable".into(), json!("true"));
            labels.insert(
                format!("traefik.http.routers.r{i}.rule"),
                json!(format!("Host(`app{i}.example.com`)")),
            );
            labels.insert(
                format!("traefik.http.services.r{i}.loadbalancer.server.port"),
                json!("8080"),
            );
        }
        let ports = if i % 10 == 9 {
            json!({"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": (20_000 + i).to_string()}]})
        } else {
            json!({})
        };
        cs.push(
            serde_json::from_value(json!({
                "Id": format!("{i:064x}"), "Name": format!("/app-{i:03}"),
                "State": {"Status": "running", "Running": true},
                "Config": {"Image": "app:latest", "ExposedPorts": {"8080/tcp": {}}, "Labels": labels},
                "HostConfig": {"NetworkMode": format!("net-{home}")},
                "NetworkSettings": {"Networks": endpoints, "Ports": ports}
            }))
            .unwrap(),
        );
    }
    Topology::from_engine(&cs, &nets)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, min and max of `runs` timings of `work`, in ms.
fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> (f64, f64, f64) {
    let mut samples: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(work());
            started.elapsed()
        })
        .collect();
    samples.sort();
    (
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
    )
}

fn main() {
    let (sizes, runs) = common::sizes_and_runs(vec![(20, 5), (40, 8), (300, 40)], 50);
    println!("{runs} runs each; ms as median / min / max");
    println!();
    println!("| containers × networks | layout_input | layout, all open (nodes/edges) | layout as the page opens it (groups closed) | a selection's focus |");
    println!("|---|---|---|---|---|");
    let show = |(median, min, max): (f64, f64, f64)| format!("{median:.3} / {min:.3} / {max:.3}");
    for (containers, networks) in sizes {
        let t = fixture(containers, networks);
        let query = GraphQuery::default();
        let flagged = BTreeSet::new();
        let input = layout_input(&t, &query, &flagged);
        let open = LayoutOptions::fitted(ASPECT);
        let picture = layout(&input, &open);
        let page = layout_options(&input, &query, ASPECT, &[]);
        let first = layout(&input, &page);
        let closed = first.groups.iter().filter(|g| g.closed).count();
        let selected = input
            .containers
            .iter()
            .find(|c| !c.is_proxy)
            .map(|c| c.id.clone())
            .unwrap_or_default();
        let t_input = time(runs, || layout_input(&t, &query, &flagged));
        let t_open = time(runs, || layout(&input, &open));
        let t_page = time(runs, || layout(&input, &page));
        let t_focus = time(runs, || focus_on_node(&picture, &selected));
        println!(
            "| {containers} × {networks} | {} | {} ({}/{}) | {} ({}; {closed} of {} groups closed) | {} |",
            show(t_input),
            show(t_open),
            picture.nodes.len(),
            picture.edges.len(),
            show(t_page),
            if is_overview(&input) { "overview" } else { "all open" },
            first.groups.len(),
            show(t_focus),
        );
    }
}
