//! The findings beside the graph: what is wrong, why, and the exact fix with copy buttons.
//! Selecting a finding lights it up on the graph (or, without `on_finding`, selects the first
//! container it names).

use crate::components::fix_list::FixList;
use crate::domain::checks::wizard_link::wizard_link;
use crate::domain::findings::{Finding, Severity, Subject};
use crate::domain::graph::finding_key;
use crate::domain::topology::Topology;
use crate::testids;
use leptos::prelude::*;

/// The CSS class and word for a severity.
pub fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Blocking => "blocking",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// One finding, in full.
#[component]
pub fn FindingCard(
    finding: Finding,
    #[prop(into)] on_select: Callback<String>,
    /// The wizard that checks this finding, when there is one.
    #[prop(default = None)]
    diagnose: Option<String>,
    /// Selects the finding itself, by [`finding_key`] (the graph lights up what it is about).
    #[prop(optional, into)]
    on_finding: Option<Callback<String>>,
    /// The selected finding's key, to mark this one when it is.
    #[prop(optional, into)]
    selected: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let level = severity_class(finding.severity);
    let key = finding_key(&finding);
    let first_container = finding.subjects.iter().find_map(|s| match s {
        Subject::Container(n) => Some(n.clone()),
        _ => None,
    });
    let is_selected = {
        let key = key.clone();
        move || selected.is_some_and(|s| s.with(|s| s.as_deref() == Some(key.as_str())))
    };
    let title = finding.title.clone();
    let data_key = key.clone();
    view! {
        <li class=format!("finding {level}") class:selected=is_selected data-testid=testids::FINDING data-code=finding.code.slug() data-key=data_key>
            <div class="finding-title">
                <span class=format!("sev {level}")>{level}</span>
                " "
                {match (on_finding, first_container) {
                    (Some(on_finding), _) => view! {
                        <button type="button" class="link" title="Show it on the graph" on:click=move |_| on_finding.run(key.clone())>{title}</button>
                    }.into_any(),
                    (None, Some(name)) => view! {
                        <button type="button" class="link" on:click=move |_| on_select.run(name.clone())>{title}</button>
                    }.into_any(),
                    (None, None) => view! { <span>{title}</span> }.into_any(),
                }}
            </div>
            <details>
                <summary>"Why, and the fix"</summary>
                <p class="small">{finding.why.clone()}</p>
                <FixList steps=finding.fix/>
                {diagnose.map(|href| view! {
                    <p class="small"><a href=href data-testid=testids::DIAGNOSE_LINK>"Diagnose this: run the checks"</a></p>
                })}
            </details>
        </li>
        }
    .into_any()
}

#[component]
pub fn FindingsList(
    #[prop(into)] findings: Signal<Vec<Finding>>,
    #[prop(into)] on_select: Callback<String>,
    /// The picture the findings are about, for their "diagnose this" links.
    #[prop(optional, into)]
    topology: Option<Signal<Option<Topology>>>,
    /// Selects a finding itself (see [`FindingCard`]).
    #[prop(optional, into)]
    on_finding: Option<Callback<String>>,
    #[prop(optional, into)] selected: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let count = move || findings.with(Vec::len);
    let any = move || count() > 0;
    view! {
        <section class="panel findings" data-testid=testids::FINDINGS>
            <h2>"Findings " <span class="muted small">{move || format!("({})", count())}</span></h2>
            <Show when=any fallback=|| view! { <p class="muted">"Nothing wrong found in this picture."</p> }>
                <ul class="finding-list">
                    <For each=move || findings.get() key=|f| (f.code, f.title.clone()) let:f>
                        {
                            let diagnose = topology.and_then(|t| {
                                t.with_untracked(|t| t.as_ref().and_then(|t| wizard_link(&f, t)))
                                    .map(crate::nav::here)
                            });
                            match (on_finding, selected) {
                                (Some(on_finding), Some(selected)) => view! { <FindingCard finding=f on_select diagnose on_finding selected/> }.into_any(),
                                (Some(on_finding), None) => view! { <FindingCard finding=f on_select diagnose on_finding/> }.into_any(),
                                _ => view! { <FindingCard finding=f on_select diagnose/> }.into_any(),
                            }
                        }
                    </For>
                </ul>
            </Show>
        </section>
    }
}
