//! What must never leave the server: secret-looking label keys. Environment values are never
//! read at all (see `engine_json::ContainerConfigJson`).

/// Words that mark a label key as carrying a secret (`…basicauth.users`, `DB_PASSWORD`, …).
pub const SECRET_WORDS: [&str; 9] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "credential",
    "basicauth",
    "private",
];

/// Whether a label key looks like it holds a secret; such labels are dropped, value and all.
pub fn is_secret_label(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| key.contains(w))
        || key
            .split(['.', '_', '-'])
            .any(|part| part == "key" || part == "auth" || part == "pass")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_and_password_labels_are_secret() {
        for key in [
            "traefik.http.middlewares.http-basic-auth-x.basicauth.users",
            "caddy_0.basicauth.admin",
            "DB_PASSWORD",
            "app.api_key",
            "vault.token",
            "ssh.private-key",
            "s3.secret",
            "x.key",
        ] {
            assert!(is_secret_label(key), "{key}");
        }
    }

    #[test]
    fn routing_and_identity_labels_are_not_secret() {
        for key in [
            "traefik.http.routers.https-0-x.rule",
            "traefik.docker.network",
            "caddy_ingress_network",
            "coolify.serviceName",
            "com.docker.compose.project",
            "traefik.http.routers.x.tls.certresolver",
            "monkey.island",
        ] {
            assert!(!is_secret_label(key), "{key}");
        }
    }
}
