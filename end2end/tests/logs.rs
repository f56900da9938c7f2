//! A container's page and its live log in a real browser, against the real engine.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::{Client, Locator};
use end2end::{
    eventually, mark_document, same_document, testid, testids, text_of, url_contains,
    wait_for_hydration, with_browser, Server,
};

/// The texts of the log rows on screen, with their stream.
async fn rows(client: &Client) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(found) = client.find_all(testid(testids::LOG_LINE)).await else {
        return out;
    };
    for row in found {
        let (Ok(text), Ok(stream)) = (row.text().await, row.attr("data-stream").await) else {
            continue; // redrawn meanwhile
        };
        out.push((text, stream.unwrap_or_default()));
    }
    out
}

async fn has_row(client: &Client, text: &str, stream: &str) -> bool {
    rows(client)
        .await
        .iter()
        .any(|(t, s)| t.contains(text) && s == stream)
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_container_page_shows_its_exact_name_to_copy_and_live_log_lines_until_it_stops() {
    let lab = TestLab::start().await;
    let chatty = lab
        .container(ContainerSpec::new("chatty").cmd([
            "sh",
            "-c",
            r#"echo hello-stdout; echo hello-stderr >&2; printf '\033[31mred-alert\033[0m plain\n'; i=0; while true; do echo tick $i; i=$((i+1)); usleep 300000; done"#,
        ]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/containers/{chatty}", server.url);
    let lab = std::sync::Arc::new(lab);
    let stopper = std::sync::Arc::clone(&lab);
    let name = chatty.clone();

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the container page");
        wait_for_hydration(&client).await;
        mark_document(&client).await;
        assert_eq!(
            text_of(&client, testid(testids::CONTAINER_NAME)).await,
            name
        );
        let header_state = || async {
            text_of(
                &client,
                Locator::Css("[data-testid=\"container-header\"] .state"),
            )
            .await
        };
        assert_eq!(header_state().await, "running");
        let copy = client
            .find(Locator::Css(
                "[data-testid=\"container-header\"] [data-testid=\"copy-button\"]",
            ))
            .await
            .expect("a copy button beside the name");
        assert_eq!(
            copy.attr("data-copy").await.unwrap().as_deref(),
            Some(name.as_str())
        );

        eventually("stdout and stderr lines are shown, told apart", || async {
            has_row(&client, "hello-stdout", "stdout").await
                && has_row(&client, "hello-stderr", "stderr").await
        })
        .await;
        let red = text_of(&client, Locator::Css("[data-testid=\"log-line\"] .fg1")).await;
        assert_eq!(
            red, "red-alert",
            "ANSI red is rendered as colour, not escape codes"
        );
        eventually("new lines arrive while following", || async {
            has_row(&client, "tick 3", "stdout").await
        })
        .await;

        // Search highlights and lives in the URL.
        client
            .find(testid(testids::LOG_SEARCH))
            .await
            .unwrap()
            .send_keys("tick 2")
            .await
            .unwrap();
        eventually("the search is in the URL", || {
            url_contains(&client, "q=tick%202")
        })
        .await;
        let hit = text_of(&client, Locator::Css("[data-testid=\"log-line\"] .hit")).await;
        assert_eq!(hit, "tick 2");

        // Timestamps on: each row starts with the time of day.
        client
            .find(testid(testids::LOG_TIMESTAMPS))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("timestamps are shown", || async {
            client
                .find(Locator::Css("[data-testid=\"log-line\"] .log-ts"))
                .await
                .is_ok()
        })
        .await;

        // Pause holds new lines back and says how many are waiting.
        client
            .find(testid(testids::LOG_PAUSE))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually(
            "the view says it is paused with new lines waiting",
            || async {
                let status = text_of(&client, testid(testids::LOG_STATUS)).await;
                status.contains("paused") && !status.contains("paused · 0 new")
            },
        )
        .await;
        client
            .find(testid(testids::LOG_PAUSE))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("resuming shows live again", || async {
            text_of(&client, testid(testids::LOG_STATUS))
                .await
                .contains("live")
        })
        .await;

        stopper.stop(&name, 1).await;
        eventually("the end of the stream is explained", || async {
            client.find(testid(testids::LOG_END)).await.is_ok()
        })
        .await;
        let end = text_of(&client, testid(testids::LOG_END)).await;
        assert!(end.contains("The container stopped (exit code"), "{end}");
        eventually("the header shows the container exited", || async {
            header_state().await == "exited"
        })
        .await;
        assert!(same_document(&client).await, "without a reload");
    })
    .await;
    drop(lab);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn the_proxy_logs_are_one_click_away_from_any_page() {
    let lab = TestLab::start().await;
    let proxy = lab
        .container(
            ContainerSpec::new("edge")
                .label("coolify.proxy", "true")
                .cmd(["sh", "-c", "echo proxy-started; sleep 3600"]),
        )
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/containers", server.url);

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the container list");
        wait_for_hydration(&client).await;
        client
            .find(testid(testids::PROXY_LOGS))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("the proxy page opens", || url_contains(&client, "/proxy")).await;
        // The page finds the proxy, then inspects it: the header comes after two answers.
        eventually("the proxy's header is shown", || async {
            client.find(testid(testids::CONTAINER_NAME)).await.is_ok()
        })
        .await;
        let shown = text_of(&client, testid(testids::CONTAINER_NAME)).await;
        // A host may run its own coolify-proxy, which rightly wins over a test's stand-in.
        if shown == proxy {
            eventually("the proxy's log is shown", || async {
                has_row(&client, "proxy-started", "stdout").await
            })
            .await;
        } else {
            assert_eq!(
                shown, "coolify-proxy",
                "a real proxy on this host is preferred"
            );
        }
    })
    .await;
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_log_of_twelve_thousand_lines_keeps_a_capped_window_and_renders_only_rows_in_sight() {
    let lab = TestLab::start().await;
    let talker = lab
        .container(ContainerSpec::new("talker").cmd(["sh", "-c", "seq 1 12000; sleep 3600"]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/containers/{talker}?tail=all", server.url);

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the container page");
        wait_for_hydration(&client).await;
        eventually("all 12,000 lines arrived", || async {
            text_of(&client, testid(testids::LOG_STATUS))
                .await
                .contains("12,000 lines")
        })
        .await;
        let status = text_of(&client, testid(testids::LOG_STATUS)).await;
        assert!(
            status.contains("the oldest 2,000 left this view (it keeps 10,000)"),
            "{status}"
        );
        eventually("the newest line is in sight", || async {
            has_row(&client, "12000", "stdout").await
        })
        .await;
        let rendered = client
            .find_all(testid(testids::LOG_LINE))
            .await
            .unwrap()
            .len();
        assert!(
            (1..300).contains(&rendered),
            "{rendered} rows in the DOM for 10,000 kept lines"
        );
    })
    .await;
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn when_netdoctor_goes_away_the_view_says_the_connection_was_lost_and_offers_reconnect() {
    let lab = TestLab::start().await;
    let ticker = lab
        .container(ContainerSpec::new("ticker").cmd([
            "sh",
            "-c",
            "i=0; while true; do echo tick $i; i=$((i+1)); usleep 200000; done",
        ]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/containers/{ticker}", server.url);
    let server = std::sync::Mutex::new(Some(server));

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the container page");
        wait_for_hydration(&client).await;
        eventually("lines arrive", || async {
            has_row(&client, "tick 1", "stdout").await
        })
        .await;

        drop(server.lock().unwrap().take()); // netdoctor stops
        eventually("the view says the connection was lost", || async {
            client.find(testid(testids::LOG_END)).await.is_ok()
        })
        .await;
        let end = text_of(&client, testid(testids::LOG_END)).await;
        assert!(end.contains("Connection lost"), "{end}");
        assert!(end.contains("Reconnect"), "{end}");
        assert!(
            text_of(&client, testid(testids::LOG_STATUS))
                .await
                .contains("connection lost"),
            "the status badge says so too"
        );
    })
    .await;
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_typed_utc_time_restarts_the_log_from_that_time() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("since").cmd([
            "sh",
            "-c",
            "echo early-line; usleep 2500000; echo late-line; sleep 3600",
        ]))
        .await;
    let name = app::domain::names::ContainerName::parse(&c).unwrap();
    let mut lines = Vec::new();
    for _ in 0..100 {
        lines = lab
            .engine()
            .recent_logs(&name, 10, app::domain::logs::Since::Any)
            .await
            .unwrap();
        if lines.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(lines.len(), 2, "the container wrote both lines");
    // The second the late line was written in, as a user would type it (UTC).
    let late = app::domain::time::parse_utc(&lines[1].ts).unwrap();
    let typed = app::domain::time::rfc3339(late)
        .replace('T', " ")
        .replace('Z', "");
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/containers/{c}", server.url);

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the container page");
        wait_for_hydration(&client).await;
        eventually("both lines are shown", || async {
            has_row(&client, "early-line", "stdout").await
                && has_row(&client, "late-line", "stdout").await
        })
        .await;
        let field = client.find(testid(testids::LOG_SINCE_AT)).await.unwrap();
        field.send_keys(&format!("{typed}\u{E007}")).await.unwrap();
        eventually("the time is in the URL", || async {
            url_contains(&client, "since=").await
        })
        .await;
        eventually("only the late line is shown", || async {
            has_row(&client, "late-line", "stdout").await
                && !has_row(&client, "early-line", "stdout").await
        })
        .await;
    })
    .await;
}
