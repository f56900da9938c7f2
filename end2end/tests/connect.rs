//! The connection-string builder as a user meets it: pick with the selects, read the string,
//! copy it, reload the link, and test the address it built.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::{Client, Locator};
use end2end::{
    click, eventually, mark_document, same_document, testid, testids, text_of, url_contains,
    wait_for_hydration, with_browser, Server,
};

/// Picks `value` in the select with this test id, the way a user does.
async fn pick(client: &Client, id: &str, value: &str) {
    client
        .find(testid(id))
        .await
        .unwrap_or_else(|_| panic!("the {id} select"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("pick {value} in {id}: {e}"));
}

async fn built_url(client: &Client) -> String {
    match client.find(testid(testids::BUILT_URL)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn picking_source_target_and_port_builds_a_string_the_copy_button_and_the_link_carry() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let postgres = lab.tag_image("postgres").await;
    let db = lab
        .container(
            ContainerSpec::new("db")
                .image(&postgres)
                .network(&net, &["db-alias"])
                .publish(5432, "127.0.0.1")
                .publish(6432, "127.0.0.1"),
        )
        .await;
    let app = lab
        .container(ContainerSpec::new("app").network(&net, &[]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/connect", server.url);

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the builder");
        wait_for_hydration(&client).await;
        let empty = text_of(&client, testid(testids::EMPTY_STATE)).await;
        assert!(
            empty.contains("Pick where the connection starts"),
            "{empty}"
        );
        mark_document(&client).await;

        pick(&client, testids::CONNECT_FROM, &app).await;
        pick(&client, testids::CONNECT_TO, &db).await;
        eventually("the string for the standard port is built", || async {
            built_url(&client).await == "postgres://USER:PASSWORD@db-alias:5432/DB"
        })
        .await;

        pick(&client, testids::CONNECT_PORT, "6432").await;
        let expected = "postgres://USER:PASSWORD@db-alias:6432/DB";
        eventually("the string follows the picked port", || async {
            built_url(&client).await == expected
        })
        .await;
        let env = text_of(&client, testid(testids::BUILT_ENV)).await;
        assert_eq!(env, format!("DATABASE_URL={expected}"));
        // The lab's "database" only sleeps: the live read finds nothing on the picked port.
        eventually("the card warns that nothing listens on 6432", || async {
            match client
                .find(Locator::Css(
                    "[data-testid=\"connect-note\"][data-code=\"NothingListens\"]",
                ))
                .await
            {
                Ok(n) => n.text().await.unwrap_or_default().contains("port 6432"),
                Err(_) => false,
            }
        })
        .await;
        let reasons = text_of(&client, testid(testids::CONNECT_REASONS)).await;
        assert!(reasons.contains("network alias"), "{reasons}");

        let copy = client
            .find(Locator::Css(
                "[data-testid=\"built-url\"] ~ [data-testid=\"copy-button\"]",
            ))
            .await
            .expect("the string's copy button");
        assert_eq!(
            copy.attr("data-copy").await.expect("attr").as_deref(),
            Some(expected),
            "the copy button carries exactly the built string"
        );
        copy.click().await.expect("the copy button can be pressed");
        assert!(
            url_contains(&client, "port=6432").await,
            "the port is in the URL"
        );
        assert!(url_contains(&client, &format!("to={db}")).await);
        assert!(
            same_document(&client).await,
            "picking did not reload the page"
        );

        // The link reproduces the string on a fresh load (server-rendered, then hydrated).
        let link = client.current_url().await.expect("url").to_string();
        client.goto(&link).await.expect("reload the link");
        assert_eq!(built_url(&client).await, expected);
        wait_for_hydration(&client).await;
        assert_eq!(built_url(&client).await, expected);

        // From the host, the same target is reached through its host-only published port.
        pick(&client, testids::CONNECT_FROM, "~host").await;
        eventually("the host's address uses the loopback binding", || async {
            let u = built_url(&client).await;
            u.starts_with("postgres://USER:PASSWORD@127.0.0.1:") && !u.contains(":6432/")
        })
        .await;
    })
    .await;
    drop(server);
}

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn pick_an_http_target_copy_its_string_and_test_it_through_resolution_tcp_and_http() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    // A web server on its declared port 8080, answering 200 at `/`.
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd([
                    "sh",
                    "-c",
                    "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www",
                ])
                .expose(8080)
                .network(&net, &["web-alias"]),
        )
        .await;
    let app = lab
        .container(ContainerSpec::new("app").network(&net, &[]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/connect", server.url);

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the builder");
        wait_for_hydration(&client).await;
        pick(&client, testids::CONNECT_FROM, &app).await;
        pick(&client, testids::CONNECT_TO, &web).await;
        let expected = "http://web-alias:8080";
        eventually("the string for the HTTP target is built", || async {
            built_url(&client).await == expected
        })
        .await;

        // The port list is checked against what the target really listens on.
        eventually("the listening ports are read", || async {
            match client.find(testid(testids::CONNECT_LISTENING)).await {
                Ok(line) => line
                    .text()
                    .await
                    .unwrap_or_default()
                    .contains("Listening now: 8080."),
                Err(_) => false,
            }
        })
        .await;
        let option = client
            .find(Locator::Css(
                "[data-testid=\"connect-port\"] option[value=\"8080\"]",
            ))
            .await
            .expect("8080 is offered");
        assert_eq!(
            option.text().await.expect("label"),
            "8080 · exposed · listening"
        );

        // The copy button carries exactly the string and says when it copied it.
        let copy = client
            .find(Locator::Css(
                "[data-testid=\"built-url\"] ~ [data-testid=\"copy-button\"]",
            ))
            .await
            .expect("the string's copy button");
        assert_eq!(
            copy.attr("data-copy").await.expect("attr").as_deref(),
            Some(expected)
        );
        assert_eq!(copy.text().await.expect("text"), "copy");
        copy.click().await.expect("press copy");
        eventually("the copy button says it copied", || async {
            client
                .find(Locator::Css(
                    "[data-testid=\"built-url\"] ~ [data-testid=\"copy-button\"]",
                ))
                .await
                .expect("button")
                .text()
                .await
                .unwrap_or_default()
                == "copied"
        })
        .await;

        // "Test it" runs beside the string: the name resolves, TCP connects, HTTP answers.
        click(&client, testids::TEST_IT).await;
        let report =
            Locator::Css("[data-testid=\"connection\"] .test-it [data-testid=\"check-report\"]");
        eventually("the test's report appears beside the string", || async {
            client.find(report).await.is_ok()
        })
        .await;
        let healthy = client
            .find(report)
            .await
            .expect("report")
            .attr("data-healthy")
            .await
            .expect("attr");
        let diagnosis = text_of(&client, testid(testids::DIAGNOSIS)).await;
        assert_eq!(healthy.as_deref(), Some("true"), "{diagnosis}");
        let mut steps = Vec::new();
        for step in client
            .find_all(testid(testids::CHECK_STEP))
            .await
            .expect("steps")
        {
            steps.push((
                step.attr("data-kind")
                    .await
                    .expect("kind")
                    .unwrap_or_default(),
                step.attr("data-status")
                    .await
                    .expect("status")
                    .unwrap_or_default(),
                step.text().await.unwrap_or_default(),
            ));
        }
        let kinds: Vec<(&str, &str)> = steps
            .iter()
            .map(|(k, s, _)| (k.as_str(), s.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("topology", "ok"),
                ("resolve", "ok"),
                ("connect", "ok"),
                ("http", "ok")
            ],
            "{steps:#?}"
        );
        assert!(
            steps[1].2.contains("web-alias"),
            "the built name is looked up: {}",
            steps[1].2
        );
        assert!(
            steps[3].2.contains("http://web-alias:8080/"),
            "{}",
            steps[3].2
        );
    })
    .await;
    drop(server);
}

/// Any web page can open `/connect?to=X` in a new tab (on loopback there is no login): opening
/// it must not run anything inside X. The live read starts from a click on the page.
#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn opening_a_connect_link_runs_nothing_until_the_user_clicks() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "8080"])
                .network(&net, &["web-alias"])
                .expose(8080),
        )
        .await;
    let app = lab
        .container(ContainerSpec::new("app").network(&net, &[]))
        .await;
    let server = Server::start(&lab.endpoint().to_string());
    let url = format!("{}/connect?v=1&from={app}&to={web}", server.url);
    // Every probe is logged by the server ("probe ran", with its container): the proof of what
    // ran. (The engine forgets finished execs at once, so counting them proves nothing.)
    let log = server.log.clone();
    let probes_in = move |name: String| {
        let log = log.clone();
        move || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("probe ran") && l.contains(name.as_str()))
                .count()
        }
    };
    let probes_in_web = probes_in(web.clone());

    with_browser(move |client| async move {
        client.goto(&url).await.expect("open the link");
        wait_for_hydration(&client).await;
        eventually("the string is built from the link", || async {
            built_url(&client).await == "http://web-alias:8080"
        })
        .await;
        // Time for anything the page would start by itself to reach the engine.
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        assert_eq!(probes_in_web(), 0, "opening the link ran a command");
        let line = text_of(&client, testid(testids::CONNECT_LISTENING)).await;
        assert!(line.contains("Read what it really listens on"), "{line}");

        click(&client, testids::CONNECT_READ_LISTENING).await;
        eventually("the click reads the listening ports", || async {
            text_of(&client, testid(testids::CONNECT_LISTENING))
                .await
                .contains("Listening now: 8080.")
        })
        .await;
        assert!(probes_in_web() > 0, "the click ran the read");
    })
    .await;
    drop(server);
    drop(lab);
}
