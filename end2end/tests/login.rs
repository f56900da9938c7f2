//! Signing in through the real page in a real browser, with the Content-Security-Policy on.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::TestLab;
use end2end::{
    eventually, sign_in, testid, testids, text_of, url_contains, wait_for_hydration, with_browser,
    Server,
};

const PASSWORD: &str = "a long enough browser password";

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_guarded_dashboard_sends_the_browser_to_sign_in_and_back_hydrated() {
    let lab = TestLab::start().await;
    let server = Server::start_with(
        &lab.endpoint().to_string(),
        &["--require-login"],
        &[("NETDOCTOR_ADMIN_PASSWORD", PASSWORD)],
    );
    let url = server.url.clone();

    with_browser(move |client| async move {
        client
            .goto(&format!("{url}/containers"))
            .await
            .expect("open a guarded page");
        assert!(
            url_contains(&client, "/login?next=").await,
            "sent to sign in"
        );
        sign_in(&client, "wrong password!!").await;
        eventually("the page says the password was wrong", || async {
            client.find(testid(testids::LOGIN_NOTICE)).await.is_ok()
        })
        .await;
        assert!(text_of(&client, testid(testids::LOGIN_NOTICE))
            .await
            .contains("Wrong password"));

        sign_in(&client, PASSWORD).await;
        eventually("back on the page the user asked for", || async {
            url_contains(&client, "/containers").await
        })
        .await;
        // Hydration under the nonce-based CSP: the WebAssembly loaded and took over.
        wait_for_hydration(&client).await;
        client
            .find(testid(testids::SIGN_OUT))
            .await
            .expect("a sign-out button once signed in");
    })
    .await;
    drop(server);
}
