use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn other_workspaces_see_nothing() {
    let app = spawn_app().await;
    let key_a = create_key(&app, "team-a");
    let key_b = create_key(&app, "team-b");
    let video = scenes_video(app.data.path(), "w.mp4", 1.0, "160x120");
    let bytes = std::fs::read(&video).unwrap_or_default();
    let r = app
        .client
        .post(app.url("/api/v1/media?pipeline=probe"))
        .bearer_auth(&key_a)
        .body(bytes.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap_or_default();
    let (id, job) = (
        v["id"].as_str().unwrap_or_default(),
        v["job_id"].as_str().unwrap_or_default(),
    );
    assert_eq!(v["media"]["workspace"], "team-a");
    for _ in 0..600 {
        let j: Value = app
            .client
            .get(app.url(&format!("/api/v1/jobs/{job}")))
            .bearer_auth(&key_a)
            .send()
            .await
            .expect("job")
            .json()
            .await
            .unwrap_or_default();
        if j["state"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // team-b, and the anonymous default workspace, see 404s and empty lists.
    for auth in [Some(&key_b), None] {
        let get = |path: String| {
            let mut rb = app.client.get(app.url(&path));
            if let Some(k) = auth {
                rb = rb.bearer_auth(k);
            }
            rb.send()
        };
        for path in [
            format!("/api/v1/media/{id}"),
            format!("/api/v1/media/{id}/insights"),
            format!("/api/v1/media/{id}/content"),
            format!("/api/v1/jobs/{job}"),
            format!("/api/v1/jobs/{job}/events"),
        ] {
            let r = get(path.clone()).await.expect("get");
            assert_eq!(r.status().as_u16(), 404, "{path} visible to {auth:?}");
            let body: Value = r.json().await.unwrap_or_default();
            assert!(body["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .ends_with("not_found"));
            assert!(!body.to_string().contains("team-a"));
        }
        for path in ["/api/v1/media", "/api/v1/jobs"] {
            let body: Value = get(path.to_string())
                .await
                .expect("list")
                .json()
                .await
                .unwrap_or_default();
            assert_eq!(
                body["items"].as_array().map(Vec::len),
                Some(0),
                "{path}: {body}"
            );
        }
        let mut del = app.client.delete(app.url(&format!("/api/v1/media/{id}")));
        let mut cancel = app
            .client
            .post(app.url(&format!("/api/v1/jobs/{job}/cancel")));
        if let Some(k) = auth {
            del = del.bearer_auth(k);
            cancel = cancel.bearer_auth(k);
        }
        assert_eq!(del.send().await.expect("delete").status().as_u16(), 404);
        assert_eq!(cancel.send().await.expect("cancel").status().as_u16(), 404);
    }
    // The same bytes in team-b are team-b's own media.
    let r = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&key_b)
        .body(bytes)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap_or_default();
    assert_ne!(v["id"].as_str().unwrap_or_default(), id);
    // And team-a still has its media.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/media/{id}")))
        .bearer_auth(&key_a)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);

    // Usage: each workspace sees the busy time of its own jobs, and only an
    // admin workspace's key (`default` here) sees every worker's.
    let usage = |key: String| {
        let req = app
            .client
            .get(app.url("/api/v1/usage?days=1"))
            .bearer_auth(key);
        async move {
            let r = req.send().await.expect("usage");
            assert_eq!(r.status().as_u16(), 200);
            r.json::<Value>().await.unwrap_or_default()
        }
    };
    let seconds = |u: &Value| -> f64 {
        u["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["seconds"].as_f64())
            .sum()
    };
    let a = usage(key_a.clone()).await;
    assert!(seconds(&a) > 0.0, "team-a's probe job took time: {a}");
    assert!(a["server"].is_null(), "{a}");
    assert!(!a.to_string().contains("worker"), "no worker named: {a}");
    let b = usage(key_b.clone()).await;
    assert_eq!(seconds(&b), 0.0, "team-b ran nothing: {b}");
    assert!(b["server"].is_null(), "{b}");
    let admin = usage(create_key(&app, "default")).await;
    let server: f64 = admin["server"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["seconds"].as_f64())
        .sum();
    assert!(server >= seconds(&a), "{admin}");
    for key in [&key_a, &key_b] {
        let r = app
            .client
            .get(app.url("/api/v1/workers"))
            .bearer_auth(key)
            .send()
            .await
            .expect("workers");
        assert_eq!(r.status().as_u16(), 403);
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "forbidden");
    }
}

#[tokio::test]
async fn keys_are_required_when_anonymous_access_is_off() {
    let app = spawn_with(Options {
        allow_anonymous: false,
        ..Options::default()
    })
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/media"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 401);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["error"]["code"], "missing_api_key");
    for bad in ["Bearer aima_wrong", "Basic abc", "Bearer "] {
        let r = app
            .client
            .get(app.url("/api/v1/media"))
            .header("authorization", bad)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 401, "{bad}");
        let v: Value = r.json().await.unwrap_or_default();
        assert_eq!(v["error"]["code"], "invalid_api_key", "{bad}");
    }
    let key = create_key(&app, "default");
    let r = app
        .client
        .get(app.url("/api/v1/media"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    // Health and metrics stay open for probes.
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("h")
            .status()
            .as_u16(),
        200
    );
}
