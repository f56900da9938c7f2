//! How long the network picture takes to build: `Engine::topology()` against what the Coolify
//! docs teach with the docker CLI (one `docker inspect` per item, and the batched form), on
//! fixtures of N containers over M networks built with the testkit, plus `layout()` natively.
//!
//! `cargo bench -p app --features testkit --bench topology -- [--sizes 20x5,300x40] [--rounds 5]`
//!
//! The bench shells out to the docker CLI (the product never does); it talks to the local
//! engine only.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::graph::{layout_input, GraphQuery};
use app::domain::layout::layout;
use app::domain::topology::Topology;
use app::engine::testkit::{docker_cli, leftovers, ContainerSpec, TestLab, TEST_LABEL};
use app::engine::Engine;
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeSet;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Containers (and networks) created at once while building a fixture.
const CREATE_CONCURRENCY: usize = 8;
/// `layout()` runs per size.
const LAYOUT_RUNS: usize = 50;

/// One fixture: `containers` busybox containers over `networks` networks.
#[derive(Debug, Clone, Copy)]
struct Size {
    containers: usize,
    networks: usize,
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.containers, self.networks)
    }
}

struct Args {
    sizes: Vec<Size>,
    rounds: usize,
}

/// `--sizes 20x5,300x40 --rounds 5`; anything else cargo passes (`--bench`) is ignored.
fn parse_args() -> Args {
    let mut args = Args {
        sizes: vec![
            Size {
                containers: 20,
                networks: 5,
            },
            Size {
                containers: 300,
                networks: 40,
            },
        ],
        rounds: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sizes" => {
                let value = it.next().expect("--sizes needs a value like 20x5,300x40");
                args.sizes = value
                    .split(',')
                    .map(|s| {
                        let (n, m) = s.split_once('x').expect("a size is NxM");
                        let size = Size {
                            containers: n.trim().parse().expect("N is a number"),
                            networks: m.trim().parse().expect("M is a number"),
                        };
                        assert!(
                            (1..=250).contains(&size.networks),
                            "M must be 1..=250 (one /24 each)"
                        );
                        size
                    })
                    .collect();
            }
            "--rounds" => {
                args.rounds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|r| *r > 0)
                    .expect("--rounds needs a positive number");
            }
            _ => {}
        }
    }
    args
}

/// Runs the docker CLI and returns its stdout; `None` when it exits non-zero (e.g. an item
/// vanished between list and inspect).
fn cli(docker: &str, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new(docker)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {docker}: {e}"));
    out.status.success().then_some(out.stdout)
}

fn ids(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// What one CLI pass saw: items listed, inspects that failed, bytes of JSON read.
#[derive(Debug, Default)]
struct CliPass {
    containers: usize,
    networks: usize,
    failed: usize,
    bytes: usize,
}

/// `docker ps -a -q`, then `docker inspect <id>` one process per container; the same for
/// networks. Sequential, as a user or a script following the docs would do it.
fn cli_per_item(docker: &str) -> CliPass {
    let mut pass = CliPass::default();
    let containers = ids(&cli(docker, &["ps", "-a", "-q"]).expect("docker ps"));
    pass.containers = containers.len();
    for id in &containers {
        match cli(docker, &["inspect", id]) {
            Some(json) => pass.bytes += json.len(),
            None => pass.failed += 1,
        }
    }
    let networks = ids(&cli(docker, &["network", "ls", "-q"]).expect("docker network ls"));
    pass.networks = networks.len();
    for id in &networks {
        match cli(docker, &["network", "inspect", id]) {
            Some(json) => pass.bytes += json.len(),
            None => pass.failed += 1,
        }
    }
    pass
}

/// `docker inspect $(docker ps -aq)` and `docker network inspect $(docker network ls -q)`.
fn cli_batched(docker: &str) -> CliPass {
    let mut pass = CliPass::default();
    let containers = ids(&cli(docker, &["ps", "-a", "-q"]).expect("docker ps"));
    pass.containers = containers.len();
    if !containers.is_empty() {
        let mut argv = vec!["inspect"];
        argv.extend(containers.iter().map(String::as_str));
        match cli(docker, &argv) {
            Some(json) => pass.bytes += json.len(),
            None => pass.failed += 1,
        }
    }
    let networks = ids(&cli(docker, &["network", "ls", "-q"]).expect("docker network ls"));
    pass.networks = networks.len();
    let mut argv = vec!["network", "inspect"];
    argv.extend(networks.iter().map(String::as_str));
    match cli(docker, &argv) {
        Some(json) => pass.bytes += json.len(),
        None => pass.failed += 1,
    }
    pass
}

/// M networks and N `sleep 3600` containers, round-robin over the networks; every 5th also on
/// the next network, every 10th publishing port 80 on 127.0.0.1.
async fn build_fixture(lab: &TestLab, size: Size) {
    let started = Instant::now();
    let networks = lab.networks_in_own_range("n", size.networks).await;
    println!(
        "  {} networks created in {:.1} s",
        networks.len(),
        started.elapsed().as_secs_f64()
    );
    let created = AtomicUsize::new(0);
    let step = (size.containers / 10).max(1);
    let networks = &networks;
    let created = &created;
    stream::iter(0..size.containers)
        .map(|i| async move {
            let mut spec =
                ContainerSpec::new(&format!("c{i:04}")).network(&networks[i % size.networks], &[]);
            if i.is_multiple_of(5) && size.networks > 1 {
                spec = spec.network(&networks[(i + 1) % size.networks], &[]);
            }
            if i.is_multiple_of(10) {
                spec = spec.publish(80, "127.0.0.1");
            }
            lab.container(spec).await;
            let done = created.fetch_add(1, Ordering::Relaxed) + 1;
            if done.is_multiple_of(step) || done == size.containers {
                println!(
                    "  created {done}/{}… ({:.1} s)",
                    size.containers,
                    started.elapsed().as_secs_f64()
                );
            }
        })
        .buffer_unordered(CREATE_CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(samples: &[Duration]) -> Duration {
    let mut s = samples.to_vec();
    s.sort();
    let n = s.len();
    if !n.is_multiple_of(2) {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2
    }
}

fn min(samples: &[Duration]) -> Duration {
    samples.iter().copied().min().unwrap_or_default()
}

fn list(samples: &[Duration]) -> String {
    samples
        .iter()
        .map(|d| format!("{:.1}", ms(*d)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One size's figures.
struct Row {
    size: Size,
    engine_containers: usize,
    engine_networks: usize,
    netdoctor: Vec<Duration>,
    per_item: Vec<Duration>,
    batched: Vec<Duration>,
    layout: Vec<Duration>,
    layout_nodes: usize,
    layout_edges: usize,
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Netdoctor,
    PerItem,
    Batched,
}

fn run_size(rt: &tokio::runtime::Runtime, docker: &str, size: Size, rounds: usize) -> Row {
    println!("== {size}: building the fixture");
    let lab = rt.block_on(TestLab::start());
    rt.block_on(build_fixture(&lab, size));
    // One Engine for all rounds, as the server keeps one: the warm-up round pays the connect.
    let engine: Engine = lab.engine();
    let mut row = Row {
        size,
        engine_containers: 0,
        engine_networks: 0,
        netdoctor: Vec::new(),
        per_item: Vec::new(),
        batched: Vec::new(),
        layout: Vec::new(),
        layout_nodes: 0,
        layout_edges: 0,
    };
    let mut topology = Topology::default();
    let methods = [Method::Netdoctor, Method::PerItem, Method::Batched];
    for round in 0..=rounds {
        // Rotate the order each round so no method always runs first or after the same one.
        let order: Vec<Method> = (0..3).map(|k| methods[(round + k) % 3]).collect();
        let mut line = format!(
            "  round {round}{}:",
            if round == 0 { " (warm-up)" } else { "" }
        );
        for method in order {
            let started = Instant::now();
            let note = match method {
                Method::Netdoctor => {
                    topology = rt.block_on(engine.topology()).expect("topology");
                    format!(
                        "{} containers, {} networks",
                        topology.containers.len(),
                        topology.networks.len()
                    )
                }
                Method::PerItem => {
                    let p = cli_per_item(docker);
                    format!(
                        "{} processes, {} failed, {} kB",
                        2 + p.containers + p.networks,
                        p.failed,
                        p.bytes / 1024
                    )
                }
                Method::Batched => {
                    let p = cli_batched(docker);
                    format!("4 processes, {} failed, {} kB", p.failed, p.bytes / 1024)
                }
            };
            let took = started.elapsed();
            line.push_str(&format!(" {method:?} {:.1} ms ({note});", ms(took)));
            if round > 0 {
                match method {
                    Method::Netdoctor => row.netdoctor.push(took),
                    Method::PerItem => row.per_item.push(took),
                    Method::Batched => row.batched.push(took),
                }
            }
        }
        println!("{line}");
    }
    row.engine_containers = topology.containers.len();
    row.engine_networks = topology.networks.len();
    let ours = topology
        .containers
        .iter()
        .filter(|c| c.name.as_str().starts_with(&lab.name("")))
        .count();
    assert_eq!(
        ours, size.containers,
        "the topology should hold every fixture container"
    );

    // What the graph page draws, unfiltered.
    let input = layout_input(&topology, &GraphQuery::default(), &BTreeSet::new());
    let options = app::domain::layout::LayoutOptions::fitted(1.4);
    let mut picture = layout(&input, &options);
    for _ in 0..LAYOUT_RUNS {
        let started = Instant::now();
        picture = layout(std::hint::black_box(&input), &options);
        row.layout.push(started.elapsed());
    }
    row.layout_nodes = picture.nodes.len();
    row.layout_edges = picture.edges.len();

    let run_id = lab.run_id().to_owned();
    println!("== {size}: removing the fixture");
    let started = Instant::now();
    drop(lab);
    println!("  removed in {:.1} s", started.elapsed().as_secs_f64());
    let (containers, networks) = rt.block_on(leftovers(&run_id));
    let label = format!("label={TEST_LABEL}");
    let anyone = ids(&cli(docker, &["ps", "-aq", "--filter", &label]).expect("docker ps"));
    println!(
        "  left behind: {containers} containers, {networks} networks of run {run_id}; \
         `docker ps -aq --filter {label}` lists {}",
        anyone.len()
    );
    row
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "| size | on engine (containers/networks) | netdoctor median / min ms | CLI per-item median / min ms | CLI batched median / min ms | netdoctor ÷ per-item | netdoctor ÷ batched | layout() median ms (nodes/edges) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        let nd = median(&r.netdoctor);
        let pi = median(&r.per_item);
        let ba = median(&r.batched);
        println!(
            "| {} | {}/{} | {:.1} / {:.1} | {:.1} / {:.1} | {:.1} / {:.1} | {:.3} | {:.2} | {:.3} ({}/{}) |",
            r.size,
            r.engine_containers,
            r.engine_networks,
            ms(nd),
            ms(min(&r.netdoctor)),
            ms(pi),
            ms(min(&r.per_item)),
            ms(ba),
            ms(min(&r.batched)),
            nd.as_secs_f64() / pi.as_secs_f64(),
            nd.as_secs_f64() / ba.as_secs_f64(),
            ms(median(&r.layout)),
            r.layout_nodes,
            r.layout_edges,
        );
    }
    println!();
    for r in rows {
        println!("samples {} (ms, after warm-up):", r.size);
        println!("  netdoctor:    {}", list(&r.netdoctor));
        println!("  CLI per-item: {}", list(&r.per_item));
        println!("  CLI batched:  {}", list(&r.batched));
        println!(
            "  layout():     min {:.3} median {:.3} max {:.3}",
            ms(min(&r.layout)),
            ms(median(&r.layout)),
            ms(r.layout.iter().copied().max().unwrap_or_default())
        );
    }
}

fn main() {
    let args = parse_args();
    let docker = docker_cli();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "topology bench: sizes {}, {} rounds after one warm-up, CLI {docker}",
        args.sizes
            .iter()
            .map(Size::to_string)
            .collect::<Vec<_>>()
            .join(","),
        args.rounds
    );
    let rows: Vec<Row> = args
        .sizes
        .iter()
        .map(|size| run_size(&rt, &docker, *size, args.rounds))
        .collect();
    print_table(&rows);
}
