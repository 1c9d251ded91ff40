//! Nothing acknowledged is ever lost (issue 29): clients that hang up in
//! the middle of their requests, on every kind of write, beside clients
//! that record every 2xx they get. Afterwards, with the server restarted,
//! every acknowledged write is there, every acknowledged delete is gone,
//! no media row lacks its bytes, and (PostgreSQL) no session is left
//! inside a transaction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use crate::helpers::*;

/// Sends a request over a raw socket and hangs up `after` later, without
/// reading the answer: the server's handler is dropped wherever it is.
async fn hang_up(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
    after: Duration,
) {
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return;
    };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body).await;
    tokio::time::sleep(after).await;
    drop(s);
}

/// Small distinct PNGs (distinct bytes, so distinct media).
fn pngs(dir: &std::path::Path, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let out = dir.join(format!("c{i}.png"));
            ffmpeg(&[
                "-f",
                "lavfi",
                "-i",
                &format!("color=c=0x{:06x}:s=24x16", i * 7919 % 0xffffff),
                "-frames:v",
                "1",
                out.to_str().unwrap_or_default(),
            ]);
            std::fs::read(&out).expect("png")
        })
        .collect()
}

#[derive(Default)]
struct Acknowledged {
    modes: Vec<String>,
    users: Vec<String>,
    webhooks: Vec<String>,
    keys: Vec<String>,
    media: HashMap<String, usize>,
    deleted: Vec<String>,
    jobs: Vec<String>,
    cancelled: Vec<String>,
}

#[tokio::test]
async fn acknowledged_writes_survive_clients_hanging_up() {
    for backend in backends() {
        hammer(backend).await;
    }
}

async fn hammer(backend: Backend) {
    let mut app = spawn_with(Options {
        backend,
        workers: 0,
        configure: Some(|c| {
            // Few connections, so that a connection a hang-up spoiled is
            // soon handed to the next request.
            c.database.max_connections = 4;
        }),
        ..Options::default()
    })
    .await;
    let dir = app.data.path().to_path_buf();
    let images = Arc::new(pngs(&dir, 96));
    // Media the hang-up clients delete, one by one.
    let mut victims = Vec::new();
    for bytes in images.iter().take(72) {
        let r = app
            .client
            .post(app.url("/api/v1/media?pipeline=none"))
            .body(bytes.clone())
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status().as_u16(), 201);
        let v: Value = r.json().await.unwrap_or_default();
        victims.push(v["id"].as_str().unwrap_or_default().to_string());
    }
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let addr = app.addr;
    let mut tasks = Vec::new();

    // Clients that hang up, on every kind of write.
    for c in 0..12u64 {
        let victims = victims.clone();
        let images = images.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(c);
            for i in 0..80 {
                let after = Duration::from_micros(rng.gen_range(0..4000));
                let n = c * 1000 + i;
                let (method, path, body): (&str, String, Vec<u8>) = match rng.gen_range(0..12) {
                    0 => ("POST", "/api/v1/modes".into(), json!({"name": format!("h{n}")}).to_string().into()),
                    1 => (
                        "POST",
                        "/api/v1/users".into(),
                        json!({"name": format!("h{n}"), "password": "a long password", "role": "viewer"})
                            .to_string()
                            .into(),
                    ),
                    2 => (
                        "POST",
                        "/api/v1/webhooks".into(),
                        json!({"url": "http://93.184.216.34/hook", "events": ["media.deleted"], "secret": "0123456789abcdef"})
                            .to_string()
                            .into(),
                    ),
                    3 => ("POST", "/api/v1/keys".into(), json!({"name": format!("h{n}")}).to_string().into()),
                    4..=6 => (
                        "DELETE",
                        format!("/api/v1/media/{}", victims[rng.gen_range(0..victims.len())]),
                        Vec::new(),
                    ),
                    7 => (
                        "POST",
                        "/api/v1/media?pipeline=none".into(),
                        images[72 + rng.gen_range(0..24)].clone(),
                    ),
                    8 => (
                        "POST",
                        "/api/v1/jobs".into(),
                        json!({"media_id": victims[rng.gen_range(0..victims.len())], "pipeline": [{"name": "probe"}]})
                            .to_string()
                            .into(),
                    ),
                    9 => (
                        "POST",
                        format!("/api/v1/jobs/{}/cancel", victims[rng.gen_range(0..victims.len())]),
                        Vec::new(),
                    ),
                    _ => (
                        "POST",
                        "/api/v1/activity/labels".into(),
                        json!({"mode": "work", "start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"})
                            .to_string()
                            .into(),
                    ),
                };
                hang_up(addr, method, &path, &body, after).await;
            }
        }));
    }
    // Clients that wait for their answers and record every 2xx.
    for c in 0..4usize {
        let acked = acked.clone();
        let images = images.clone();
        let victims = victims.clone();
        let client = reqwest::Client::new();
        let url = move |p: &str| format!("http://{addr}{p}");
        tasks.push(tokio::spawn(async move {
            for i in 0..20usize {
                let n = c * 100 + i;
                let post = |p: &str, body: Value| client.post(url(p)).json(&body).send();
                if let Ok(r) = post("/api/v1/modes", json!({"name": format!("r{n}")})).await {
                    if r.status().is_success() {
                        acked.lock().map(|mut a| a.modes.push(format!("r{n}"))).ok();
                    }
                }
                if let Ok(r) = post(
                    "/api/v1/users",
                    json!({"name": format!("r{n}"), "password": "a long password", "role": "viewer"}),
                )
                .await
                {
                    if r.status().is_success() {
                        let v: Value = r.json().await.unwrap_or_default();
                        let id = v["id"].as_str().unwrap_or_default().to_string();
                        acked.lock().map(|mut a| a.users.push(id)).ok();
                    }
                }
                if let Ok(r) = post(
                    "/api/v1/webhooks",
                    json!({"url": "http://93.184.216.34/hook", "events": ["job.failed"], "secret": "0123456789abcdef"}),
                )
                .await
                {
                    if r.status().is_success() {
                        let v: Value = r.json().await.unwrap_or_default();
                        let id = v["id"].as_str().unwrap_or_default().to_string();
                        acked.lock().map(|mut a| a.webhooks.push(id)).ok();
                    }
                }
                if let Ok(r) = post("/api/v1/keys", json!({"name": format!("r{n}")})).await {
                    if r.status().is_success() {
                        let v: Value = r.json().await.unwrap_or_default();
                        let key = v["key"].as_str().unwrap_or_default().to_string();
                        acked.lock().map(|mut a| a.keys.push(key)).ok();
                    }
                }
                // An upload (these bytes are also uploaded by hang-ups).
                let k = 72 + (n % 24);
                if let Ok(r) = client
                    .post(url("/api/v1/media?pipeline=none"))
                    .body(images[k].clone())
                    .send()
                    .await
                {
                    if r.status().is_success() {
                        let v: Value = r.json().await.unwrap_or_default();
                        let id = v["id"].as_str().unwrap_or_default().to_string();
                        acked.lock().map(|mut a| a.media.insert(id.clone(), k)).ok();
                        // A job on it, then (every other one) its cancel.
                        if let Ok(r) = post(
                            "/api/v1/jobs",
                            json!({"media_id": id, "pipeline": [{"name": "probe"}]}),
                        )
                        .await
                        {
                            if r.status().is_success() {
                                let v: Value = r.json().await.unwrap_or_default();
                                let job = v["id"].as_str().unwrap_or_default().to_string();
                                acked.lock().map(|mut a| a.jobs.push(job.clone())).ok();
                                if i % 2 == 0 {
                                    if let Ok(r) = client
                                        .post(url(&format!("/api/v1/jobs/{job}/cancel")))
                                        .send()
                                        .await
                                    {
                                        if r.status().is_success() {
                                            acked.lock().map(|mut a| a.cancelled.push(job)).ok();
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                // A delete of a victim the hang-ups also go for.
                let victim = &victims[n % victims.len()];
                if let Ok(r) = client
                    .delete(url(&format!("/api/v1/media/{victim}")))
                    .send()
                    .await
                {
                    if r.status().as_u16() == 204 {
                        acked.lock().map(|mut a| a.deleted.push(victim.clone())).ok();
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    // Whatever the hang-ups started has finished (or been rolled back).
    tokio::time::sleep(Duration::from_secs(2)).await;
    if backend == Backend::Postgres {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&app.config.database.url)
            .await
            .expect("connect");
        let stuck: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND state LIKE 'idle in transaction%'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("pg_stat_activity");
        assert_eq!(stuck, 0, "{backend:?}: sessions left inside a transaction");
    }

    app.restart().await;
    let acked = std::mem::take(&mut *acked.lock().expect("lock"));
    let label = format!("{backend:?}");
    assert!(
        !acked.modes.is_empty() && !acked.users.is_empty() && !acked.keys.is_empty(),
        "{label}: the recording clients got nothing through"
    );
    let (_, modes) = app.get_json("/api/v1/modes").await;
    let names: Vec<&str> = modes["items"]
        .as_array()
        .map(|m| m.iter().filter_map(|m| m["name"].as_str()).collect())
        .unwrap_or_default();
    for m in &acked.modes {
        assert!(
            names.contains(&m.as_str()),
            "{label}: mode {m} acknowledged, then lost"
        );
    }
    for id in &acked.users {
        let (s, v) = app.get_json(&format!("/api/v1/users/{id}")).await;
        assert_eq!(s, 200, "{label}: user {id} acknowledged, then lost: {v}");
    }
    for id in &acked.webhooks {
        let (s, v) = app.get_json(&format!("/api/v1/webhooks/{id}")).await;
        assert_eq!(s, 200, "{label}: webhook {id} acknowledged, then lost: {v}");
    }
    for key in &acked.keys {
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/media?limit=1"))
            .bearer_auth(key)
            .send()
            .await
            .expect("get");
        assert_eq!(
            r.status().as_u16(),
            200,
            "{label}: a key acknowledged, then lost"
        );
    }
    for id in &acked.jobs {
        let (s, job) = app.get_json(&format!("/api/v1/jobs/{id}")).await;
        assert_eq!(s, 200, "{label}: job {id} acknowledged, then lost: {job}");
        if acked.cancelled.contains(id) {
            assert_eq!(
                job["state"], "cancelled",
                "{label}: cancel acknowledged, then lost: {job}"
            );
        }
    }
    // Deletes: gone. Every media listed: its bytes are there.
    for id in &acked.deleted {
        let (s, _) = app.get_json(&format!("/api/v1/media/{id}")).await;
        assert_eq!(s, 404, "{label}: media {id} deleted (204), then back");
    }
    let mut listed = Vec::new();
    let mut cursor = String::new();
    loop {
        let (_, page) = app
            .get_json(&format!("/api/v1/media?limit=100{cursor}"))
            .await;
        for m in page["items"].as_array().cloned().unwrap_or_default() {
            listed.push(m["id"].as_str().unwrap_or_default().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    for (id, k) in &acked.media {
        if !acked.deleted.contains(id) {
            assert!(
                listed.contains(id),
                "{label}: upload {id} acknowledged, then lost"
            );
        }
        let _ = k;
    }
    let mut without_bytes = Vec::new();
    for id in &listed {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{id}/content")))
            .send()
            .await
            .expect("content");
        if r.status().as_u16() != 200 {
            without_bytes.push((id.clone(), r.status().as_u16()));
        }
    }
    assert!(
        without_bytes.is_empty(),
        "{label}: {} of {} media rows without their bytes: {without_bytes:?}",
        without_bytes.len(),
        listed.len()
    );
}
