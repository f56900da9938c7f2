//! How long the reachability matrix takes: `matrix(&topology, &Scope::All)` over a synthetic
//! Coolify-like host (N containers over M networks, stacks of five with service-name aliases,
//! each container on two networks), natively. Pure: no engine, nothing runs. There is no docker
//! CLI equivalent to compare with: the CLI has no notion of who can reach whom (the nearest is
//! a `docker network inspect` per network and reading it by hand).
//!
//! `cargo bench -p app --bench reachability -- [--sizes 20x5,300x40] [--runs 20]`
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use app::domain::reachability::matrix::{matrix, Scope};
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let (sizes, runs) = common::sizes_and_runs(vec![(20, 5), (300, 40)], 20);
    println!("| containers × networks | cells | open | median ms | min ms | max ms |");
    println!("|---|---|---|---|---|---|");
    for (containers, networks) in sizes {
        let t = common::coolify_like(containers, networks);
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
