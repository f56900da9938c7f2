//! The strip across the top of the overview: which engine, which API, how much is on it.

use crate::domain::overview::EngineStatus;
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn EngineStrip(#[prop(into)] status: Signal<Option<EngineStatus>>) -> impl IntoView {
    move || status.get().map(strip)
}

fn strip(status: EngineStatus) -> impl IntoView {
    let api = if status.negotiated_api_version == status.engine_api_version {
        format!("API {}", status.negotiated_api_version)
    } else {
        format!(
            "API {} (engine speaks up to {})",
            status.negotiated_api_version, status.engine_api_version
        )
    };
    view! {
        <section class="engine-strip" data-testid=testids::ENGINE_STRIP aria-label="Docker Engine status">
            <span class="dot ok" aria-hidden="true"></span>
            <span class="strip-item"><strong>"Docker "{status.engine_version}</strong></span>
            <span class="strip-item" title="API version negotiated with the engine">{api}</span>
            <span class="strip-item mono">{status.endpoint}</span>
            <span class="strip-item">{format!("{}/{}", status.os, status.arch)}</span>
            <span class="strip-item">
                <strong>{status.containers}</strong>" containers ("{status.running}" running)"
            </span>
            <span class="strip-item"><strong>{status.networks}</strong>" networks"</span>
        </section>
    }
}
