//! "Share": a link to this view for teammates who can sign in, and a snapshot link for anyone
//! (a frozen, redacted copy that needs no account and expires), with the support bundle as
//! Markdown and JSON.

use crate::api::share::create_share;
use crate::components::copy_button::CopyButton;
use crate::domain::snapshot::{SharedLink, TTL_CHOICES};
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;

/// What to freeze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareWhat {
    /// A wizard's finished check (its progress id).
    Wizard { report_id: String },
    /// A container's page; the panel offers to include log lines.
    Container { name: String },
    /// The graph with its URL query.
    Graph { query: String },
}

#[component]
pub fn SharePanel(
    /// What the snapshot holds; read when the user presses "Create link".
    #[prop(into)]
    what: Signal<ShareWhat>,
    /// The live page's path and query, for the teammate's link.
    #[prop(into)]
    path: Signal<String>,
) -> impl IntoView {
    // 0: the server's default lifetime (`--share-ttl`).
    let ttl = RwSignal::new(0u32);
    let log_lines = RwSignal::new(200u32);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<Result<SharedLink, AppError>>);
    let log_words = move || match what.get() {
        ShareWhat::Container { .. } => Some(" log lines"),
        ShareWhat::Wizard { .. } => Some(" log lines of each container the check ran in"),
        ShareWhat::Graph { .. } => None,
    };
    let server = crate::nav::use_server();
    let create = move |_| {
        busy.set(true);
        created.set(None);
        let what = what.get_untracked();
        let taken_from = path.get_untracked();
        let hours = Some(ttl.get_untracked()).filter(|h| *h > 0);
        let server = server.get_untracked();
        leptos::task::spawn_local(async move {
            let result = match what {
                ShareWhat::Wizard { report_id } => {
                    let lines = Some(log_lines.get_untracked());
                    create_share(
                        "wizard".into(),
                        taken_from,
                        String::new(),
                        hours,
                        Some(report_id),
                        None,
                        lines,
                        None,
                        server,
                    )
                    .await
                }
                ShareWhat::Container { name } => {
                    let lines = Some(log_lines.get_untracked());
                    create_share(
                        "container".into(),
                        taken_from,
                        String::new(),
                        hours,
                        None,
                        Some(name),
                        lines,
                        None,
                        server,
                    )
                    .await
                }
                ShareWhat::Graph { query } => {
                    create_share(
                        "graph".into(),
                        taken_from,
                        String::new(),
                        hours,
                        None,
                        None,
                        None,
                        Some(query),
                        server,
                    )
                    .await
                }
            };
            created.set(Some(result));
            busy.set(false);
        });
    };
    view! {
        <details class="panel share" data-testid=testids::SHARE>
            <summary>"Share this view"</summary>
            <p class="small">"For a teammate who can sign in to this netdoctor: "
                {move || {
                    let link = crate::nav::absolute(path.get());
                    view! { <code class="mono small">{link.clone()}</code>" "<CopyButton text=link what="link to this view"/> }
                }}
            </p>
            <p class="small">"For anyone else (a GitHub issue, Discord): a frozen, read-only snapshot of what you see — no account needed, secrets masked, environment variables never read."</p>
            <p class="small">
                <label>"Link expires after "
                    <select data-testid=testids::SHARE_TTL on:change=move |ev| {
                        if let Ok(h) = event_target_value(&ev).parse() { ttl.set(h); }
                    }>
                        <option value="0" selected=true>"the default (7 days unless --share-ttl says otherwise)"</option>
                        {TTL_CHOICES.iter().map(|(hours, label)| view! {
                            <option value=hours.to_string()>{*label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <Show when=move || log_words().is_some()>
                    <label>" include the last "
                        <select on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() { log_lines.set(n); }
                        }>
                            {[0u32, 50, 200, 1000].into_iter().map(|n| view! {
                                <option value=n.to_string() selected=n == 200>{n.to_string()}</option>
                            }).collect_view()}
                        </select>
                        {log_words}
                    </label>
                </Show>
                " "
                <button type="button" data-testid=testids::SHARE_CREATE on:click=create disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create snapshot link" }}
                </button>
            </p>
            {move || created.get().map(|r| match r {
                Err(e) => view! { <p class="notice error small" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(link) => {
                    let url = crate::nav::absolute(link.path.clone());
                    let token = link.path.trim_start_matches("/s/").to_owned();
                    let md = format!("/api/snapshot/bundle?token={token}&format=md");
                    let json = format!("/api/snapshot/bundle?token={token}&format=json");
                    let until = crate::domain::time::utc_text(link.info.expires_at_ms);
                    view! {
                        <div class="notice small" role="status">
                            <p>"Snapshot link (works until "{until}"; revoke it on "<a href="/shared">"Shared links"</a>"):"</p>
                            <p><input class="mono share-url" readonly size="60" prop:value=url.clone() data-testid=testids::SHARE_URL/>" "
                                <CopyButton text=url what="snapshot link"/></p>
                            <p>"Support bundle: "<a href=md download="">"Markdown"</a>" · "<a href=json download="">"JSON"</a></p>
                        </div>
                    }.into_any()
                }
            })}
        </details>
    }
}
