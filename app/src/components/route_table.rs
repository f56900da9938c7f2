//! Where the graph's routes come from — the proxy's own table (and how it was read, when) or
//! the containers' labels (and why) — with a button that reads the proxy again.

use crate::domain::graph::TopologyReport;
use crate::domain::proxy::loaded::RouteTable;
use crate::domain::time::utc_text;
use crate::error::AppError;
use crate::testids;
use leptos::prelude::*;

/// The source line of the route table; what the button reads replaces `current`.
#[component]
pub fn RouteTableBar(current: RwSignal<Result<TopologyReport, AppError>>) -> impl IntoView {
    let reading = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let table = Memo::new(move |_| {
        current.with(|r| {
            r.as_ref().ok().and_then(|r| {
                let proxy = r.topology.proxy.as_ref()?.container.to_string();
                Some((r.topology.route_table.clone(), proxy))
            })
        })
    });
    let server = crate::nav::use_server();
    let reread = move |_| {
        if reading.get_untracked() {
            return;
        }
        reading.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            match crate::api::reread_proxy_routes(server.get_untracked()).await {
                Ok(report) => current.set(Ok(report)),
                Err(e) => failed.set(Some(e.to_string())),
            }
            reading.set(false);
        });
    };
    move || {
        table.get().map(|(table, proxy)| {
            let (line, notes) = describe(&table, &proxy);
            view! {
                <div class="route-table" data-testid=testids::ROUTE_TABLE>
                    <span class=if table.is_loaded() { "route-source loaded" } else { "route-source labels" }>{line}</span>
                    <button type="button" on:click=reread disabled=move || reading.get()
                        data-testid=testids::REREAD_ROUTES title="Ask the proxy for the routes it loaded, now">
                        {move || if reading.get() { "Reading the proxy's routes…" } else { "Re-read routes" }}
                    </button>
                    {move || failed.get().map(|e| view! { <span class="error small">{e}</span> })}
                    {(!notes.is_empty()).then(|| view! {
                        <details class="small muted">
                            <summary>{if table.is_loaded() { "Notes on this read" } else { "Why not the proxy's own table" }}</summary>
                            <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                        </details>
                    })}
                </div>
            }
        })
    }
}

/// "Routes loaded from Caddy's admin API (/config/) of coolify-proxy, read 2026-12-07 13:05:19
/// UTC", and the notes to show under it.
fn describe(table: &RouteTable, proxy: &str) -> (String, Vec<String>) {
    let when = table
        .read_at_ms
        .map(|ms| format!(", read {}", utc_text(ms)))
        .unwrap_or_default();
    let line = if table.is_loaded() {
        format!(
            "Routes {} of {proxy}{when}.",
            table.describe().trim_start_matches("routes ")
        )
    } else {
        format!("Routes from the containers' labels (what {proxy} should load){when}.")
    };
    (line, table.notes.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::proxy::loaded::{LoadedVia, RouteSource};

    #[test]
    fn the_line_says_where_the_routes_came_from_and_when() {
        let loaded = RouteTable {
            source: RouteSource::Loaded(LoadedVia::CaddyAdminApi),
            read_at_ms: Some(1_796_648_719_000),
            notes: Vec::new(),
        };
        let (line, notes) = describe(&loaded, "coolify-proxy");
        assert_eq!(line, "Routes loaded from Caddy's admin API (/config/) of coolify-proxy, read 2026-12-07 13:05:19 UTC.");
        assert!(notes.is_empty());
        let labels = RouteTable {
            source: RouteSource::Labels,
            read_at_ms: None,
            notes: vec!["netdoctor runs read-only".into()],
        };
        let (line, notes) = describe(&labels, "coolify-proxy");
        assert_eq!(
            line,
            "Routes from the containers' labels (what coolify-proxy should load)."
        );
        assert_eq!(notes, ["netdoctor runs read-only"]);
    }
}
