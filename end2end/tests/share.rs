//! Sharing in a real browser: a signed-in user runs a wizard, shares its result, and the link
//! opens in a fresh browser profile — no account, no session — showing that result read-only;
//! revoking it on the Shared links page ends it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use end2end::fantoccini::Locator;
use end2end::{
    click, eventually, share_this_view, sign_in, testid, testids, text_of, url_contains,
    wait_for_hydration, with_browser, Server,
};

const PASSWORD: &str = "a long enough sharing password";

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_shared_wizard_result_opens_in_a_fresh_browser_without_signing_in_until_revoked() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "7000"])
                .network(&net, &[]),
        )
        .await;
    let app = lab
        .container(ContainerSpec::new("app").network(&net, &[]))
        .await;
    let server = Server::start_with(
        &lab.endpoint().to_string(),
        &["--require-login"],
        &[("NETDOCTOR_ADMIN_PASSWORD", PASSWORD)],
    );
    let url = server.url.clone();
    let wizard = format!("{url}/diagnose?check=reach&from={app}&to={web}:7001");
    let link = std::sync::Arc::new(std::sync::Mutex::new(String::new()));

    let found = link.clone();
    let expected_subject = format!("{app} → {web}:7001");
    with_browser(move |client| async move {
        client.goto(&wizard).await.unwrap();
        sign_in(&client, PASSWORD).await;
        eventually("back on the wizard after signing in", || async {
            url_contains(&client, "/diagnose").await
        })
        .await;
        wait_for_hydration(&client).await;
        click(&client, testids::WIZARD_RUN).await;
        eventually("the wizard reaches its diagnosis", || async {
            client.find(testid(testids::CHECK_REPORT)).await.is_ok()
        })
        .await;
        // "Share this view" is folded; open it and make a snapshot link.
        let shared = share_this_view(&client).await;
        assert!(shared.contains("/s/"), "{shared}");
        *found.lock().unwrap() = shared;
    })
    .await;

    let shared = link.lock().unwrap().clone();
    let subject = expected_subject.clone();
    // A fresh profile: no cookie, no session.
    with_browser(move |client| async move {
        client.goto(&shared).await.unwrap();
        eventually("the snapshot renders", || async {
            client.find(testid(testids::SNAPSHOT)).await.is_ok()
        })
        .await;
        assert!(!url_contains(&client, "/login").await, "no sign-in asked");
        let report = text_of(&client, testid(testids::CHECK_REPORT)).await;
        assert!(
            report.contains("7000"),
            "the wizard's result, read-only: {report}"
        );
        let logs = client
            .find_all(testid(testids::SNAPSHOT_LOG))
            .await
            .unwrap();
        assert_eq!(
            logs.len(),
            2,
            "the logs of the two containers the check ran in"
        );
        let title = text_of(&client, testid(testids::SNAPSHOT)).await;
        assert!(title.contains(&subject), "{title}");
        assert!(
            client.find(testid(testids::WIZARD_RUN)).await.is_err(),
            "nothing to run from a snapshot"
        );
        // The live pages stay closed to the link's holder.
        client
            .goto(&format!(
                "{}/containers",
                shared.split("/s/").next().unwrap()
            ))
            .await
            .unwrap();
        assert!(
            url_contains(&client, "/login").await,
            "the live view needs a sign-in"
        );
    })
    .await;

    // The owner revokes it; the same fresh-profile visit now says so.
    let shared = link.lock().unwrap().clone();
    let list = format!("{url}/shared");
    with_browser(move |client| async move {
        client.goto(&list).await.unwrap();
        sign_in(&client, PASSWORD).await;
        eventually("back on the list", || async {
            url_contains(&client, "/shared").await
        })
        .await;
        wait_for_hydration(&client).await;
        eventually("the link is listed", || async {
            client.find(testid(testids::REVOKE)).await.is_ok()
        })
        .await;
        click(&client, testids::REVOKE).await;
        eventually("the link is marked revoked", || async {
            client
                .find(Locator::Css(
                    "[data-testid=\"shared-link\"][data-status=\"revoked\"]",
                ))
                .await
                .is_ok()
        })
        .await;
        client.delete_all_cookies().await.unwrap();
        client.goto(&shared).await.unwrap();
        eventually("the revoked link says so", || async {
            client.find(testid(testids::SNAPSHOT_ERROR)).await.is_ok()
        })
        .await;
        assert!(text_of(&client, testid(testids::SNAPSHOT_ERROR))
            .await
            .contains("revoked"));
    })
    .await;
    drop(server);
}
