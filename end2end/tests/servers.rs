//! Several servers in a real browser: a user adds the SSH server of `scripts/engines.sh` on the
//! Servers page (accepting its host key after comparing the fingerprint), picks it in the top
//! bar's switcher, sees its containers, and shares a container page whose link names it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab, TestServers};
use end2end::fantoccini::Locator;
use end2end::{
    click, eventually, share_this_view, testid, testids, text_of, url_contains, wait_for_hydration,
    with_browser, Server,
};

#[tokio::test]
#[ignore = "browser test: run by `scripts/test.sh browser`"]
async fn a_server_added_on_the_servers_page_is_in_the_switcher_shows_its_containers_and_its_links_name_it(
) {
    let servers = TestServers::from_env();
    let lab = TestLab::start().await;
    let local_only = lab
        .container(ContainerSpec::new("here").cmd(["httpd", "-f", "-p", "80"]))
        .await;
    let lab2 = TestLab::start_on(servers.engine2.clone()).await;
    let remote = lab2
        .container(
            ContainerSpec::new("there")
                .cmd(["httpd", "-f", "-p", "80"])
                .publish(80, "127.0.0.1"),
        )
        .await;
    let key = std::fs::read_to_string(servers.ssh_dir.join("client_key")).unwrap();
    let endpoint = servers.ssh.to_string();
    let server = Server::start(&lab.endpoint().to_string());
    let url = server.url.clone();

    with_browser(move |client| async move {
        client.goto(&format!("{url}/servers")).await.unwrap();
        wait_for_hydration(&client).await;
        let form = client.find(testid(testids::SERVER_ADD_FORM)).await.unwrap();
        let field = |css: &'static str| {
            let form = form.clone();
            async move { form.find(Locator::Css(css)).await.expect(css) }
        };
        field("input[name=name]")
            .await
            .send_keys("second")
            .await
            .unwrap();
        field("input[name=endpoint]")
            .await
            .send_keys(&endpoint)
            .await
            .unwrap();
        // The key field appears for an ssh:// endpoint.
        eventually("the private key field is shown", || async {
            form.find(Locator::Css("textarea[name=ssh_key]"))
                .await
                .is_ok()
        })
        .await;
        field("textarea[name=ssh_key]")
            .await
            .send_keys(&key)
            .await
            .unwrap();
        field("button[type=submit]").await.click().await.unwrap();

        // A host key never seen: its fingerprint to compare, nothing added yet.
        eventually("the host key is offered for acceptance", || async {
            client
                .find(testid(testids::SERVER_ACCEPT_KEY))
                .await
                .is_ok()
        })
        .await;
        let offered = text_of(&client, testid(testids::SERVER_ADD_RESULT)).await;
        assert!(offered.contains("SHA256:"), "{offered}");
        assert!(
            client
                .find(Locator::Css("[data-server=\"second\"]"))
                .await
                .is_err(),
            "nothing is added before the key is accepted"
        );
        click(&client, testids::SERVER_ACCEPT_KEY).await;
        eventually("the server is added and listed", || async {
            client
                .find(Locator::Css("[data-server=\"second\"]"))
                .await
                .is_ok()
        })
        .await;
        let result = text_of(&client, testid(testids::SERVER_ADD_RESULT)).await;
        assert!(result.contains("Added second"), "{result}");
        let page = client.source().await.unwrap();
        assert!(
            !page.contains("PRIVATE KEY"),
            "the key is never shown again"
        );
        eventually("its row shows its engine", || async {
            text_of(&client, Locator::Css("[data-server=\"second\"]"))
                .await
                .contains("Engine ")
        })
        .await;

        // The switcher lists it; choosing it moves this page to it.
        eventually("the switcher offers the new server", || async {
            client
                .find(Locator::Css(
                    "[data-testid=\"server-switcher\"] option[value=\"second\"]",
                ))
                .await
                .is_ok()
        })
        .await;
        client
            .find(Locator::Css(
                "[data-testid=\"server-switcher\"] option[value=\"second\"]",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("the address names the server", || async {
            url_contains(&client, "server=second").await
        })
        .await;
        wait_for_hydration(&client).await;

        // Its containers, not the local engine's; the top bar's links stay on it.
        client
            .find(Locator::Css(".topnav a[href^=\"/containers\"]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("its container is listed", || async {
            client
                .source()
                .await
                .is_ok_and(|page| page.contains(&remote))
        })
        .await;
        assert!(url_contains(&client, "/containers?server=second").await);
        assert!(
            !client.source().await.unwrap().contains(&local_only),
            "the local engine's container is not on the second server's list"
        );

        // Its container page, and a shared link of it, name the server.
        client
            .find(Locator::LinkText(&remote))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually("the container page on the second server", || async {
            url_contains(&client, &format!("/containers/{remote}?server=second")).await
        })
        .await;
        eventually("its header is shown", || async {
            client.find(testid(testids::CONTAINER_HEADER)).await.is_ok()
        })
        .await;
        let shared = share_this_view(&client).await;
        client.goto(&shared).await.unwrap();
        eventually("the snapshot opens", || async {
            client.find(testid(testids::SNAPSHOT)).await.is_ok()
        })
        .await;
        let snapshot = client.source().await.unwrap();
        assert!(snapshot.contains("(server second)"), "the title names it");
        assert!(
            snapshot.contains("server=second"),
            "its link to the live view names the server"
        );

        // From an app on the other server: never by name, and a loopback-only port is no way in.
        client
            .goto(&format!(
                "{url}/connect?server=second&from=~server:local&to={remote}&port=80"
            ))
            .await
            .unwrap();
        wait_for_hydration(&client).await;
        eventually("the builder answers for an app on server local", || async {
            client
                .source()
                .await
                .is_ok_and(|page| page.contains("published on this server's loopback only"))
        })
        .await;
        let page = client.source().await.unwrap();
        assert!(
            page.contains("own DNS"),
            "says why names do not cross servers"
        );
        assert!(
            page.contains("ssh -N -L"),
            "offers the tunnel for a loopback-only port"
        );
        assert!(
            client
                .find(Locator::Css(
                    "[data-testid=\"connect-from\"] option[value=\"~server:local\"]"
                ))
                .await
                .is_ok(),
            "the source list offers the other server"
        );
    })
    .await;
    drop(lab2);
}
