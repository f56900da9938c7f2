//! The first-load benchmark (`scripts/first-load.sh` builds the release site and runs it):
//! starts the built server against the live engine with one labelled busybox container of its
//! own, then, in headless Chromium with the cache off, prints for each page every response of
//! its first load (bytes transferred, compressed body, raw body) and the time to hydrated —
//! once over loopback, then `ROUNDS` times over a link throttled to 10 Mbit/s and 50 ms RTT.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::first_load::{emulate, measure, prepare, report, GOAL_BYTES, PAGES, THROTTLED};
use end2end::{with_browser, Server};
use std::sync::{Arc, Mutex};

const ROUNDS: usize = 5;

#[tokio::main]
async fn main() {
    let lab = TestLab::start().await;
    // On a network of its own: the page shows it wherever the engine's default bridge is.
    let net = lab.network("net").await;
    let container = lab
        .container(
            ContainerSpec::new("shown")
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&net, &[]),
        )
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let origin = server.url.clone();
    // `FIRST_LOAD_PAGES=/connect,/diagnose` measures only those.
    let only = std::env::var("FIRST_LOAD_PAGES").unwrap_or_default();
    let pages: Vec<String> = PAGES
        .iter()
        .filter(|p| only.is_empty() || only.split(',').any(|o| o == **p))
        .map(|p| p.replace("{container}", &container))
        .collect();

    // Two browsers, one per link: a first load over loopback gives the bytes, then a fresh
    // browser throttled from its first page gives the times.
    let (origin2, pages2) = (origin.clone(), pages.clone());
    let fast = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&fast);
    with_browser(move |client| async move {
        prepare(&client).await;
        emulate(&client, None).await;
        for page in &pages {
            let load = measure(&client, &origin, page).await;
            println!("{}", report(&load));
            into.lock().unwrap().push(load);
        }
    })
    .await;
    // Throttled, each load in a browser of its own: once Chromium has seen a network change
    // (any container started on this host adds an interface) while a link is emulated, every
    // later navigation of that browser fails with ERR_NETWORK_CHANGED.
    let mut slow = Vec::new();
    for page in &pages2 {
        let times = Arc::new(Mutex::new(Vec::new()));
        for _ in 0..ROUNDS {
            let (into, origin, page) = (Arc::clone(&times), origin2.clone(), page.clone());
            with_browser(move |client| async move {
                prepare(&client).await;
                emulate(&client, Some(THROTTLED)).await;
                let ms = measure(&client, &origin, &page).await.hydrated_ms;
                into.lock().unwrap().push(ms);
            })
            .await;
        }
        let mut times = times.lock().unwrap().clone();
        times.sort_by(f64::total_cmp);
        slow.push(times);
    }
    println!(
        "first load per page (goal {} KB transferred; hydrated over {} Mbit/s, {} ms RTT: median of {ROUNDS}, min-max)",
        GOAL_BYTES / 1000,
        THROTTLED.bits_per_second / 1_000_000,
        THROTTLED.latency_ms
    );
    println!(
        "| page | transferred | compressed | raw | hydrated, loopback | hydrated, throttled |"
    );
    println!("|---|---|---|---|---|---|");
    for (load, times) in fast.lock().unwrap().iter().zip(&slow) {
        println!(
            "| `{}` | {:.1} KB | {:.1} KB | {:.1} KB | {:.0} ms | {:.0} ms ({:.0}-{:.0}) |",
            load.page,
            load.transferred() as f64 / 1000.0,
            load.encoded() as f64 / 1000.0,
            load.decoded() as f64 / 1000.0,
            load.hydrated_ms,
            times[times.len() / 2],
            times[0],
            times[times.len() - 1]
        );
    }
    drop(server);
    lab.clean_up().await;
}
