//! What the page shows instead of the data when the engine does not answer: what is wrong,
//! why, the fix with copyable commands, and that it keeps retrying by itself.

use crate::components::copy_button::CopyButton;
use crate::domain::problem::EngineProblem;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn EngineProblemPanel(problem: EngineProblem, retry_seconds: u32) -> impl IntoView {
    let steps = problem.fix();
    view! {
        <section class="panel problem" data-testid=testids::ENGINE_PROBLEM role="alert">
            <h2><span class="dot bad" aria-hidden="true"></span>{problem.headline()}</h2>
            <p>{problem.explanation()}</p>
            <h3>"How to fix it"</h3>
            <ol class="fix">
                {steps
                    .into_iter()
                    .map(|step| {
                        view! {
                            <li>
                                {step.text}
                                {step.command.map(|cmd| view! {
                                    <div class="command">
                                        <code>{cmd.clone()}</code>
                                        <CopyButton text=cmd what="command"/>
                                    </div>
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <p class="muted">
                "netdoctor retries every " {retry_seconds} " s and shows the engine as soon as it answers; no reload needed."
            </p>
            <details>
                <summary>"Details"</summary>
                <pre class="mono">{problem.detail}</pre>
            </details>
        </section>
    }
}

/// Any other failure: one plain sentence.
#[component]
pub fn ErrorPanel(message: String) -> impl IntoView {
    view! {
        <section class="panel problem" role="alert">
            <h2><span class="dot bad" aria-hidden="true"></span>"Something went wrong"</h2>
            <p>{message}</p>
        </section>
    }
}
