//! Signing in with a token: which seller it speaks for, asked of the backend before any cache is
//! opened (the cache is per seller, so the seller must be known first).

use std::sync::Arc;

use highlights_api::{Me, paths};

use super::http::{Http, SyncConfig, TokenProvider, failure};
use super::transport::{HttpTransport, Method};
use crate::CoreError;

/// The token being tried: held for this one request, never stored.
struct Trying(String);

impl TokenProvider for Trying {
    fn token(&self) -> Result<String, String> {
        Ok(self.0.clone())
    }
}

/// Whether a token may travel to `base_url`: over https anywhere, over plain http only to this
/// computer (a local backend), so a seller's typo cannot send it in clear across a network.
fn check_base_url(base_url: &str) -> Result<(), CoreError> {
    let refuse = |why: &str| Err(CoreError::NotAllowed { reason: why.to_string() });
    let Some((scheme, rest)) = base_url.trim().split_once("://") else {
        return refuse("the server address is not a URL (e.g. https://api.example.com)");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return refuse("the server address must not hold a user name or password");
    }
    // The host and the port: `[::1]:9` is `::1` and `9`, `example.com` has no port.
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, "")) => (h, None),
            Some((h, rest)) => match rest.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None => return refuse("the server address is not a URL (e.g. https://api.example.com)"),
            },
            None => return refuse("the server address is not a URL (e.g. https://api.example.com)"),
        },
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let host_ok = if authority.starts_with('[') {
        host.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    if !host_ok || !port_ok {
        return refuse("the server address has no usable host and port");
    }
    let loopback =
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => refuse("the server address must start with https:// (plain http only to this computer)"),
        _ => refuse("the server address must start with https://"),
    }
}

/// The seller `token` speaks for at the backend at `base_url`: a 401 is a refused token, an
/// unreachable backend a network error, and nothing is stored either way.
pub async fn sign_in(base_url: &str, token: &str) -> Result<String, CoreError> {
    sign_in_with(base_url, token, None).await
}

/// [`sign_in`] through the shell's `transport` (the built-in stack when `None`).
pub async fn sign_in_with(
    base_url: &str,
    token: &str,
    transport: Option<Arc<dyn HttpTransport>>,
) -> Result<String, CoreError> {
    check_base_url(base_url)?;
    let token = token.trim();
    if token.is_empty() {
        return Err(CoreError::Unauthorized { message: "no token given".into() });
    }
    let http = Http::new(SyncConfig::new(base_url.trim()), Arc::new(Trying(token.to_string())), transport)?;
    let answer = http.send(Method::GET, paths::ME, None, None).await?;
    if !answer.success() {
        return Err(failure(&answer));
    }
    let me: Me = answer.json()?;
    if crate::error::check_id("seller", &me.seller_id).is_err() {
        return Err(CoreError::BadServerData { message: "the server named no usable seller".into() });
    }
    Ok(me.seller_id)
}

#[cfg(test)]
mod tests {
    use super::check_base_url;

    #[test]
    fn a_token_goes_over_https_or_to_this_computer_only() {
        for ok in [
            "https://api.example.com",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "HTTPS://api.example.com:8443/base",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.example.com",
            "ftp://127.0.0.1",
            "api.example.com",
            "",
            "http://10.0.0.1",
            "http://127.0.0.1@evil.example",
            "https://user:pw@api.example.com",
            "https://",
            "http://localhost.evil.example",
            "http://[::1]evil",
            "http://[::1",
            "http://127.0.0.1:port",
            "https://api example.com",
            "https://api.example.com:99999",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }
}
