//! The API as a contract (issue 19): the committed OpenAPI document
//! validates as OpenAPI 3.1; schemathesis, run with every check against a
//! real server on SQLite, with a key and without, finds nothing beyond the
//! accepted baseline; each bad input of the issue is the documented JSON
//! error.

use std::path::PathBuf;

use serde_json::Value;

use crate::helpers::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test]
async fn the_committed_document_validates_as_openapi_3_1() {
    let doc = repo().join("docs/openapi.json");
    let out = tokio::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&doc)
        .output()
        .await
        .expect("python3 -m openapi_spec_validator (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Unique operation ids, one per operation: clients are named after them.
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(&doc).unwrap_or_default())
        .unwrap_or_default();
    let mut ids = Vec::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            ids.push(op["operationId"].as_str().unwrap_or_default().to_string());
        }
    }
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "operation ids repeat");
    assert!(ids.iter().all(|i| !i.is_empty()), "an operation has no id");
}

/// Runs schemathesis with every check (stateful phase included) and a fixed
/// seed; what it may still report is listed, each with its reason, in
/// `tests/schemathesis-baseline.json`.
async fn schemathesis(app: &TestApp, key: Option<&str>) -> (bool, String) {
    let baseline = repo().join("crates/aima/tests/schemathesis-baseline.json");
    let mut cmd = tokio::process::Command::new("st");
    cmd.arg("run")
        .arg(app.url("/api/v1/openapi.json"))
        .args(["--checks", "all", "--max-examples", "25", "--seed", "1"])
        // One worker: several threads trip a thread-safety bug of Python
        // 3.11's ast module inside hypothesis (a "Runtime Error", not a finding).
        .args(["--workers", "1", "--no-shrink", "--warnings", "off"])
        .arg("--baseline")
        .arg(&baseline)
        // Set by a person accepting a new finding (then given its reason in
        // the file): `AIMA_ST_BASELINE_UPDATE=1 cargo test ... contract::`.
        .args(std::env::var_os("AIMA_ST_BASELINE_UPDATE").map(|_| "--baseline-update"))
        .env("NO_COLOR", "1")
        .current_dir(app.data.path());
    if let Some(k) = key {
        cmd.args(["--header", &format!("Authorization: Bearer {k}")]);
    }
    let out = cmd
        .output()
        .await
        .expect("st (schemathesis; scripts/test.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn schemathesis_with_every_check_finds_nothing_new() {
    let app = spawn_with(Options {
        allow_anonymous: false,
        ..Options::default()
    })
    .await;
    let key = create_key(&app, "default");
    // A key of each narrower role, made over the API by the admin key.
    let mut narrower = Vec::new();
    for role in ["editor", "viewer"] {
        let r = app
            .client
            .post(app.url("/api/v1/keys"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"name": role, "role": role}))
            .send()
            .await
            .expect("a key");
        let v: Value = r.json().await.unwrap_or_default();
        narrower.push(v["key"].as_str().unwrap_or_default().to_string());
    }
    let spec: Value = app.get_json("/api/v1/openapi.json").await.1;
    let operations: usize = spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .map(|item| item.as_object().map(|o| o.len()).unwrap_or(0))
        .sum();
    // As admin, editor, viewer and nobody: no 5xx, and every answer
    // (a role's 403 included) is one the document lists.
    for (who, key) in [
        ("admin", Some(key.as_str())),
        ("editor", Some(narrower[0].as_str())),
        ("viewer", Some(narrower[1].as_str())),
        ("nobody", None),
    ] {
        let (ok, text) = schemathesis(&app, key).await;
        let summary = text.split("SUMMARY").last().unwrap_or_default().to_string();
        let cases = summary
            .lines()
            .find(|l| l.contains(" generated"))
            .unwrap_or_default()
            .trim()
            .to_string();
        eprintln!("schemathesis as {who}: {cases}");
        assert!(ok, "schemathesis (as {who}):\n{text}");
        assert!(
            summary.contains(&format!("Tested: {operations}")),
            "every operation tested:\n{summary}"
        );
    }
    // The server is still up and answering.
    let r = app
        .client
        .get(app.url("/api/v1/media"))
        .bearer_auth(create_key(&app, "default"))
        .send()
        .await
        .expect("media");
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn each_bad_input_is_the_documented_json_error() {
    let app = spawn_with(Options {
        allow_anonymous: false,
        ..Options::default()
    })
    .await;
    let key = create_key(&app, "default");
    let c = &app.client;
    let get = |path: &str| c.get(app.url(path)).bearer_auth(&key);
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "negative limit",
            get("/api/v1/persons?limit=-1"),
            400,
            "invalid_parameter",
        ),
        (
            "zero limit",
            get("/api/v1/media?limit=0"),
            400,
            "invalid_parameter",
        ),
        (
            "huge limit",
            get("/api/v1/jobs?limit=99999999999"),
            400,
            "invalid_parameter",
        ),
        (
            "non-numeric limit",
            get("/api/v1/media?limit=ten"),
            400,
            "invalid_parameter",
        ),
        (
            "cursor not hex",
            get("/api/v1/media?cursor=zz"),
            400,
            "invalid_parameter",
        ),
        (
            "a media cursor on events",
            get("/api/v1/activity?cursor=3132333a616263"),
            400,
            "invalid_parameter",
        ),
        (
            "unknown query parameter",
            get("/api/v1/media?colour=red"),
            400,
            "invalid_parameter",
        ),
        (
            "id beyond i64",
            get("/api/v1/modes/models/9223372036854775808"),
            400,
            "invalid_parameter",
        ),
        (
            "path id with %00",
            get("/api/v1/media/a%00b"),
            404,
            "media_not_found",
        ),
        (
            "path id with ..",
            get("/api/v1/media/..%2F..%2Fetc"),
            404,
            "media_not_found",
        ),
        ("path with /", get("/api/v1/media/a/b"), 404, "not_found"),
        (
            "empty path id",
            get("/api/v1/media//insights"),
            404,
            "media_not_found",
        ),
        (
            "not JSON",
            c.post(app.url("/api/v1/modes"))
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body("{"),
            400,
            "invalid_json",
        ),
        (
            "JSON of the wrong type",
            c.post(app.url("/api/v1/modes"))
                .bearer_auth(&key)
                .json(&serde_json::json!({"name": 5})),
            400,
            "invalid_json",
        ),
        (
            "JSON too deep",
            c.post(app.url("/api/v1/modes"))
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body(format!("{}{}", "[".repeat(5000), "]".repeat(5000))),
            400,
            "invalid_json",
        ),
        (
            "JSON too large",
            c.post(app.url("/api/v1/modes"))
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body(format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024))),
            413,
            "payload_too_large",
        ),
        (
            "wrong content type",
            c.post(app.url("/api/v1/modes"))
                .bearer_auth(&key)
                .header("content-type", "text/plain")
                .body("{\"name\": \"x\"}"),
            415,
            "unsupported_content_type",
        ),
        ("unknown route", get("/api/v1/nothing"), 404, "not_found"),
        (
            "wrong method",
            c.put(app.url("/api/v1/media")).bearer_auth(&key),
            405,
            "method_not_allowed",
        ),
        (
            "no key",
            c.get(app.url("/api/v1/media")),
            401,
            "missing_api_key",
        ),
    ];
    for (what, req, status, code) in cases {
        let r = req.send().await.expect(what);
        assert_eq!(r.status().as_u16(), status, "{what}");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(ct.starts_with("application/json"), "{what}: {ct}");
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
    }
    // Empty optional parameters are absent, as the document says.
    let r = get("/api/v1/media?cursor=&limit=&order=&kind=")
        .send()
        .await
        .expect("empty");
    assert_eq!(r.status().as_u16(), 200);
    // Nothing was written by any of them.
    let (_, modes) = {
        let r = get("/api/v1/modes").send().await.expect("modes");
        (r.status(), r.json::<Value>().await.unwrap_or_default())
    };
    assert_eq!(modes["items"].as_array().map(Vec::len), Some(0), "{modes}");
}

/// The Python client generated from the committed document
/// (`clients/python`, by `scripts/gen-clients.sh`) drives one real flow
/// against a running server: upload a talk, wait for its job, list its
/// insights, fetch the transcript as WebVTT (`tests/client_flow.py`).
#[tokio::test]
async fn the_generated_python_client_uploads_waits_and_reads_the_transcript() {
    let app = spawn_with(Options {
        allow_anonymous: false,
        models_dir: Some(test_models_dir().await),
        ..Options::default()
    })
    .await;
    let key = create_key(&app, "default");
    let dir = app.data.path();
    let text = "Please open the shared document and read the first page.";
    let wav = speak(dir, "talk.wav", "en-us", text);
    let video = talking_video(&wav, &dir.join("talk.mp4"));
    let out = tokio::process::Command::new("python3")
        .arg(repo().join("crates/aima/tests/client_flow.py"))
        .arg(format!("http://{}", app.addr))
        .arg(&key)
        .arg(&video)
        .env("PYTHONPATH", repo().join("clients/python"))
        .output()
        .await
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.trim()).unwrap_or_default();
    assert_eq!(seen["created"], true, "{seen}");
    assert_eq!(seen["state"], "succeeded", "{seen}");
    assert_eq!(
        seen["analyzers"],
        serde_json::json!(["probe", "transcribe"])
    );
    assert!(
        seen["transcribe_insights"].as_u64().unwrap_or(0) >= 1,
        "{seen}"
    );
    assert_eq!(seen["vtt_status"], 200);
    assert!(
        seen["vtt_type"]
            .as_str()
            .unwrap_or_default()
            .starts_with("text/vtt"),
        "{seen}"
    );
    let vtt = seen["vtt"].as_str().unwrap_or_default();
    assert!(vtt.starts_with("WEBVTT"), "{vtt}");
    assert!(vtt.contains("-->"), "{vtt}");
    let heard = vtt.to_lowercase();
    assert!(
        ["shared", "document", "first page"]
            .iter()
            .all(|w| heard.contains(w)),
        "{vtt}"
    );
}
