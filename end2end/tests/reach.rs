//! The reachability matrix in a real browser against the real engine: a blocked cell shows its
//! cause, opens the reach wizard with both sides filled in, and the run agrees with the
//! prediction.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::Locator;
use end2end::{
    click, eventually, testid, testids, text_of, url_contains, wait_for_hydration, with_browser,
    Server,
};

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_blocked_cell_of_the_matrix_shows_its_cause_and_its_wizard_run_agrees() {
    let lab = TestLab::start().await;
    // One compose project of this run's own, so the scope holds these two containers only.
    let stack = format!("stack-{}", lab.run_id());
    let front = lab.network("front").await;
    let back = lab.network("back").await;
    let app = lab
        .container(
            ContainerSpec::new("app")
                .network(&front, &[])
                .label("com.docker.compose.project", &stack)
                .label("com.docker.compose.service", "app"),
        )
        .await;
    let db = lab
        .container(
            ContainerSpec::new("db")
                .cmd(["httpd", "-f", "-p", "5432"])
                .expose(5432)
                .network(&back, &[])
                .label("com.docker.compose.project", &stack)
                .label("com.docker.compose.service", "db"),
        )
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let page = format!("{}/reach?scope=stack:{stack}", server.url);

    with_browser(move |client| async move {
        client.goto(&page).await.expect("open the matrix");
        wait_for_hydration(&client).await;
        let counts = text_of(&client, testid(testids::REACH_COUNTS)).await;
        assert!(counts.starts_with("0 of 2 pairs can talk"), "{counts}");
        let selector = format!(
            "[data-testid=\"{}\"][data-from=\"{app}\"][data-to=\"{db}\"]",
            testids::REACH_CELL
        );
        let cell = client
            .find(Locator::Css(&selector))
            .await
            .expect("the app → db cell");
        assert_eq!(cell.text().await.unwrap(), "no shared network");
        let title = cell.attr("title").await.unwrap().unwrap_or_default();
        assert!(title.contains("share no network"), "{title}");
        cell.click().await.expect("open its wizard");

        eventually("the wizard opens with both sides filled in", || async {
            url_contains(&client, "/diagnose?check=reach").await
        })
        .await;
        wait_for_hydration(&client).await;
        let from = client
            .find(Locator::Css("input[name=from]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        let to = client
            .find(Locator::Css("input[name=to]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(from.as_deref(), Some(app.as_str()));
        assert_eq!(to, Some(format!("{db}:5432")));
        assert!(
            client.find(testid(testids::CHECK_REPORT)).await.is_err(),
            "nothing ran on opening the link"
        );

        click(&client, testids::WIZARD_RUN).await;
        eventually("the check reaches its diagnosis", || async {
            match client.find(testid(testids::CHECK_REPORT)).await {
                Ok(r) => r.attr("data-code").await.ok().flatten().is_some(),
                Err(_) => false,
            }
        })
        .await;
        let report = client.find(testid(testids::CHECK_REPORT)).await.unwrap();
        let code = report.attr("data-code").await.unwrap().unwrap_or_default();
        let diagnosis = text_of(&client, testid(testids::DIAGNOSIS)).await;
        assert_eq!(code, "no-shared-network", "{diagnosis}");
        let steps = client.find_all(testid(testids::CHECK_STEP)).await.unwrap();
        let prediction = steps[0].text().await.unwrap();
        assert!(prediction.contains("share no network"), "{prediction}");
        assert!(
            !diagnosis.contains("netdoctor predicted"),
            "the probe agrees with the prediction: {diagnosis}"
        );
        assert!(
            diagnosis.contains(&format!("docker network connect {back} {app}")),
            "the fix joins the source to the target's network: {diagnosis}"
        );
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_scope_of_more_than_sixty_containers_opens_on_its_blocked_pairs_by_cause_and_draws_the_grid_on_request(
) {
    let lab = TestLab::start().await;
    let crowd = lab.network("crowd").await;
    // Created, never started: the engine lists them on the network, cheaply; every pair is
    // blocked because no source runs.
    for i in 0..61 {
        lab.container(
            ContainerSpec::new(&format!("c{i:02}"))
                .expose(8080)
                .network(&crowd, &[])
                .created_only(),
        )
        .await;
    }
    let server = Server::start(&lab.endpoint().to_string());
    let page = format!("{}/reach?scope=network:{crowd}", server.url);

    with_browser(move |client| async move {
        client.goto(&page).await.expect("open the matrix");
        wait_for_hydration(&client).await;
        let summary = text_of(&client, testid(testids::REACH_SUMMARY)).await;
        assert!(
            summary.contains("61 containers make a grid of 3,660 cells"),
            "{summary}"
        );
        assert!(
            summary.contains("source stopped · 3,660 pairs"),
            "{summary}"
        );
        assert!(
            client.find(testid(testids::REACH_MATRIX)).await.is_err(),
            "no grid until asked"
        );
        let examples = client.find_all(testid(testids::REACH_CELL)).await.unwrap();
        assert_eq!(examples.len(), 5, "five pairs shown for the one cause");
        let timing = client
            .find(testid(testids::REACH_TIMING))
            .await
            .expect("the browser timed the matrix");
        let ms: f64 = timing
            .attr("data-ms")
            .await
            .unwrap()
            .unwrap_or_default()
            .parse()
            .expect("milliseconds");
        assert!(ms >= 0.0);

        click(&client, testids::REACH_DRAW_ALL).await;
        eventually("the whole grid is drawn", || async {
            client.find(testid(testids::REACH_MATRIX)).await.is_ok()
        })
        .await;
        let cells = client.find_all(testid(testids::REACH_CELL)).await.unwrap();
        assert_eq!(cells.len(), 61 * 60);
    })
    .await;
    drop(server);
}
