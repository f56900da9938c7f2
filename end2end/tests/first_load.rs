//! The first-load budget: every main page's first visit, as Chromium makes it with an empty
//! cache, stays within the ceiling (bytes are deterministic, so this is a test, not a timing),
//! with its WebAssembly compressed, and hydrates under the Content-Security-Policy with no
//! violation reported. Issue 17's goal is 250 KB (`GOAL_BYTES`), not met yet; the ceiling keeps
//! the first load from growing meanwhile. The times are the benchmark's business
//! (`scripts/first-load.sh`, BENCHMARKS.md), not this test's.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::first_load::{emulate, measure, prepare, report, CEILING_BYTES, GOAL_BYTES, PAGES};
use end2end::{with_browser, Server};

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn every_main_page_loads_compressed_within_the_ceiling_and_hydrates_under_the_csp() {
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
    let pages: Vec<String> = PAGES
        .iter()
        .map(|p| p.replace("{container}", &container))
        .collect();

    with_browser(move |client| async move {
        prepare(&client).await;
        emulate(&client, None).await;
        let mut over = Vec::new();
        for page in &pages {
            let load = measure(&client, &origin, page).await;
            println!("{}", report(&load));
            assert!(
                load.csp_violations.is_empty(),
                "{page} broke the Content-Security-Policy: {:?}",
                load.csp_violations
            );
            let wasm = load.assets.iter().filter(|a| a.path.ends_with(".wasm"));
            assert!(
                wasm.clone().count() >= 1 && wasm.clone().all(|a| a.encoded < a.decoded),
                "{page}: its WebAssembly arrives compressed"
            );
            if load.transferred() > CEILING_BYTES {
                over.push(format!("{page}: {} bytes", load.transferred()));
            }
            if load.transferred() > GOAL_BYTES {
                eprintln!(
                    "{page}: {} bytes, over issue 17's goal of {GOAL_BYTES}",
                    load.transferred()
                );
            }
        }
        assert!(
            over.is_empty(),
            "over the {CEILING_BYTES}-byte first-load ceiling: {over:?}"
        );
    })
    .await;
}
