//! The overview as a user meets it in a real browser, against the real engine.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{test_endpoint, ContainerSpec, TestLab};
use end2end::fantoccini::Locator;
use end2end::{
    eventually, mark_document, same_document, scratch_dir, testid, testids, text_of, url_contains,
    wait_for_hydration, with_browser, Server,
};

fn row(name: &str) -> Locator<'static> {
    Locator::Css(Box::leak(
        format!("tr[data-name=\"{name}\"]").into_boxed_str(),
    ))
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_labelled_container_appears_and_the_hydrated_page_filters_without_a_reload() {
    let lab = TestLab::start().await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "80"])
                .publish(80, "127.0.0.1"),
        )
        .await;
    let idle = lab
        .container(ContainerSpec::new("idle").created_only())
        .await;
    let stack = format!("stack-{}", lab.run_id());
    let member = lab
        .container(
            ContainerSpec::new("member")
                .label("com.docker.compose.project", &stack)
                .label("com.docker.compose.service", "db"),
        )
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();

    with_browser(move |client| async move {
        client
            .goto(&format!("{url}/containers"))
            .await
            .expect("open the container list");
        wait_for_hydration(&client).await;
        client
            .find(testid(testids::ENGINE_STRIP))
            .await
            .expect("the engine status strip is shown");
        // Rows are redrawn when engine events arrive, so every check finds its element afresh
        // rather than holding a handle that a refresh may replace.
        let ports = text_of(&client, row(&web)).await;
        assert!(
            ports.contains("127.0.0.1:") && ports.contains("->80/tcp"),
            "{ports}"
        );
        client
            .find(row(&idle))
            .await
            .expect("the created container is listed, as with docker ps -a");
        let copy = client
            .find(Locator::Css(Box::leak(
                format!("tr[data-name=\"{web}\"] [data-testid=\"copy-button\"]").into_boxed_str(),
            )))
            .await
            .expect("a copy button for the name");
        assert_eq!(
            copy.attr("data-copy").await.expect("attr").as_deref(),
            Some(web.as_str())
        );

        mark_document(&client).await;
        client
            .find(Locator::Css(
                "[data-testid=\"state-filter\"] button[data-value=\"running\"]",
            ))
            .await
            .expect("the Running filter")
            .click()
            .await
            .expect("click Running");
        eventually("the created container is filtered out", || async {
            client
                .find_all(row(&idle))
                .await
                .map(|r| r.is_empty())
                .unwrap_or(false)
        })
        .await;
        client
            .find(row(&web))
            .await
            .expect("the running container stays");
        assert!(
            url_contains(&client, "state=running").await,
            "the filter is in the URL"
        );
        assert!(
            same_document(&client).await,
            "filtering did not reload the page"
        );

        let search = client
            .find(testid(testids::CONTAINER_FILTER))
            .await
            .expect("the search box");
        search
            .send_keys("no-container-is-called-this")
            .await
            .expect("type");
        client
            .find(testid(testids::EMPTY_STATE))
            .await
            .expect("an empty state explains the empty list");

        // Grouping by compose stack puts the stack's container under its project's heading.
        client
            .goto(&format!("{url}/containers?group=stack"))
            .await
            .expect("open grouped");
        wait_for_hydration(&client).await;
        let heading = client
            .find(Locator::XPath(Box::leak(
                format!("//tr[@class='group-head'][contains(., '{stack}')]").into_boxed_str(),
            )))
            .await
            .expect("a heading for the stack");
        assert!(heading.text().await.expect("text").contains("(1)"));
        client
            .find(row(&member))
            .await
            .expect("its container is listed");
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn with_no_engine_the_page_explains_the_problem_and_recovers_without_a_reload() {
    let app::domain::endpoint::Endpoint::Unix(real_socket) = test_endpoint() else {
        eprintln!("skipped: the test engine is not on a Unix socket");
        return;
    };
    let lab = TestLab::start().await;
    let marker = lab.container(ContainerSpec::new("back")).await;
    let dir = scratch_dir("no-engine");
    let socket = dir.join("docker.sock");
    let server = Server::start(&format!("unix://{}", socket.display()));
    let url = server.url.clone();

    with_browser(move |client| async move {
        client
            .goto(&format!("{url}/containers"))
            .await
            .expect("open the container list");
        let problem = client
            .find(testid(testids::ENGINE_PROBLEM))
            .await
            .expect("the problem is explained");
        let text = problem.text().await.expect("text");
        assert!(text.contains("No Docker Engine socket at"), "{text}");
        assert!(text.contains("sudo systemctl start docker"), "{text}");
        wait_for_hydration(&client).await;
        mark_document(&client).await;

        // The engine comes back at the configured path.
        std::os::unix::fs::symlink(&real_socket, &socket).expect("symlink the real engine");
        eventually("the container list replaces the explanation", || async {
            client
                .find_all(row(&marker))
                .await
                .map(|r| !r.is_empty())
                .unwrap_or(false)
        })
        .await;
        assert!(client
            .find_all(testid(testids::ENGINE_PROBLEM))
            .await
            .expect("query")
            .is_empty());
        assert!(same_document(&client).await, "recovery needed no reload");
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_container_created_after_the_page_loaded_appears_without_a_reload() {
    let lab = std::sync::Arc::new(TestLab::start().await);
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();
    let creator = std::sync::Arc::clone(&lab);

    with_browser(move |client| async move {
        client
            .goto(&format!("{url}/containers"))
            .await
            .expect("open the container list");
        wait_for_hydration(&client).await;
        client
            .find(testid(testids::ENGINE_STRIP))
            .await
            .expect("the engine status strip is shown");
        mark_document(&client).await;

        let late = creator.container(ContainerSpec::new("late")).await;
        eventually("the new container's row appears", || async {
            client.find(row(&late)).await.is_ok()
        })
        .await;
        assert!(same_document(&client).await, "without a reload");
    })
    .await;
    drop(lab);
}
