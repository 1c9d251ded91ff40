//! The reverse proxy of the deployment, for real: Debian's Caddy running the
//! project's own `deploy/Caddyfile` in front of `aima serve`, with HTTPS from
//! Caddy's internal CA (verified by curl against that CA), AIMA's upload
//! limit answered through the proxy, the proxy's own larger limit as a
//! backstop, and job progress streamed through it as it happens.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::AsyncBufReadExt;
use tokio::process::Command;

use crate::helpers::*;

struct Proxy {
    port: u16,
    root_cert: PathBuf,
    _caddy: tokio::process::Child,
}

async fn caddy(upstream: std::net::SocketAddr, dir: &Path, max_upload: &str) -> Proxy {
    let port = free_port();
    let caddyfile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/Caddyfile");
    let child = Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&caddyfile)
        .env("AIMA_DOMAIN", format!("localhost:{port}"))
        .env("AIMA_UPSTREAM", upstream.to_string())
        .env("AIMA_MAX_UPLOAD", max_upload)
        // Certificates from Caddy's own CA (no ACME from a test), no admin
        // endpoint, nothing installed in the system's trust store.
        .env(
            "CADDY_GLOBAL_OPTIONS",
            "local_certs\n\tskip_install_trust\n\tadmin off\n\tauto_https disable_redirects",
        )
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("HOME", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("caddy (Debian's package) is installed by the test command");
    let root_cert = dir.join("data/caddy/pki/authorities/local/root.crt");
    let until = Instant::now() + Duration::from_secs(30);
    while !(root_cert.is_file()
        && tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok())
    {
        assert!(Instant::now() < until, "caddy did not start on {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let proxy = Proxy {
        port,
        root_cert,
        _caddy: child,
    };
    // Listening comes before the site's certificate is issued: ready once
    // an HTTPS request goes through.
    loop {
        let mut c = proxy.curl("/healthz");
        c.arg("-f").stdout(Stdio::null()).stderr(Stdio::null());
        if c.status().await.is_ok_and(|s| s.success()) {
            break;
        }
        assert!(
            Instant::now() < until,
            "caddy did not serve HTTPS on {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    proxy
}

impl Proxy {
    /// curl over HTTPS, verifying the certificate against Caddy's CA.
    fn curl(&self, path: &str) -> Command {
        let mut c = Command::new("curl");
        c.args(["-sS", "--max-time", "60", "--cacert"])
            .arg(&self.root_cert)
            .arg(format!("https://localhost:{}{path}", self.port));
        c
    }
}

async fn output(mut c: Command) -> (String, String) {
    let out = c.output().await.expect("curl");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn caddy_in_front_serves_https_limits_uploads_and_streams_progress() {
    let app = spawn_with(Options {
        max_upload_bytes: 3 * 1024 * 1024,
        ..Options::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tmp");
    let proxy = caddy(app.addr, dir.path(), "20MB").await;

    // HTTPS with a certificate the client verifies.
    let mut c = proxy.curl("/healthz");
    c.args(["-w", "\n%{http_code} %{ssl_verify_result}"]);
    let (out, err) = output(c).await;
    assert!(out.ends_with("200 0"), "{out} {err}");

    // Over AIMA's limit: its 413 and error code come through the proxy.
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![7u8; 4 * 1024 * 1024]).expect("write");
    let mut c = proxy.curl("/api/v1/media");
    c.arg("--data-binary").arg(format!("@{}", big.display()));
    c.args(["-w", "\n%{http_code}"]);
    let (out, err) = output(c).await;
    assert!(out.ends_with("\n413"), "{out} {err}");
    assert!(out.contains("payload_too_large"), "{out}");
    // Over the proxy's own limit (the backstop) but under AIMA's: a proxy
    // allowing 2 MB in front of the same server refuses 2.6 MB of audio
    // that AIMA itself takes (below, straight to the server), so the
    // refusal can only be the proxy's.
    let strict_dir = tempfile::tempdir().expect("tmp");
    let strict = caddy(app.addr, strict_dir.path(), "2MB").await;
    let audio = wav_audio(dir.path(), "between.wav", 82);
    let size = std::fs::metadata(&audio).map(|m| m.len()).unwrap_or(0);
    assert!((2_100_000..3 * 1024 * 1024).contains(&size), "{size}");
    let mut c = strict.curl("/api/v1/media?pipeline=none");
    c.args(["-w", "\n%{http_code}", "--data-binary"])
        .arg(format!("@{}", audio.display()));
    let (out, err) = output(c).await;
    assert!(
        !out.trim_end().ends_with("201"),
        "passed the proxy: {out} {err}"
    );
    assert!(
        !out.contains("payload_too_large"),
        "AIMA's refusal, not the proxy's: {out}"
    );
    let (_, list) = app.get_json("/api/v1/media").await;
    assert_eq!(list["items"], Value::Array(vec![]), "nothing stored");
    let r = app.upload(&audio, "?pipeline=none").await;
    assert_eq!(
        r.status().as_u16(),
        201,
        "AIMA takes it when asked directly"
    );
    let (_, list) = app.get_json("/api/v1/media").await;
    let stored = list["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/media/{stored}")))
        .send()
        .await
        .expect("delete");
    assert!(r.status().is_success(), "{}", r.status());

    // Under it: accepted, and the job's progress streams through as it
    // happens (the first events arrive while the job still runs).
    let video = long_video(dir.path());
    let mut c = proxy.curl("/api/v1/media?pipeline=keyframes");
    c.arg("--data-binary").arg(format!("@{}", video.display()));
    let (out, err) = output(c).await;
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out} {err}"));
    let job = v["job_id"].as_str().unwrap_or_default().to_string();
    assert!(!job.is_empty(), "{v}");

    let mut sse = proxy.curl(&format!("/api/v1/jobs/{job}/events"));
    sse.arg("-N").stdout(Stdio::piped());
    let mut child = sse.spawn().expect("curl");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen_running = false;
    let mut last = Value::Null;
    let until = Instant::now() + Duration::from_secs(120);
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("an event within a minute")
    {
        if let Some(data) = line.strip_prefix("data:") {
            let ev: Value = serde_json::from_str(data.trim()).unwrap_or(Value::Null);
            if ev["state"] == "running" && !seen_running {
                seen_running = true;
                // Streamed, not buffered: the job is still running now.
                let (_, now) = app.get_json(&format!("/api/v1/jobs/{job}")).await;
                assert_eq!(now["state"], "running", "{now}");
            }
            if ev["state"] == "succeeded" {
                last = ev;
                break;
            }
        }
        assert!(Instant::now() < until, "the stream did not end");
    }
    assert!(seen_running, "progress came through while the job ran");
    assert_eq!(last["state"], "succeeded");
    let _ = child.start_kill();
}

/// A sign-in through the proxy from the loopback address `from` (curl
/// binds it as its source: 127.0.0.0/8 is all loopback), optionally with
/// a forged `X-Forwarded-For`; the HTTP status.
async fn sign_in_via(
    proxy: &Proxy,
    from: &str,
    name: &str,
    password: &str,
    forged: Option<&str>,
) -> u16 {
    let mut c = proxy.curl("/api/v1/auth/login");
    c.args([
        "-4",
        "--interface",
        from,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
    ])
    .args(["-H", "content-type: application/json"])
    .arg("--data")
    .arg(serde_json::json!({"name": name, "password": password}).to_string());
    if let Some(f) = forged {
        c.args(["-H", &format!("x-forwarded-for: {f}")]);
    }
    let (out, err) = output(c).await;
    out.trim().parse().unwrap_or_else(|_| panic!("{out} {err}"))
}

#[tokio::test]
async fn sign_in_limits_see_the_clients_behind_the_proxy() {
    let app = spawn_with(Options {
        configure: Some(|c| {
            // Caddy reaches AIMA from 127.0.0.1; clients reach Caddy from
            // 127.0.0.2 and 127.0.0.3.
            c.server.trusted_proxies = vec!["127.0.0.1".into()];
            c.auth.login_attempts_per_address = 5;
            c.auth.login_attempts_per_account = 100;
        }),
        ..Options::default()
    })
    .await;
    for name in ["alice", "bob"] {
        let out = admin_with_input(
            &app,
            &["create-user", "--name", name, "--role", "viewer"],
            &format!("{name} password\n"),
        )
        .await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dir = tempfile::tempdir().expect("tmp");
    let proxy = caddy(app.addr, dir.path(), "20MB").await;

    // One client guesses alice's password until its address is limited.
    for _ in 0..5 {
        assert_eq!(
            sign_in_via(&proxy, "127.0.0.2", "alice", "guess", None).await,
            401
        );
    }
    assert_eq!(
        sign_in_via(&proxy, "127.0.0.2", "alice", "guess", None).await,
        429
    );
    // A forged header through the proxy changes nothing (the proxy
    // replaces it with the address it saw).
    assert_eq!(
        sign_in_via(
            &proxy,
            "127.0.0.2",
            "bob",
            "bob password",
            Some("198.51.100.9")
        )
        .await,
        429
    );
    // Another client behind the same proxy signs in: before, the limit
    // keyed on the proxy's address and locked everyone out.
    assert_eq!(
        sign_in_via(&proxy, "127.0.0.3", "bob", "bob password", None).await,
        200
    );
    // Straight to AIMA (not through a trusted proxy), a forged header is
    // the client's own word and is ignored: 127.0.0.2 is still limited.
    let out = Command::new("curl")
        .args([
            "-sS",
            "-4",
            "--interface",
            "127.0.0.2",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .args([
            "-H",
            "content-type: application/json",
            "-H",
            "x-forwarded-for: 198.51.100.9",
        ])
        .arg("--data")
        .arg(serde_json::json!({"name": "bob", "password": "bob password"}).to_string())
        .arg(app.url("/api/v1/auth/login"))
        .output()
        .await
        .expect("curl");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "429");

    // The audit log names the client behind the proxy.
    let (status, log) = app.get_json("/api/v1/audit?action=login&limit=100").await;
    assert_eq!(status, 200, "{log}");
    let addresses: Vec<(&str, &str)> = log["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["outcome"].as_str().unwrap_or_default(),
                        i["address"].as_str().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(addresses.contains(&("denied", "127.0.0.2")), "{log}");
    assert!(addresses.contains(&("ok", "127.0.0.3")), "{log}");
    assert!(
        !addresses.iter().any(|(_, a)| *a == "198.51.100.9"),
        "{log}"
    );
}
