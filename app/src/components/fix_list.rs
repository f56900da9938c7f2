//! The fix for a problem: numbered steps, each a sentence and, when there is one, the exact
//! command with a copy button. Findings, connection notes and check diagnoses all end in one.

use crate::components::copy_button::CopyButton;
use crate::domain::problem::FixStep;
use leptos::prelude::*;

/// The steps in order.
#[component]
pub fn FixList(steps: Vec<FixStep>) -> impl IntoView {
    view! {
        <ol class="fix small">
            {steps.into_iter().map(|step| view! {
                <li>
                    {step.text}
                    {step.command.map(|cmd| view! {
                        <div class="command"><code>{cmd.clone()}</code><CopyButton text=cmd what="command"/></div>
                    })}
                </li>
            }).collect_view()}
        </ol>
    }
}
