//! Checks in a real browser against the real engine: "Test it" on a built address, and the
//! "containers cannot communicate" wizard clicked through to its diagnosis.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::Client;
use end2end::{eventually, testid, testids, text_of, wait_for_hydration, with_browser, Server};

async fn report_attr(client: &Client, attr: &str) -> Option<String> {
    let report = client.find(testid(testids::CHECK_REPORT)).await.ok()?;
    report.attr(attr).await.ok().flatten()
}

#[tokio::test]
#[ignore = "browser test: run by `cargo leptos end-to-end`"]
async fn test_it_proves_the_built_address_answers_and_the_wizard_finds_a_wrong_port() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "7000"])
                .network(&net, &["web-alias"])
                .publish(7000, "127.0.0.1"),
        )
        .await;
    let app = lab
        .container(ContainerSpec::new("app").network(&net, &[]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let connect = format!("{}/connect?v=1&from={app}&to={web}&port=7000", server.url);
    let wizard = format!(
        "{}/diagnose?check=reach&from={app}&to={web}:7001",
        server.url
    );

    with_browser(move |client| async move {
        client.goto(&connect).await.expect("open the builder");
        wait_for_hydration(&client).await;
        let built = text_of(&client, testid(testids::BUILT_URL)).await;
        assert!(built.contains("web-alias:7000"), "{built}");
        client
            .find(testid(testids::TEST_IT))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("the check answers beside the string", || async {
            report_attr(&client, "data-healthy").await.is_some()
        })
        .await;
        let diagnosis = text_of(&client, testid(testids::DIAGNOSIS)).await;
        assert_eq!(
            report_attr(&client, "data-healthy").await.as_deref(),
            Some("true"),
            "{diagnosis}"
        );
        let steps = client.find_all(testid(testids::CHECK_STEP)).await.unwrap();
        assert!(
            steps.len() >= 3,
            "topology, name and connection steps are shown"
        );
        let resolve = steps[1].text().await.unwrap();
        assert!(
            resolve.contains("web-alias"),
            "the chosen alias is what was looked up: {resolve}"
        );

        // The wizard, opened from a link with its inputs, runs only when asked.
        client.goto(&wizard).await.expect("open the wizard");
        wait_for_hydration(&client).await;
        assert!(
            client.find(testid(testids::CHECK_REPORT)).await.is_err(),
            "nothing ran on opening the link"
        );
        client
            .find(testid(testids::WIZARD_RUN))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("the wizard reaches its diagnosis", || async {
            report_attr(&client, "data-code").await.is_some()
        })
        .await;
        let code = report_attr(&client, "data-code").await.unwrap();
        let diagnosis = text_of(&client, testid(testids::DIAGNOSIS)).await;
        assert_eq!(code, "wrong-port", "{diagnosis}");
        assert!(
            diagnosis.contains("7000"),
            "the fix names the port it listens on: {diagnosis}"
        );
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `cargo leptos end-to-end`"]
async fn a_finding_on_the_graph_opens_its_wizard_filled_in_without_running_it() {
    let lab = TestLab::start().await;
    let cut_off = lab
        .container(ContainerSpec::new("cutoff").network_mode("none"))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();

    with_browser(move |client| async move {
        client
            .goto(&format!("{url}/"))
            .await
            .expect("open the graph");
        wait_for_hydration(&client).await;
        let card = "[data-testid=\"finding\"][data-code=\"network-none\"]";
        eventually("the network-none finding is listed", || async {
            let Ok(cards) = client
                .find_all(end2end::fantoccini::Locator::Css(card))
                .await
            else {
                return false;
            };
            for c in cards {
                if c.text().await.unwrap_or_default().contains(&cut_off) {
                    return true;
                }
            }
            false
        })
        .await;
        // The link is in the finding's folded details; the checked container is in the URL.
        let link = client
            .find_all(testid(testids::DIAGNOSE_LINK))
            .await
            .unwrap();
        let mut href = None;
        for l in link {
            let h = l.attr("href").await.unwrap().unwrap_or_default();
            if h.contains(&cut_off) {
                href = Some(h);
            }
        }
        let href = href.expect("a diagnose link for the cut-off container");
        assert_eq!(href, format!("/diagnose?check=external&from={cut_off}"));
        client.goto(&format!("{url}{href}")).await.unwrap();
        wait_for_hydration(&client).await;
        let from = client
            .find(end2end::fantoccini::Locator::Css("input[name=\"from\"]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(from.as_deref(), Some(cut_off.as_str()));
        assert!(
            client.find(testid(testids::CHECK_REPORT)).await.is_err(),
            "opening the link ran nothing"
        );
    })
    .await;
    drop(server);
}
