//! Sign in, and change the admin password. Plain HTML forms posting to `/auth/…`, so they work
//! before the WebAssembly loads and with it disabled.

use crate::domain::access::{safe_next, LoginNotice};
use crate::testids;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn notice_view(notice: Option<LoginNotice>) -> impl IntoView {
    notice.map(|n| {
        view! {
            <p class=if n.is_error() { "notice error" } else { "notice" } role="status" data-testid=testids::LOGIN_NOTICE>
                {n.message()}
            </p>
        }
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let notice =
        move || query.with(|q| q.get("error").as_deref().and_then(LoginNotice::from_param));
    let next = move || query.with(|q| safe_next(q.get("next").as_deref()));
    view! {
        <section class="panel narrow">
            <h1>"Sign in to netdoctor"</h1>
            <p class="muted small">"Whoever signs in can inspect every container on this Docker host."</p>
            {move || notice_view(notice())}
            <form method="post" action="/auth/login" data-testid=testids::LOGIN_FORM>
                <input type="hidden" name="next" prop:value=next/>
                <label for="password">"Admin password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required autofocus/>
                <button type="submit" class="primary">"Sign in"</button>
            </form>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    let notice =
        move || query.with(|q| q.get("error").as_deref().and_then(LoginNotice::from_param));
    view! {
        <section class="panel narrow">
            <h1>"Change the admin password"</h1>
            {move || notice_view(notice())}
            <form method="post" action="/auth/password">
                <label for="current">"Current password"</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required/>
                <label for="new">"New password (at least 12 characters)"</label>
                <input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required/>
                <label for="confirm">"New password again"</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required/>
                <button type="submit" class="primary">"Change password"</button>
            </form>
            <p class="muted">
                "A password given in "<code>"NETDOCTOR_ADMIN_PASSWORD"</code>" (as the compose file "
                "does, from Coolify's generated "<code>"SERVICE_PASSWORD_NETDOCTOR"</code>") is set "
                "again at every start and replaces one changed here: change it there instead "
                "(in Coolify: the resource's Environment Variables, then Restart)."
            </p>
        </section>
    }
}
