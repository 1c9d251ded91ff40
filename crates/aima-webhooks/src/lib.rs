//! Webhooks: workspace events sent to other systems.
//!
//! Deliveries are rows the store writes in the same transaction as the
//! change they report (`aima_store::WebhookRepo`), so a crash loses none. The
//! [`Dispatcher`] of each `aima serve` takes due rows (a lease per row, so
//! several servers share the work), POSTs each body with
//! `X-AIMA-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`,
//! and records the outcome: done on a 2xx, else tried again with doubling
//! delays until the attempts run out.
//!
//! Receivers are reached only at public addresses unless
//! `webhooks.allow_private` is set: the URL is checked when a webhook is
//! made, and every connection goes through a resolver that drops private,
//! loopback and link-local addresses (so a name that later resolves
//! inward, or an IP literal, is refused at send time too). Redirects are
//! not followed: a receiver that answers 3xx has not taken the delivery.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use aima_store::{Attempt, DueDelivery, Store};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use tokio_util::sync::CancellationToken;

/// How deliveries are sent.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Receivers on loopback, private or link-local addresses are allowed.
    pub allow_private: bool,
    /// One attempt's time limit.
    pub timeout: Duration,
    /// Attempts before a delivery fails.
    pub max_attempts: i64,
    /// The delay after the first failed attempt; it doubles after each.
    pub retry_base: Duration,
    /// How often the dispatcher looks for due deliveries.
    pub poll: Duration,
    /// Deliveries sent at once (a slow receiver holds one of these only).
    pub concurrency: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            max_attempts: 8,
            retry_base: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            concurrency: 8,
        }
    }
}

/// The `X-AIMA-Signature` of a body sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The IPv4 addresses an IPv6 address carries, by the standard forms that
/// embed one: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`, deprecated but still routed by some stacks), NAT64's
/// well-known prefix (`64:ff9b::/96`, RFC 6052), 6to4 (`2002::/16`, RFC
/// 3056) and Teredo (`2001::/32`, RFC 4380: the server's address, and the
/// client's obfuscated one). A gateway that translates any of them reaches
/// the IPv4 address, so it is what counts.
fn embedded_ipv4(v6: std::net::Ipv6Addr) -> Vec<std::net::Ipv4Addr> {
    use std::net::Ipv4Addr;
    let s = v6.segments();
    let o = v6.octets();
    let tail = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    let mut found = Vec::new();
    if let Some(v4) = v6.to_ipv4_mapped() {
        found.push(v4);
    }
    // ::a.b.c.d (but not :: or ::1, judged as IPv6 themselves).
    if s[..6] == [0; 6] && u32::from(tail) > 1 {
        found.push(tail);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        found.push(tail);
    }
    if s[0] == 0x2002 {
        found.push(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    if s[0] == 0x2001 && s[1] == 0 {
        found.push(Ipv4Addr::new(o[4], o[5], o[6], o[7]));
        found.push(Ipv4Addr::new(!o[12], !o[13], !o[14], !o[15]));
    }
    found
}

/// Whether an address is off limits to webhooks by default: loopback,
/// private, link-local, carrier-grade NAT, unspecified, multicast or
/// broadcast, and every IPv6 form that embeds such an IPv4 address
/// ([`embedded_ipv4`]); NAT64's local-use prefix (`64:ff9b:1::/48`, RFC
/// 8215), whose translator is inside the network, is private as a whole.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if embedded_ipv4(v6)
                .into_iter()
                .any(|v4| is_private(IpAddr::V4(v4)))
            {
                return true;
            }
            if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
                return true;
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Checks a webhook's URL when it is made: http or https, a host, at most
/// 2,048 characters, and (unless `allow_private`) every address the host
/// resolves to is public. The reason as text when refused.
pub async fn check_url(url: &str, allow_private: bool) -> Result<(), String> {
    if url.len() > 2048 {
        return Err("the URL is longer than 2,048 characters".into());
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("the URL must be http or https".into());
    }
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("the URL has no host")?;
    if allow_private {
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("{host} does not resolve: {e}"))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    if let Some(a) = addrs.iter().find(|a| is_private(a.ip())) {
        return Err(format!(
            "{host} resolves to {}, a private, loopback or link-local address \
             (allowed only with webhooks.allow_private = true)",
            a.ip()
        ));
    }
    Ok(())
}

/// Resolves names for deliveries and drops private addresses (unless
/// allowed), so the check holds at connection time, not only when the
/// webhook was made.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| allow_private || !is_private(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!(
                    "{} has no public address (private addresses need webhooks.allow_private = true)",
                    name.as_str()
                )
                .into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Sends due deliveries until shut down.
#[derive(Clone)]
pub struct Dispatcher {
    store: Arc<dyn Store>,
    client: reqwest::Client,
    settings: Arc<Settings>,
}

impl Dispatcher {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: settings.allow_private,
            }))
            .user_agent(concat!("aima-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            store,
            client,
            settings: Arc::new(settings),
        })
    }

    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let sent = self.deliver_due().await;
            if sent == 0 {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(self.settings.poll) => {}
                }
            } else if shutdown.is_cancelled() {
                return;
            }
        }
    }

    /// Sends what is due now; how many were attempted.
    pub async fn deliver_due(&self) -> usize {
        // Each claimed row is leased for a whole attempt plus a margin.
        let lease = (self.settings.timeout + Duration::from_secs(30)).as_millis() as i64;
        let due = match self
            .store
            .claim_deliveries(self.settings.concurrency as u32 * 4, lease)
            .await
        {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read webhook deliveries");
                return 0;
            }
        };
        let n = due.len();
        futures::stream::iter(due)
            .for_each_concurrent(self.settings.concurrency, |d| async move {
                let attempt = self.attempt(&d).await;
                if let Err(e) = self.store.finish_attempt(&d.delivery.id, &attempt).await {
                    tracing::warn!(delivery = %d.delivery.id, error = %e, "cannot record a webhook delivery");
                }
            })
            .await;
        n
    }

    async fn attempt(&self, d: &DueDelivery) -> Attempt {
        let attempts = d.delivery.attempts + 1;
        let retry_at = (attempts < self.settings.max_attempts).then(|| {
            let delay = self.settings.retry_base.as_millis() as i64
                * 2i64.saturating_pow((attempts - 1).clamp(0, 20) as u32);
            aima_store::now_ms() + delay.min(3_600_000)
        });
        let failed = |status: Option<i64>, error: String| Attempt {
            status,
            error: Some(error),
            delivered: false,
            retry_at,
        };
        // An IP literal never meets the resolver: check it here.
        if !self.settings.allow_private {
            if let Ok(url) = url::Url::parse(&d.url) {
                let literal = match url.host() {
                    Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                    Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                    _ => None,
                };
                if literal.is_some_and(is_private) {
                    return Attempt {
                        retry_at: None,
                        ..failed(None, "the receiver's address is private".into())
                    };
                }
            }
        }
        let timestamp = aima_store::now_ms() / 1000;
        let body = d.delivery.body.clone();
        let result = self
            .client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("x-aima-event", &d.delivery.event)
            .header("x-aima-delivery", &d.delivery.id)
            .header("x-aima-timestamp", timestamp.to_string())
            .header("x-aima-signature", signature(&d.secret, timestamp, &body))
            .body(body)
            .send()
            .await;
        match result {
            Ok(resp) if resp.status().is_success() => Attempt {
                status: Some(resp.status().as_u16() as i64),
                error: None,
                delivered: true,
                retry_at: None,
            },
            Ok(resp) => {
                let status = resp.status();
                let note = if status.is_redirection() {
                    " (redirects are not followed)"
                } else {
                    ""
                };
                failed(
                    Some(status.as_u16() as i64),
                    format!("the receiver answered {status}{note}"),
                )
            }
            Err(e) if e.is_timeout() => failed(None, "the receiver did not answer in time".into()),
            Err(e) => {
                use std::error::Error;
                let mut msg = e.to_string();
                let mut source = e.source();
                while let Some(s) = source {
                    msg = format!("{msg}: {s}");
                    source = s.source();
                }
                failed(None, msg)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_and_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = signature("Jefe", 0, "what do ya want for nothing?");
        assert_ne!(sig, signature("Jefe", 1, "what do ya want for nothing?"));
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(b"Jefe").unwrap_or_else(|_| unreachable!());
        mac.update(b"0.what do ya want for nothing?");
        assert_eq!(
            sig,
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        );
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(b"Jefe").unwrap_or_else(|_| unreachable!());
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn private_addresses_are_known() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
            // IPv6 forms that embed a private IPv4 address.
            "::127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1.2.3.4",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            // Teredo: server 127.0.0.1, and client 10.0.0.1 (inverted).
            "2001:0:7f00:1::",
            "2001:0:0808:0808::f5ff:fffe",
        ] {
            assert!(
                is_private(ip.parse().unwrap_or_else(|_| unreachable!())),
                "{ip}"
            );
        }
        for ip in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
        ] {
            assert!(
                !is_private(ip.parse().unwrap_or_else(|_| unreachable!())),
                "{ip}"
            );
        }
    }

    #[tokio::test]
    async fn urls_are_checked() {
        assert!(check_url("ftp://example.org/", true).await.is_err());
        assert!(check_url("not a url", true).await.is_err());
        assert!(check_url("http://127.0.0.1:9/hook", false).await.is_err());
        assert!(check_url("http://[::1]:9/hook", false).await.is_err());
        assert!(check_url("http://[::127.0.0.1]:9/hook", false)
            .await
            .is_err());
        assert!(check_url("http://[64:ff9b::7f00:1]:9/hook", false)
            .await
            .is_err());
        assert!(check_url("http://localhost:9/hook", false).await.is_err());
        assert!(check_url("http://169.254.169.254/latest", false)
            .await
            .is_err());
        assert!(check_url("http://127.0.0.1:9/hook", true).await.is_ok());
        assert!(check_url("http://93.184.216.34/hook", false).await.is_ok());
    }
}
