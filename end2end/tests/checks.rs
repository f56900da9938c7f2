//! Checks in a real browser against the real engine: "Test it" on a built address, and the
//! "containers cannot communicate" wizard clicked through to its diagnosis.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::{Client, Locator};
use end2end::{
    click, eventually, testid, testids, text_of, url_contains, wait_for_hydration, with_browser,
    Server,
};

async fn report_attr(client: &Client, attr: &str) -> Option<String> {
    let report = client.find(testid(testids::CHECK_REPORT)).await.ok()?;
    report.attr(attr).await.ok().flatten()
}

/// Presses the button `id` and waits for the check's report: its `attr` and the diagnosis text.
async fn press_until_report(client: &Client, id: &str, attr: &str) -> (String, String) {
    click(client, id).await;
    eventually("the check reaches its diagnosis", || async {
        report_attr(client, attr).await.is_some()
    })
    .await;
    let diagnosis = text_of(client, testid(testids::DIAGNOSIS)).await;
    (
        report_attr(client, attr).await.unwrap_or_default(),
        diagnosis,
    )
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
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
        let (healthy, diagnosis) =
            press_until_report(&client, testids::TEST_IT, "data-healthy").await;
        assert_eq!(healthy, "true", "{diagnosis}");
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
        let (code, diagnosis) = press_until_report(&client, testids::WIZARD_RUN, "data-code").await;
        assert_eq!(code, "wrong-port", "{diagnosis}");

        // The result joins the URL: the copied link shows it again, without running anything.
        eventually("the result is in the URL", || async {
            url_contains(&client, "result=").await
        })
        .await;
        let here = client.current_url().await.unwrap().to_string();
        client.goto(&here).await.unwrap();
        wait_for_hydration(&client).await;
        eventually("the linked result is shown", || async {
            report_attr(&client, "data-code").await.as_deref() == Some("wrong-port")
        })
        .await;
        assert!(
            diagnosis.contains("7000"),
            "the fix names the port it listens on: {diagnosis}"
        );
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
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
            let Ok(cards) = client.find_all(Locator::Css(card)).await else {
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
            .find(Locator::Css("input[name=\"from\"]"))
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

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn the_proxy_wizard_is_clicked_through_to_the_missing_network_and_its_fix() {
    let lab = TestLab::start().await;
    let dest = lab.network("dest").await;
    let private = lab.network("private").await;
    let proxy = lab.traefik_proxy(&dest).await;
    let domain = format!("app.{}.example.test", lab.run_id());
    lab.container(
        ContainerSpec::new("app")
            .cmd(["httpd", "-f", "-p", "3000"])
            .network(&private, &[])
            .traefik_route("app", &domain, 3000),
    )
    .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();

    with_browser(move |client| async move {
        client.goto(&format!("{url}/diagnose")).await.unwrap();
        wait_for_hydration(&client).await;
        client
            .find(Locator::Css("button[data-wizard=\"proxy\"]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // Typed as a user pastes it from the address bar; the proxy is this test's own.
        for (field, value) in [
            ("domain", format!("https://{domain}/login")),
            ("proxy", proxy.clone()),
        ] {
            let input = client
                .find(Locator::Css(&format!("input[name=\"{field}\"]")))
                .await
                .unwrap();
            input.send_keys(&format!("{value}\t")).await.unwrap();
        }
        eventually("the inputs are in the URL", || async {
            let now = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            now.contains("check=proxy") && now.contains("domain=") && now.contains(&proxy)
        })
        .await;
        let (code, diagnosis) = press_until_report(&client, testids::WIZARD_RUN, "data-code").await;
        assert_eq!(code, "proxy-not-on-network", "{diagnosis}");
        assert!(
            diagnosis.contains(&format!("docker network connect {private} {proxy}")),
            "{diagnosis}"
        );
        let steps = client.find_all(testid(testids::CHECK_STEP)).await.unwrap();
        let mut titles = Vec::new();
        for s in &steps {
            titles.push(s.text().await.unwrap_or_default());
        }
        assert!(
            titles[1].contains(&domain),
            "the route step names the domain: {titles:?}"
        );
        assert!(
            titles.iter().any(|t| t.contains("recent log")),
            "the proxy's log was read: {titles:?}"
        );
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn network_diagnostics_walks_from_the_networks_to_a_members_settings_and_the_link_reproduces_it(
) {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let web = lab
        .container(ContainerSpec::new("web").network(&net, &["web-alias"]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();

    with_browser(move |client| async move {
        client
            .goto(&format!("{url}/diagnose?check=network"))
            .await
            .unwrap();
        wait_for_hydration(&client).await;
        let row = format!("tr[data-network=\"{net}\"] button");
        eventually("the lab's network is listed", || async {
            client.find(Locator::Css(&row)).await.is_ok()
        })
        .await;
        client
            .find(Locator::Css(&row))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let member = format!(
            "[data-testid=\"{}\"][data-container=\"{web}\"] button",
            testids::MEMBER_ROW
        );
        eventually("the network's members are shown", || async {
            client.find(Locator::Css(&member)).await.is_ok()
        })
        .await;
        let details = text_of(&client, testid(testids::NETWORK_DETAILS)).await;
        assert!(
            details.contains(&format!("docker network inspect {net}")),
            "{details}"
        );
        assert!(
            details.contains("web-alias"),
            "the names it resolves as: {details}"
        );
        client
            .find(Locator::Css(&member))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("the container's network settings are shown", || async {
            client
                .find(testid(testids::CONTAINER_NETWORKS))
                .await
                .is_ok()
        })
        .await;
        let settings = text_of(&client, testid(testids::CONTAINER_NETWORKS)).await;
        assert!(
            settings.contains(&format!("Network settings of {web}")),
            "{settings}"
        );
        assert!(
            settings.contains(&net) && settings.contains("web-alias"),
            "{settings}"
        );

        // The address reproduces the screen.
        let here = client.current_url().await.unwrap().to_string();
        assert!(
            here.contains(&format!("net={net}")) && here.contains(&format!("from={web}")),
            "{here}"
        );
        client.goto(&here).await.unwrap();
        wait_for_hydration(&client).await;
        eventually("the same three steps after a reload", || async {
            client
                .find(testid(testids::CONTAINER_NETWORKS))
                .await
                .is_ok()
                && client.find(testid(testids::NETWORK_DETAILS)).await.is_ok()
        })
        .await;
    })
    .await;
    drop(server);
}
