//! The web UI: served by the server itself (embedded build, SPA fallback,
//! cache headers, precompressed files, `--webui-dir`), what it needs from
//! the API (the session cookie with its CSRF guard, byte ranges for the
//! player, thumbnails, the faces of a media, models), and the UI itself
//! driven in headless Chromium by ui/tests/e2e.test.mjs against a real
//! server with real models.
//!
//! The UI must be built first (`npm --prefix ui ci && npm --prefix ui run
//! build`; scripts/test.sh does): without it these tests fail and say so.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui")
}

/// The built UI's files; fails (not skips) when the UI was not built.
fn built_ui() -> PathBuf {
    let dist = ui_dir().join("dist");
    assert!(
        dist.join("index.html").is_file() && ui_dir().join("node_modules/playwright-core").is_dir(),
        "the web UI is not built: run `npm --prefix ui ci && npm --prefix ui run build` (scripts/test.sh does)"
    );
    dist
}

/// A hashed asset of the build with a given extension.
fn asset(ext: &str) -> String {
    let dir = built_ui().join("assets");
    std::fs::read_dir(&dir)
        .expect("ui/dist/assets")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .find(|n| n.ends_with(ext))
        .unwrap_or_else(|| panic!("no *{ext} in {}", dir.display()))
}

#[tokio::test]
async fn the_ui_is_served_with_deep_links_cache_headers_and_compression() {
    built_ui();
    let app = spawn_app().await;
    let client = &app.client;

    let root = client.get(app.url("/")).send().await.expect("get /");
    assert_eq!(root.status().as_u16(), 200);
    assert_eq!(root.headers()["cache-control"], "no-cache");
    assert!(root.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/html"));
    let etag = root.headers()["etag"].clone();
    let index = root.text().await.unwrap_or_default();
    assert!(index.contains("<div id=\"app\">"), "{index}");

    // A deep link is the same page (the UI routes it), revalidated by ETag.
    let deep = client
        .get(app.url("/media/01abc?t=12.5"))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .expect("deep link");
    assert_eq!(deep.status().as_u16(), 304);
    let deep = client
        .get(app.url("/persons/x"))
        .send()
        .await
        .expect("deep link");
    assert_eq!(deep.text().await.unwrap_or_default(), index);

    // Hashed assets: cached for a year, Brotli or gzip when accepted.
    let js = format!("/assets/{}", asset(".js"));
    let plain = client
        .get(app.url(&js))
        .header("accept-encoding", "identity")
        .send()
        .await
        .expect("js");
    assert_eq!(plain.status().as_u16(), 200);
    assert_eq!(
        plain.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .contains("javascript"));
    let plain = plain.bytes().await.unwrap_or_default();
    for (accept, encoding) in [("gzip, deflate, br", "br"), ("gzip", "gzip")] {
        let packed = client
            .get(app.url(&js))
            .header("accept-encoding", accept)
            .send()
            .await
            .expect("packed js");
        assert_eq!(packed.headers()["content-encoding"], encoding);
        assert_eq!(packed.headers()["vary"], "accept-encoding");
        let packed = packed.bytes().await.unwrap_or_default();
        assert!(
            packed.len() < plain.len() / 2,
            "{encoding}: {} of {}",
            packed.len(),
            plain.len()
        );
    }
    // A missing asset is a 404, not the page.
    let missing = client
        .get(app.url("/assets/gone-1234.js"))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status().as_u16(), 404);

    // The API keeps its paths and its error shape.
    let (status, body) = app.get_json("/api/v1/nothing-here").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let post = client.post(app.url("/media")).send().await.expect("post");
    assert_eq!(post.status().as_u16(), 404);
    let body: Value = post.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "not_found");
}

/// Every string of the UI is translated (ui/scripts/i18n-check.mjs, which
/// the UI's build runs too), and the check fails on what it is for: a
/// copy of the sources with English typed into a page, a German file that
/// lacks a key, and a placeholder German renamed.
#[tokio::test]
async fn the_ui_has_no_untranslated_string() {
    built_ui();
    let check = |src: &Path| {
        tokio::process::Command::new("node")
            .arg("scripts/i18n-check.mjs")
            .arg(src)
            .current_dir(ui_dir())
            .output()
    };
    let out = check(&ui_dir().join("src")).await.expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let copy = tempfile::tempdir().expect("tmp");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(ui_dir().join("src"))
        .arg(copy.path())
        .status()
        .expect("cp");
    assert!(status.success());
    let src = copy.path().join("src");
    let edit = |file: &str, from: &str, to: &str| {
        let path = src.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    edit(
        "pages/Ask.tsx",
        "<h1>{t('ask.title')}</h1>",
        "<h1>{t('ask.title')}</h1><p>Ask anything</p>",
    );
    edit(
        "pages/Search.tsx",
        "placeholder={t('search.placeholder')}",
        "placeholder=\"Type here\"",
    );
    edit(
        "locales/de/login.json",
        "\"apiKey\": \"API-Schlüssel\",",
        "",
    );
    edit(
        "locales/de/search.json",
        "Nichts gefunden für „{{q}}“.",
        "Nichts gefunden für „{{query}}“.",
    );
    let out = check(&src).await.expect("node");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    for want in [
        "pages/Ask.tsx",
        "\"Ask anything\" is not translated",
        "placeholder=\"Type here\" is not translated",
        "locales/de: login.apiKey is not translated",
        "locales/de: search.nothing has placeholders",
    ] {
        assert!(said.contains(want), "{want:?} not in:\n{said}");
    }
}

#[tokio::test]
async fn webui_dir_serves_a_folder_instead_of_the_built_in_ui() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("index.html"), "<p>a UI being worked on</p>").expect("write");
    std::fs::create_dir(dir.path().join("assets")).expect("mkdir");
    std::fs::write(dir.path().join("assets/app.js"), "console.log(1)").expect("write");
    let data = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_aima"))
        .args(["--data-dir"])
        .arg(data.path())
        .args([
            "serve",
            "--workers",
            "0",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--webui-dir",
        ])
        .arg(dir.path())
        .env("AIMA_CONFIG", "/nonexistent")
        .kill_on_drop(true)
        .spawn()
        .expect("aima serve");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.get(format!("{base}/readyz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "aima serve did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let page = client
        .get(format!("{base}/activity"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        page.text().await.unwrap_or_default(),
        "<p>a UI being worked on</p>"
    );
    let js = client
        .get(format!("{base}/assets/app.js"))
        .send()
        .await
        .expect("get");
    assert_eq!(js.text().await.unwrap_or_default(), "console.log(1)");
    server.kill().await.ok();

    // A folder without index.html is refused at start, with the reason.
    let empty = tempfile::tempdir().expect("tmp");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_aima"))
        .args(["--data-dir"])
        .arg(data.path())
        .args([
            "serve",
            "--workers",
            "0",
            "--listen",
            "127.0.0.1:0",
            "--webui-dir",
        ])
        .arg(empty.path())
        .env("AIMA_CONFIG", "/nonexistent")
        .output()
        .await
        .expect("aima serve");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no index.html"), "{err}");
}

#[tokio::test]
async fn a_session_cookie_signs_in_and_its_writes_need_the_csrf_header() {
    let app = spawn_with(Options {
        allow_anonymous: false,
        ..Options::default()
    })
    .await;
    let key = create_key(&app, "default");
    let client = &app.client;
    let sign_in = |k: &str, proto: Option<&str>| {
        let mut r = client
            .post(app.url("/api/v1/auth/session"))
            .json(&json!({"api_key": k}));
        if let Some(p) = proto {
            r = r.header("x-forwarded-proto", p);
        }
        r.send()
    };
    let (status, body) = app.get_json("/api/v1/auth/session").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("missing_api_key"))
    );
    let bad = sign_in("aima_0000", None).await.expect("sign in");
    assert_eq!(bad.status().as_u16(), 401);
    assert!(bad.headers().get("set-cookie").is_none());

    let ok = sign_in(&key, None).await.expect("sign in");
    assert_eq!(ok.status().as_u16(), 200);
    let cookie = ok.headers()["set-cookie"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    for part in ["aima_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let info: Value = ok.json().await.unwrap_or_default();
    assert_eq!(
        (
            &info["workspace"],
            &info["via"],
            &info["role"],
            &info["admin"]
        ),
        (
            &json!("default"),
            &json!("cookie"),
            &json!("admin"),
            &json!(true)
        ),
        "{info}"
    );
    // The cookie holds a session token of its own, never the key.
    assert!(!cookie.contains(&key), "{cookie}");
    let behind_tls = sign_in(&key, Some("https")).await.expect("sign in");
    assert!(behind_tls.headers()["set-cookie"]
        .to_str()
        .unwrap_or_default()
        .contains("; Secure"));

    let session = cookie.split(';').next().unwrap_or_default().to_string();
    // A request carrying only the session cookie, as the browser sends it.
    let with_cookie = |method: reqwest::Method, path: &str, cookie: &str| {
        client
            .request(method, app.url(path))
            .header("cookie", cookie.to_string())
    };
    let read = with_cookie(reqwest::Method::GET, "/api/v1/media", &session)
        .send()
        .await
        .expect("read");
    assert_eq!(read.status().as_u16(), 200);
    // A write with the cookie alone could come from another site's page.
    let forged = with_cookie(reqwest::Method::POST, "/api/v1/modes", &session)
        .json(&json!({"name": "focus"}))
        .send()
        .await
        .expect("write");
    assert_eq!(forged.status().as_u16(), 403);
    let body: Value = forged.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "forbidden");
    let write = with_cookie(reqwest::Method::POST, "/api/v1/modes", &session)
        .header("x-aima-csrf", "1")
        .json(&json!({"name": "focus"}))
        .send()
        .await
        .expect("write");
    assert_eq!(write.status().as_u16(), 201);

    let out = with_cookie(reqwest::Method::DELETE, "/api/v1/auth/session", &session)
        .send()
        .await
        .expect("sign out");
    assert_eq!(out.status().as_u16(), 204);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap_or_default()
        .contains("Max-Age=0"));
    // The session ended on the server: the same cookie, kept by someone
    // who copied it, no longer works; nor does a made-up one.
    for stale in [session.as_str(), "aima_session=aima_deadbeef"] {
        let r = with_cookie(reqwest::Method::GET, "/api/v1/media", stale)
            .send()
            .await
            .expect("read");
        assert_eq!(r.status().as_u16(), 401, "{stale}");
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "invalid_session");
    }
}

#[tokio::test]
async fn media_plays_in_ranges_and_has_a_thumbnail_on_local_and_s3_blobs() {
    let dir = tempfile::tempdir().expect("tmp");
    let video = scenes_video(dir.path(), "scenes.mp4", 1.0, "320x240");
    let bytes = std::fs::read(&video).expect("read");
    let size = bytes.len();
    let mut stores = vec![false];
    if s3_endpoint().is_some() {
        stores.push(true);
    }
    for s3 in stores {
        let app = spawn_with(Options {
            s3,
            models_dir: Some(test_models_dir().await),
            ..Options::default()
        })
        .await;
        let id = upload_only(&app, &video).await;
        let content = app.url(&format!("/api/v1/media/{id}/content"));
        let get = |range: Option<&str>| {
            let mut r = app.client.get(&content);
            if let Some(range) = range {
                r = r.header("range", range);
            }
            r.send()
        };
        let whole = get(None).await.expect("get");
        assert_eq!(whole.status().as_u16(), 200, "s3={s3}");
        assert_eq!(whole.headers()["content-type"], "video/mp4");
        assert_eq!(whole.headers()["accept-ranges"], "bytes");
        assert!(whole.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("inline;"));
        for (range, want) in [
            ("bytes=0-99", 0..100),
            ("bytes=1000-", 1000..size),
            ("bytes=-500", size - 500..size),
            (&format!("bytes=100-{}", size + 50), 100..size),
        ] {
            let part = get(Some(range)).await.expect("range");
            assert_eq!(part.status().as_u16(), 206, "{range} s3={s3}");
            assert_eq!(
                part.headers()["content-range"],
                format!("bytes {}-{}/{size}", want.start, want.end - 1).as_str()
            );
            let got = part.bytes().await.unwrap_or_default();
            assert_eq!(&got[..], &bytes[want], "{range} s3={s3}");
        }
        let outside = get(Some(&format!("bytes={size}-"))).await.expect("range");
        assert_eq!(outside.status().as_u16(), 416);
        let body: Value = outside.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "range_not_satisfiable");
        let download = app
            .client
            .get(format!("{content}?download=true"))
            .send()
            .await
            .expect("download");
        assert!(download.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment;"));

        // No keyframe yet: no thumbnail; after the keyframes stage, its first frame.
        let (status, body) = app.get_json(&format!("/api/v1/media/{id}/thumbnail")).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("artifact_not_found"))
        );
        let job = app
            .run_job(&id, json!("keyframes"), Duration::from_secs(120))
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");
        let thumb = app
            .client
            .get(app.url(&format!("/api/v1/media/{id}/thumbnail")))
            .send()
            .await
            .expect("thumbnail");
        assert_eq!(thumb.status().as_u16(), 200);
        assert_eq!(thumb.headers()["content-type"], "image/jpeg");
        let jpeg = thumb.bytes().await.unwrap_or_default();
        assert_eq!(&jpeg[..2], &[0xff, 0xd8], "a JPEG");
    }

    // A photo is its own thumbnail; its faces are listed with their person.
    let app = spawn_with_models(Backend::Sqlite).await;
    let photo = sample_image("astronaut.png");
    let id = analysed(&app, &photo, "faces").await;
    let thumb = app
        .client
        .get(app.url(&format!("/api/v1/media/{id}/thumbnail")))
        .send()
        .await
        .expect("thumbnail");
    assert_eq!(thumb.headers()["content-type"], "image/png");
    assert_eq!(
        thumb.bytes().await.unwrap_or_default().to_vec(),
        std::fs::read(&photo).expect("read")
    );
    let (status, faces) = app.get_json(&format!("/api/v1/media/{id}/faces")).await;
    assert_eq!(status, 200, "{faces}");
    let items = faces["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{faces}");
    let person = items[0]["person_id"].as_str().unwrap_or_default();
    let (_, p) = app.get_json(&format!("/api/v1/persons/{person}")).await;
    assert_eq!(p["faces"], 1, "{p}");
    let (status, _) = app.get_json("/api/v1/media/nope/faces").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn models_are_listed_and_pulled_in_the_background_by_admins() {
    let dir = tempfile::tempdir().expect("tmp");
    let weights = dir.path().join("tiny.onnx");
    std::fs::write(&weights, b"not really a model, but real bytes").expect("write");
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(std::fs::read(&weights).expect("read")));
    let entry = |name: &str, path: &str| aima_models::ModelEntry {
        name: name.into(),
        kind: aima_models::ModelKind::Vision,
        description: String::new(),
        license: "test".into(),
        files: vec![aima_models::ModelFile {
            name: "model.onnx".into(),
            size: 34,
            sources: vec![aima_models::Source::File {
                path: path.into(),
                sha256: sha.clone(),
            }],
            spec: None,
        }],
    };
    let app = spawn_with(Options {
        allow_anonymous: false,
        catalog: vec![
            entry("tiny-local", weights.to_str().unwrap_or_default()),
            entry("tiny-gone", "/nonexistent/tiny.onnx"),
        ],
        ..Options::default()
    })
    .await;
    let admin_key = create_key(&app, "default");
    let other_key = create_key(&app, "elsewhere");
    let call = |method: reqwest::Method, path: &str, key: &str| {
        app.client
            .request(method, app.url(path))
            .bearer_auth(key)
            .send()
    };
    let list = |key: String| {
        let r = call(reqwest::Method::GET, "/api/v1/models", &key);
        async move {
            let r = r.await.expect("list");
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or_default(),
            )
        }
    };
    let find = |v: &Value, name: &str| {
        v["items"]
            .as_array()
            .and_then(|a| a.iter().find(|m| m["name"] == name).cloned())
            .unwrap_or_default()
    };
    let (status, body) = list(other_key.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, body) = list(admin_key.clone()).await;
    assert_eq!(status, 200, "{body}");
    let tiny = find(&body, "tiny-local");
    assert_eq!(
        (tiny["state"].as_str(), tiny["kind"].as_str()),
        (Some("missing"), Some("vision"))
    );
    assert_eq!(
        find(&body, "smollm2-135m-instruct")["default"],
        true,
        "{body}"
    );
    assert_eq!(tiny["default"], false);

    let r = call(
        reqwest::Method::POST,
        "/api/v1/models/nope/pull",
        &admin_key,
    )
    .await
    .expect("pull");
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "model_not_found");
    let r = call(
        reqwest::Method::POST,
        "/api/v1/models/tiny-local/pull",
        &other_key,
    )
    .await
    .expect("pull");
    assert_eq!(r.status().as_u16(), 403);

    for (name, want) in [("tiny-local", "succeeded"), ("tiny-gone", "failed")] {
        let r = call(
            reqwest::Method::POST,
            &format!("/api/v1/models/{name}/pull"),
            &admin_key,
        )
        .await
        .expect("pull");
        assert_eq!(r.status().as_u16(), 202);
        let deadline = Instant::now() + Duration::from_secs(60);
        let model = loop {
            let (_, body) = list(admin_key.clone()).await;
            let m = find(&body, name);
            if m["pull"]["state"] != "running" {
                break m;
            }
            assert!(
                Instant::now() < deadline,
                "the pull of {name} did not end: {m}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(model["pull"]["state"], want, "{model}");
        if want == "succeeded" {
            assert_eq!(model["state"], "installed", "{model}");
        } else {
            assert!(
                model["pull"]["error"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("nonexistent"),
                "{model}"
            );
            assert_eq!(model["state"], "missing");
        }
    }
}

/// The language the browser suite runs in: its talk's sentences (each
/// says "budget" or "Berlin" where the suite looks for them) and slide.
struct UiLanguage {
    code: &'static str,
    voice: &'static str,
    sentences: [&'static str; 4],
    slide: &'static str,
}

const ENGLISH: UiLanguage = UiLanguage {
    code: "en",
    voice: "en-us",
    sentences: [
        "Welcome to the quarterly review.",
        "The budget for April was approved by the board.",
        "Next we talk about the new office in Berlin.",
        "Thank you all for listening.",
    ],
    slide: "Budget approved for April",
};

const GERMAN: UiLanguage = UiLanguage {
    code: "de",
    voice: "de",
    sentences: [
        "Willkommen zum Quartalsbericht.",
        "Das Budget für April wurde vom Vorstand genehmigt.",
        "Als Nächstes sprechen wir über das neue Büro in Berlin.",
        "Vielen Dank fürs Zuhören.",
    ],
    slide: "Budget im April genehmigt",
};

/// A talk: espeak-ng reads four sentences, a pause after each, over a
/// white slide with a title (so the transcript has a segment per sentence,
/// whichever Whisper model hears it).
fn talk_video(dir: &Path, language: &UiLanguage) -> PathBuf {
    let lines = language.sentences.map(|s| (language.voice, s));
    let (wav, _) = read_aloud(dir, "talk", &lines);
    captioned_talk(&wav, language.slide, &dir.join("talk.mp4"))
}

/// Yesterday (UTC) 08:00 to 09:40 in an editor, labelled `work`; 09:40 to
/// 11:20 in a video call, left for the UI to label `meeting`.
async fn record_a_day(app: &TestApp) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    // 08:00 UTC of yesterday, in Unix seconds.
    let day_start = (now / 86_400 - 1) * 86_400;
    let start = day_start + 8 * 3600;
    let at = |minutes: i64| (start + minutes * 60) * 1000;
    let records: Vec<Value> = (0..200)
        .map(|i| {
            let meeting = i >= 100;
            json!({
                "timestamp": rfc3339(at(i)),
                "application": if meeting { "zoom" } else { "code" },
                "window_title": if meeting { "Weekly sync - Zoom" } else { "main.rs - editor" },
                "duration": 60,
            })
        })
        .collect();
    let r = app
        .client
        .post(app.url("/log_activity"))
        .json(&records)
        .send()
        .await
        .expect("log");
    assert!(r.status().is_success(), "{}", r.status());
    for mode in ["work", "meeting"] {
        let r = app
            .client
            .post(app.url("/api/v1/modes"))
            .json(&json!({"name": mode}))
            .send()
            .await
            .expect("mode");
        assert_eq!(r.status().as_u16(), 201);
    }
    let r = app
        .client
        .post(app.url("/api/v1/activity/labels"))
        .json(&json!({"mode": "work", "start": rfc3339(at(0)), "end": rfc3339(at(100))}))
        .send()
        .await
        .expect("label");
    let labelled: Value = r.json().await.unwrap_or_default();
    assert_eq!(labelled["labelled"], 100, "{labelled}");
    rfc3339(day_start * 1000)[..10].to_string()
}

/// Unix milliseconds as RFC 3339 in UTC, as a user's watcher would send them.
fn rfc3339(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + Duration::from_millis(ms as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

#[tokio::test]
async fn the_ui_in_chromium_in_english() {
    ui_suite(&ENGLISH).await;
}

#[tokio::test]
async fn the_ui_in_chromium_in_german() {
    ui_suite(&GERMAN).await;
}

/// ui/tests/e2e.test.mjs in a browser of one language, against servers of
/// its own (the suite changes what it finds: merges, labels, deletes).
async fn ui_suite(language: &UiLanguage) {
    built_ui();
    let dir = tempfile::tempdir().expect("tmp");
    let video = talk_video(dir.path(), language);
    let app = spawn_with(Options {
        models_dir: Some(test_models_dir().await),
        default_pipeline: ["probe", "keyframes", "transcribe", "ocr"]
            .map(String::from)
            .to_vec(),
        // The CPU's busy time priced at one euro a second against a budget
        // of half a euro: spent within the suite's first analyses, so the
        // admin page shows the month's cost and its banner.
        configure: Some(|c| {
            c.billing.price_per_hour.insert("cpu".into(), 3600.0);
            c.billing.monthly_budget = 0.5;
            c.billing.interval_ms = 200;
        }),
        ..Options::default()
    })
    .await;
    let face_media = analysed(&app, &sample_image("astronaut.png"), "faces").await;
    analysed(&app, &sample_image("camera.png"), "faces").await;
    let day = record_a_day(&app).await;
    // With the models and a default pipeline: the media the key's session
    // uploads has insights, so the viewer's page would show their review
    // buttons if it showed write controls at all.
    let locked = spawn_with(Options {
        allow_anonymous: false,
        models_dir: Some(test_models_dir().await),
        default_pipeline: ["probe", "keyframes", "transcribe"]
            .map(String::from)
            .to_vec(),
        ..Options::default()
    })
    .await;
    // Analyzers of the default pipeline without their models: the upload
    // page names them, and an admin pulls them there (CLIP's stand-in
    // installs; the object model's only source is gone).
    let built = dir.path().join("built");
    std::fs::create_dir_all(&built).expect("dir");
    let missing = spawn_with(Options {
        models_dir: Some(own_models_dir(&dir.path().join("models")).await),
        catalog: vec![
            clip_stand_in(&built, "clip-vit-b32"),
            unreachable_model("objects-dfine-n"),
        ],
        default_pipeline: ["probe", "keyframes", "objects", "clip"]
            .map(String::from)
            .to_vec(),
        ..Options::default()
    })
    .await;
    let key = create_key(&locked, "default");
    let r = locked
        .client
        .post(locked.url("/api/v1/users"))
        .bearer_auth(&key)
        .json(&json!({"name": "vera", "password": "vera's password", "role": "viewer"}))
        .send()
        .await
        .expect("a viewer");
    assert_eq!(r.status().as_u16(), 201);
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("webui-screenshots")
        .join(language.code);

    let out = tokio::process::Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "--test-timeout=900000",
            "tests/",
        ])
        .current_dir(ui_dir())
        .env("AIMA_URL", format!("http://{}", app.addr))
        .env("AIMA_LOCKED_URL", format!("http://{}", locked.addr))
        .env("AIMA_LOCKED_KEY", &key)
        .env("AIMA_MISSING_URL", format!("http://{}", missing.addr))
        .env("AIMA_LOCKED_VIEWER", "vera")
        .env("AIMA_LOCKED_PASSWORD", "vera's password")
        .env("AIMA_VIDEO", &video)
        .env("AIMA_FACE_MEDIA", &face_media)
        .env("AIMA_DAY", &day)
        .env("AIMA_SHOTS", &shots)
        .env("AIMA_UI_LANG", language.code)
        .env("AIMA_SLIDE", language.slide)
        .output()
        .await
        .expect("node (the test command installs it)");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the UI tests ({}) failed:\n{report}",
        language.code
    );
    // Every test of the file ran and passed: as many as it declares (a
    // test that never started, or a suite cut short, fails here).
    let declared = std::fs::read_to_string(ui_dir().join("tests/e2e.test.mjs"))
        .expect("the UI tests")
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("test('") || l.starts_with("test(\"")
        })
        .count();
    let count = |what: &str| {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("ℹ {what} ")))
            .and_then(|n| n.trim().parse::<usize>().ok())
    };
    assert!(declared >= 18, "{declared} tests declared");
    assert_eq!(count("tests"), Some(declared), "{report}");
    assert_eq!(count("pass"), Some(declared), "{report}");
    assert_eq!(count("fail"), Some(0), "{report}");
    assert_eq!(count("skipped"), Some(0), "{report}");
    eprintln!("UI screenshots: {}", shots.display());
}
