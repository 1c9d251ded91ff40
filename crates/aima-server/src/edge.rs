//! What a request is before any handler reads it: who sent it (the client
//! behind the reverse proxies the server trusts), and whether a server with
//! anonymous access answers the `Host` it names at all.
//!
//! - **Client address.** The TCP peer, unless the peer is one of
//!   `server.trusted_proxies`: then `X-Forwarded-For` (or, without it,
//!   `Forwarded: for=`) is walked from the right, past every trusted proxy,
//!   and the first address that is not one is the client. What a client
//!   writes into those headers itself stands to the left of what its proxy
//!   added, so it is never reached. Read as [`ClientAddr`] by the sign-in
//!   limits and the audit log.
//! - **Host.** While anonymous access is on, anyone who reaches the port
//!   acts as admin; a web page can reach a loopback server from the
//!   visitor's browser by DNS rebinding (its own name, re-pointed at
//!   127.0.0.1), and then its requests carry its own name as `Host`. So such
//!   a server answers only loopback names, IP addresses and
//!   `server.allowed_hosts`; anything else is 403 `host_not_allowed`.
//!
//! The forwarded-header walk is written here because the crates that read
//! client addresses for axum take either the peer or a header, not "the
//! header, from these proxies only"; `ipnet` does the address arithmetic.

use std::net::{IpAddr, SocketAddr};

use aima_core::ErrorCode;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;

use crate::error::ApiError;
use crate::AppState;

/// The client's address, as far as the server can tell (none for a request
/// that came without a socket, e.g. in-process tests).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    pub(crate) fn of(extensions: &axum::http::Extensions) -> Option<IpAddr> {
        extensions.get::<ClientAddr>().and_then(|c| c.0)
    }
}

/// Parses `server.trusted_proxies`: addresses (`10.0.0.5`, `::1`) or
/// networks (`10.0.0.0/8`). The entry that is neither, as the error.
pub fn parse_networks(entries: &[String]) -> Result<Vec<IpNet>, String> {
    entries
        .iter()
        .map(|e| {
            let e = e.trim();
            e.parse::<IpNet>()
                .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{e:?} is not an IP address or network"))
        })
        .collect()
}

/// One address of a forwarded header: `1.2.3.4`, `1.2.3.4:5678`, `::1`,
/// `[::1]:5678`, optionally quoted (as `Forwarded` quotes IPv6).
fn parse_forwarded_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    s.parse::<SocketAddr>().ok().map(|a| a.ip())
}

/// The hops a forwarded header lists, first (the original client, as
/// claimed) to last (the hop nearest this server).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let xff = values("x-forwarded-for");
    if !xff.is_empty() {
        return xff.iter().map(|h| parse_forwarded_ip(h)).collect();
    }
    values("forwarded")
        .iter()
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.trim().split_once('='))
                .find(|(k, _)| k.eq_ignore_ascii_case("for"))
                .and_then(|(_, v)| parse_forwarded_ip(v))
        })
        .collect()
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy;
/// else the nearest hop of the forwarded header that is not one.
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_hops(headers).into_iter().rev() {
        match hop {
            // Unreadable: nothing further left can be believed.
            None => break,
            Some(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
        }
    }
    client
}

/// `::ffff:10.0.0.1` is `10.0.0.1` (a dual-stack socket reports IPv4
/// peers so).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The host a request names, without its port, lower case.
fn request_host(req: &Request) -> Option<String> {
    let raw = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_string()))?;
    let authority: axum::http::uri::Authority = raw.parse().ok()?;
    Some(
        authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase(),
    )
}

/// Whether a server with anonymous access answers to `host`: an IP
/// address (a page of another site cannot be served under the server's own
/// address), `localhost` and its subdomains (which resolve to loopback and
/// nothing else), or a configured name.
pub(crate) fn host_allowed(host: &str, allowed: &[String]) -> bool {
    host.parse::<IpAddr>().is_ok()
        || host == "localhost"
        || host.ends_with(".localhost")
        || allowed
            .iter()
            .any(|a| a.trim_end_matches('.').eq_ignore_ascii_case(host))
}

/// The middleware: notes the client's address; refuses a foreign `Host`
/// while anonymous access is on.
pub(crate) async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let settings = &state.settings;
    if settings.allow_anonymous {
        if let Some(host) = request_host(&req) {
            if !host_allowed(&host, &settings.allowed_hosts) {
                return ApiError::new(
                    ErrorCode::HostNotAllowed,
                    format!(
                        "this server answers to its loopback names and addresses while anonymous \
                         access is on, not to {host:?}; add it to server.allowed_hosts"
                    ),
                )
                .into_response();
            }
        }
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = peer.map(|p| client_ip(p, req.headers(), &settings.trusted_proxies));
    req.extensions_mut().insert(ClientAddr(client));
    next.run(req).await
}

/// Whether an anonymous write comes from a browser page of another origin
/// (and so was not sent by the server's user): such a page can send a
/// "simple" POST (a form, or `fetch` with `text/plain`) without a
/// preflight, and the browser then says where it comes from in `Origin`
/// and `Sec-Fetch-Site`. Programs that are not browsers (curl, aw-client,
/// `aima watch`) send neither, and pass. The web UI, a page of this very
/// origin, passes too, and also sends `X-AIMA-CSRF`, which a page of
/// another origin cannot send without a preflight AIMA never grants.
pub(crate) fn cross_origin_write(
    method: &axum::http::Method,
    headers: &HeaderMap,
    allowed_origins: &[String],
) -> bool {
    use axum::http::Method;
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || headers.contains_key(crate::auth::CSRF_HEADER)
    {
        return false;
    }
    if let Some(origin) = headers.get(axum::http::header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null").trim_end_matches('/');
        if allowed_origins
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin))
        {
            return false;
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let same = origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host));
        return !same;
    }
    matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site" | "same-site")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap_or_else(|_| unreachable!()));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let trusted = parse_networks(&["127.0.0.1".into(), "10.0.0.0/8".into()])
            .unwrap_or_else(|_| unreachable!());
        // Not from a proxy: the header is the client's own word, ignored.
        let spoofed = headers(&[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(client_ip(ip("8.8.8.8"), &spoofed, &trusted), ip("8.8.8.8"));
        // From the proxy: the hop it added.
        let h = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("203.0.113.7"));
        // A client's own header stays left of what the proxies added.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.1.2.3")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("203.0.113.7"));
        // Forwarded (RFC 7239), with a quoted IPv6 and a port.
        let h = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &trusted),
            ip("2001:db8::7")
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
        assert!(parse_networks(&["not an address".into()]).is_err());
    }

    #[test]
    fn hosts_of_a_local_server() {
        for ok in [
            "127.0.0.1",
            "::1",
            "localhost",
            "app.localhost",
            "192.168.1.5",
        ] {
            assert!(host_allowed(ok, &[]), "{ok}");
        }
        assert!(!host_allowed("attacker.example", &[]));
        assert!(host_allowed("aima.lan", &["AIMA.lan".into()]));
    }

    #[test]
    fn cross_origin_writes_are_told_apart() {
        use axum::http::Method;
        let post = Method::POST;
        let from = |origin: &str| headers(&[("host", "127.0.0.1:8080"), ("origin", origin)]);
        assert!(cross_origin_write(
            &post,
            &from("https://attacker.example"),
            &[]
        ));
        assert!(cross_origin_write(&post, &from("null"), &[]));
        assert!(!cross_origin_write(
            &post,
            &from("http://127.0.0.1:8080"),
            &[]
        ));
        assert!(!cross_origin_write(
            &post,
            &from("chrome-extension://abc"),
            &["chrome-extension://abc".into()]
        ));
        assert!(cross_origin_write(
            &post,
            &headers(&[("sec-fetch-site", "cross-site")]),
            &[]
        ));
        // curl, aw-client, the watchers: no Origin, no Sec-Fetch-Site.
        assert!(!cross_origin_write(&post, &HeaderMap::new(), &[]));
        assert!(!cross_origin_write(
            &Method::GET,
            &from("https://attacker.example"),
            &[]
        ));
    }
}
