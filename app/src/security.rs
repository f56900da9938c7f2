//! Response headers every server-rendered page carries: a Content-Security-Policy tied to the
//! nonce Leptos puts on its inline hydration scripts, and no framing, sniffing or caching.

use leptos::prelude::*;

/// The policy for an HTML page whose inline scripts carry `nonce`. `'wasm-unsafe-eval'` lets the
/// browser compile the app's WebAssembly; nothing else is loosened (no `'unsafe-inline'`).
/// Characters outside base64 are dropped from the nonce, so a bad one breaks the page's scripts
/// rather than widening the policy.
pub fn content_security_policy(nonce: &str) -> String {
    let nonce: String = nonce
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '='))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page's security headers; called while rendering, so the nonce is this response's.
pub fn set_page_headers() {
    use axum::http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY};
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Some(nonce) = leptos::nonce::use_nonce() {
        if let Ok(value) = HeaderValue::from_str(&content_security_policy(&nonce)) {
            response.insert_header(CONTENT_SECURITY_POLICY, value);
        }
    }
    response.insert_header(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.insert_header(
        HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_this_sites_scripts_with_the_nonce_and_no_framing() {
        let csp = content_security_policy("abc123");
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn a_nonce_with_quotes_or_spaces_cannot_add_sources() {
        let csp = content_security_policy("x' https://evil.example 'unsafe-inline");
        assert!(
            !csp.contains("evil.example") && !csp.contains("'unsafe-inline'"),
            "{csp}"
        );
    }
}
