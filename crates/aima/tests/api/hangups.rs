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

/// Once whatever the hang-ups started has finished (or been rolled back):
/// on PostgreSQL, no session of the server is left inside a transaction.
async fn no_session_left_in_a_transaction(app: &TestApp, backend: Backend) {
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
    /// Activity events a heartbeat or an insert answered with (their ids).
    events: Vec<i64>,
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
    // The bucket the activity writes go to (on SQLite through the activity
    // writer's own connection).
    let r = app
        .client
        .post(app.url("/api/0/buckets/hb"))
        .json(&json!({"type": "currentwindow", "client": "t", "hostname": "h"}))
        .send()
        .await
        .expect("bucket");
    assert_eq!(r.status().as_u16(), 200);
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
                // Heartbeats and inserts of the hang-ups: 2025, app "h".
                let at = |k: u64| aima_core::activity::format_rfc3339_ms(1_735_689_600_000 + k as i64 * 1000);
                let (method, path, body): (&str, String, Vec<u8>) = match rng.gen_range(0..14) {
                    12 => (
                        "POST",
                        "/api/0/buckets/hb/heartbeat?pulsetime=5".into(),
                        json!({"timestamp": at(n), "duration": 0, "data": {"app": "h"}}).to_string().into(),
                    ),
                    13 => (
                        "POST",
                        "/api/0/buckets/hb/events".into(),
                        json!([{"timestamp": at(n), "duration": 1, "data": {"app": "h"}},
                               {"timestamp": at(n + 100_000), "duration": 1, "data": {"app": "h"}}])
                            .to_string()
                            .into(),
                    ),
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
                // A heartbeat that starts an event of its own (2024, an app
                // per write), and an insert of two events.
                let at = |k: usize| {
                    aima_core::activity::format_rfc3339_ms(1_704_067_200_000 + k as i64 * 60_000)
                };
                if let Ok(r) = post(
                    "/api/0/buckets/hb/heartbeat?pulsetime=0",
                    json!({"timestamp": at(2 * n), "duration": 0, "data": {"app": format!("r{n}")}}),
                )
                .await
                {
                    if r.status().is_success() {
                        let v: Value = r.json().await.unwrap_or_default();
                        let id = v["id"].as_i64().unwrap_or(-1);
                        acked.lock().map(|mut a| a.events.push(id)).ok();
                    }
                }
                if let Ok(r) = post(
                    "/api/0/buckets/hb/events",
                    json!([{"timestamp": at(2 * n + 1), "duration": 1, "data": {"app": format!("i{n}")}},
                           {"timestamp": at(2 * n + 1), "duration": 2, "data": {"app": format!("j{n}")}}]),
                )
                .await
                {
                    if r.status().is_success() {
                        let v: Value = r.json().await.unwrap_or_default();
                        for e in v.as_array().cloned().unwrap_or_default() {
                            let id = e["id"].as_i64().unwrap_or(-1);
                            acked.lock().map(|mut a| a.events.push(id)).ok();
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
    no_session_left_in_a_transaction(&app, backend).await;

    app.restart().await;
    let acked = std::mem::take(&mut *acked.lock().expect("lock"));
    let label = format!("{backend:?}");
    assert!(
        !acked.modes.is_empty() && !acked.users.is_empty() && !acked.keys.is_empty(),
        "{label}: the recording clients got nothing through"
    );
    assert!(
        acked.events.len() >= 60,
        "{label}: {} activity events acknowledged",
        acked.events.len()
    );
    for id in &acked.events {
        let (s, v) = app
            .get_json(&format!("/api/0/buckets/hb/events/{id}"))
            .await;
        assert_eq!(s, 200, "{label}: event {id} acknowledged, then lost: {v}");
    }
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

/// Photos of two faces, each in eight versions (mirrored, smaller,
/// brighter), so that the face model finds sixteen faces.
fn face_photos(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for name in ["astronaut.png", "camera.png"] {
        for (i, vf) in [
            "null",
            "hflip",
            "scale=iw*0.9:-2",
            "hflip,scale=iw*0.8:-2",
            "scale=iw*0.7:-2",
            "hflip,scale=iw*0.75:-2",
            "eq=brightness=0.05",
            "hflip,eq=contrast=1.1",
        ]
        .iter()
        .enumerate()
        {
            let p = dir.join(format!("{i}-{name}"));
            ffmpeg(&[
                "-i",
                sample_image(name).to_str().unwrap_or_default(),
                "-vf",
                vf,
                p.to_str().unwrap_or_default(),
            ]);
            out.push(p);
        }
    }
    out
}

/// Every face of the workspace, by the persons listed.
async fn faces_by_person(app: &TestApp) -> HashMap<String, Vec<i64>> {
    let (s, persons) = app.get_json("/api/v1/persons?limit=500").await;
    assert_eq!(s, 200, "{persons}");
    let mut out = HashMap::new();
    for p in persons["items"].as_array().cloned().unwrap_or_default() {
        let id = p["id"].as_str().unwrap_or_default().to_string();
        let (s, faces) = app
            .get_json(&format!("/api/v1/persons/{id}/faces?limit=500"))
            .await;
        assert_eq!(s, 200, "{faces}");
        let ids = faces["items"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["insight_id"].as_i64()).collect())
            .unwrap_or_default();
        out.insert(id, ids);
    }
    out
}

/// The persons' writes (rename, merge, split, move a face) and reviews,
/// hammered the same way: hang-ups on half the persons, recording clients
/// on the other half, then a restart.
#[tokio::test]
async fn persons_and_reviews_survive_clients_hanging_up() {
    let dir = tempfile::tempdir().expect("tmp");
    let photos = face_photos(dir.path());
    for backend in backends() {
        persons_hammer(backend, &photos).await;
    }
}

async fn persons_hammer(backend: Backend, photos: &[std::path::PathBuf]) {
    let label = format!("{backend:?}");
    let mut app = spawn_with(Options {
        backend,
        models_dir: Some(test_models_dir().await),
        configure: Some(|c| c.database.max_connections = 4),
        ..Options::default()
    })
    .await;
    for p in photos {
        analysed(&app, p, "faces").await;
    }
    // Each face a person of its own (moved out: pinned, so clustering
    // leaves it there).
    let mut faces = Vec::new();
    for (_, ids) in faces_by_person(&app).await {
        for (i, f) in ids.iter().enumerate() {
            if i > 0 {
                let r = app
                    .client
                    .put(app.url(&format!("/api/v1/faces/{f}/person")))
                    .json(&json!({"person_id": null}))
                    .send()
                    .await
                    .expect("move");
                assert_eq!(r.status().as_u16(), 200, "{label}");
            }
            faces.push(*f);
        }
    }
    assert_eq!(faces.len(), 16, "{label}: the face model found {faces:?}");
    let person_of = |map: &HashMap<String, Vec<i64>>, f: i64| {
        map.iter()
            .find(|(_, fs)| fs.contains(&f))
            .map(|(p, _)| p.clone())
            .unwrap_or_default()
    };
    let before = faces_by_person(&app).await;
    assert_eq!(before.len(), 16, "{label}: {before:?}");
    faces.sort_unstable();
    // The hang-ups' half and the recorders' half.
    let (theirs, ours) = faces.split_at(8);
    let their_persons: Vec<String> = theirs.iter().map(|f| person_of(&before, *f)).collect();
    let our_persons: Vec<String> = ours.iter().map(|f| person_of(&before, *f)).collect();

    let addr = app.addr;
    let mut tasks = Vec::new();
    for c in 0..12u64 {
        let (theirs, their_persons) = (theirs.to_vec(), their_persons.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(100 + c);
            for i in 0..100 {
                let after = Duration::from_micros(rng.gen_range(100..1500));
                let p = &their_persons[rng.gen_range(0..8)];
                let q = &their_persons[rng.gen_range(0..8)];
                let f = theirs[rng.gen_range(0..8)];
                let (method, path, body) = match rng.gen_range(0..7) {
                    0 => (
                        "PATCH",
                        format!("/api/v1/persons/{p}"),
                        json!({"name": format!("h{c}-{i}")}),
                    ),
                    1 => (
                        "POST",
                        format!("/api/v1/persons/{p}/merge"),
                        json!({"from": q}),
                    ),
                    2 => (
                        "POST",
                        format!("/api/v1/persons/{p}/split"),
                        json!({"faces": [f]}),
                    ),
                    3 => (
                        "PUT",
                        format!("/api/v1/faces/{f}/person"),
                        json!({"person_id": q}),
                    ),
                    4 => (
                        "PUT",
                        format!("/api/v1/faces/{f}/person"),
                        json!({"person_id": null}),
                    ),
                    5 => (
                        "PATCH",
                        format!("/api/v1/insights/{f}"),
                        json!({"review": "rejected"}),
                    ),
                    _ => (
                        "PATCH",
                        format!("/api/v1/insights/{f}"),
                        json!({"review": null}),
                    ),
                };
                hang_up(addr, method, &path, body.to_string().as_bytes(), after).await;
            }
        }));
    }
    // Four recorders, each with two persons: renames and reviews, the last
    // acknowledged of each kept; then each merges its second person into
    // its first. A recorder is never answered a server error.
    #[derive(Default)]
    struct Recorded {
        names: HashMap<String, String>,
        reviews: HashMap<i64, Value>,
        merges: Vec<(String, String, i64)>,
        server_errors: Vec<String>,
    }
    let acked = Arc::new(Mutex::new(Recorded::default()));
    for c in 0..4usize {
        let acked = acked.clone();
        let mine = [
            (our_persons[2 * c].clone(), ours[2 * c]),
            (our_persons[2 * c + 1].clone(), ours[2 * c + 1]),
        ];
        let client = reqwest::Client::new();
        let url = move |p: &str| format!("http://{addr}{p}");
        // True when answered 2xx; a 5xx is kept to fail the test.
        let answered = {
            let acked = acked.clone();
            move |what: String, r: reqwest::Response| {
                let acked = acked.clone();
                async move {
                    let status = r.status();
                    if status.is_server_error() {
                        let text = r.text().await.unwrap_or_default();
                        acked
                            .lock()
                            .map(|mut a| a.server_errors.push(format!("{what}: {status} {text}")))
                            .ok();
                    }
                    status.is_success()
                }
            }
        };
        tasks.push(tokio::spawn(async move {
            for i in 0..25usize {
                for (k, (person, face)) in mine.iter().enumerate() {
                    let name = format!("r{c}-{k}-{i}");
                    let r = client
                        .patch(url(&format!("/api/v1/persons/{person}")))
                        .json(&json!({"name": name}))
                        .send()
                        .await;
                    if let Ok(r) = r {
                        if answered(format!("rename {person}"), r).await {
                            acked
                                .lock()
                                .map(|mut a| a.names.insert(person.clone(), name))
                                .ok();
                        }
                    }
                    // (Rejecting would take the face out of its person.)
                    let review = [json!("confirmed"), Value::Null][i % 2].clone();
                    let r = client
                        .patch(url(&format!("/api/v1/insights/{face}")))
                        .json(&json!({"review": review}))
                        .send()
                        .await;
                    if let Ok(r) = r {
                        if answered(format!("review {face}"), r).await {
                            acked
                                .lock()
                                .map(|mut a| a.reviews.insert(*face, review))
                                .ok();
                        }
                    }
                }
            }
            let ((first, _), (second, face)) = (&mine[0], &mine[1]);
            let r = client
                .post(url(&format!("/api/v1/persons/{first}/merge")))
                .json(&json!({"from": second}))
                .send()
                .await;
            if let Ok(r) = r {
                if answered(format!("merge {second} into {first}"), r).await {
                    acked
                        .lock()
                        .map(|mut a| a.merges.push((first.clone(), second.clone(), *face)))
                        .ok();
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    no_session_left_in_a_transaction(&app, backend).await;

    app.restart().await;
    let Recorded {
        names,
        reviews,
        merges,
        server_errors,
    } = std::mem::take(&mut *acked.lock().expect("lock"));
    assert!(server_errors.is_empty(), "{label}: {server_errors:#?}");
    assert_eq!(names.len(), 8, "{label}: the recorders got nothing through");
    assert_eq!(merges.len(), 4, "{label}: a recorder's merge failed");
    let after = faces_by_person(&app).await;
    for (first, second, face) in &merges {
        assert!(
            !after.contains_key(second),
            "{label}: merge acknowledged, yet {second} is still listed"
        );
        let (s, _) = app.get_json(&format!("/api/v1/persons/{second}")).await;
        assert_eq!(s, 404, "{label}: merged {second} answers");
        assert!(
            after.get(first).is_some_and(|fs| fs.contains(face)),
            "{label}: merge acknowledged, face {face} not in {first}: {after:?}"
        );
    }
    for (person, name) in &names {
        if merges.iter().any(|(_, second, _)| second == person) {
            continue;
        }
        let (s, p) = app.get_json(&format!("/api/v1/persons/{person}")).await;
        assert_eq!(s, 200, "{label}: {p}");
        assert_eq!(
            p["name"],
            name.as_str(),
            "{label}: rename acknowledged, then lost"
        );
    }
    // Reviews: as last acknowledged (a rejected face shows only when asked).
    let (_, list) = app.get_json("/api/v1/media?limit=100").await;
    let mut review_of = HashMap::new();
    for m in list["items"].as_array().cloned().unwrap_or_default() {
        let id = m["id"].as_str().unwrap_or_default();
        let (_, ins) = app
            .get_json(&format!(
                "/api/v1/media/{id}/insights?include_rejected=true"
            ))
            .await;
        for i in ins["items"].as_array().cloned().unwrap_or_default() {
            if let Some(n) = i["id"].as_i64() {
                review_of.insert(n, i["review"].clone());
            }
        }
    }
    // Every face in one listed person, but a rejected one in none.
    let mut seen: Vec<i64> = after.values().flatten().copied().collect();
    seen.sort_unstable();
    let placed: Vec<i64> = faces
        .iter()
        .copied()
        .filter(|f| review_of.get(f) != Some(&json!("rejected")))
        .collect();
    assert_eq!(seen, placed, "{label}: faces lost or doubled: {after:?}");
    for (face, review) in &reviews {
        assert_eq!(
            review_of.get(face),
            Some(review),
            "{label}: review of {face} acknowledged, then lost"
        );
    }
}
