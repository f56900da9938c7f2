//! The connection-string builder as a user meets it: pick with the selects, read the string,
//! copy it, and reload the link.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::{Client, Locator};
use end2end::{
    eventually, mark_document, same_document, testid, testids, text_of, url_contains,
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
#[ignore = "browser test: run by `cargo leptos end-to-end`"]
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
