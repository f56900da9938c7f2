//! The network graph as a user meets it in a real browser, against the real engine.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::Locator;
use end2end::{
    eventually, mark_document, same_document, testid, testids, text_of, url_contains,
    wait_for_hydration, with_browser, Server,
};

fn node(name: &str) -> Locator<'static> {
    Locator::Css(Box::leak(
        format!("[data-testid=\"graph-node\"][data-node=\"{name}\"]").into_boxed_str(),
    ))
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn the_graph_shows_containers_a_finding_badge_and_a_nodes_details() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let web = lab
        .container(ContainerSpec::new("web").network(&net, &["web-alias"]))
        .await;
    let alone = lab
        .container(ContainerSpec::new("alone").network_mode("none"))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the graph");
        wait_for_hydration(&client).await;
        client
            .find(testid(testids::GRAPH))
            .await
            .expect("the graph is drawn");
        client
            .find(node(&web))
            .await
            .expect("a node for the container");
        client
            .find(Locator::Css(Box::leak(
                format!("[data-network=\"{net}\"]").into_boxed_str(),
            )))
            .await
            .expect("a group for its network");
        let alone_node = client
            .find(node(&alone))
            .await
            .expect("a node for the isolated container");
        alone_node
            .find(testid(testids::GRAPH_BADGE))
            .await
            .expect("a finding badge on the isolated container");
        let findings = client
            .find(testid(testids::FINDINGS))
            .await
            .expect("the findings list");
        let text = findings.text().await.expect("text");
        assert!(
            text.contains(&alone),
            "the findings list names {alone}: {text}"
        );

        mark_document(&client).await;
        client
            .find(node(&web))
            .await
            .expect("web")
            .click()
            .await
            .expect("select web");
        eventually("the details panel shows the selected container", || async {
            match client.find(testid(testids::NODE_DETAILS)).await {
                Ok(panel) => panel
                    .text()
                    .await
                    .map(|t| t.contains(&web) && t.contains("web-alias"))
                    .unwrap_or(false),
                Err(_) => false,
            }
        })
        .await;
        let details = text_of(&client, testid(testids::NODE_DETAILS)).await;
        assert!(
            details.contains(&net),
            "the details name the network: {details}"
        );
        assert!(
            url_contains(&client, "sel=").await,
            "the selection is in the URL"
        );
        assert!(
            same_document(&client).await,
            "selecting did not reload the page"
        );

        // The link reproduces the screen: a fresh load of the URL shows the same selection.
        let link = client.current_url().await.expect("url").to_string();
        client.goto(&link).await.expect("reload the link");
        let details = text_of(&client, testid(testids::NODE_DETAILS)).await;
        assert!(details.contains(&web), "the link selects {web}: {details}");
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn the_graph_follows_engine_events_without_a_reload() {
    let lab = std::sync::Arc::new(TestLab::start().await);
    let net = lab.network("live").await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();
    let later = lab.name("later");
    let lab_in_browser = std::sync::Arc::clone(&lab);

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the graph");
        wait_for_hydration(&client).await;
        eventually("the live feed is connected", || async {
            let state = client
                .find(testid(testids::HYDRATION))
                .await
                .expect("marker")
                .attr("data-live")
                .await;
            state.ok().flatten().as_deref() == Some("live")
        })
        .await;
        assert!(client
            .find_all(node(&later))
            .await
            .expect("query")
            .is_empty());
        mark_document(&client).await;

        lab_in_browser
            .container(ContainerSpec::new("later").network(&net, &[]))
            .await;
        eventually("the new container appears on the graph", || async {
            client
                .find_all(node(&later))
                .await
                .map(|n| !n.is_empty())
                .unwrap_or(false)
        })
        .await;
        assert!(
            same_document(&client).await,
            "the graph updated without a reload"
        );
    })
    .await;
    drop(server);
}
