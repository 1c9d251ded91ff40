//! Each bad input: a clear error with a stable code, nothing stored, the server still up.

use serde_json::Value;

use crate::helpers::*;

pub(crate) async fn expect_error(r: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(r.status().as_u16(), status, "expected {code}");
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["error"]["code"], code, "{v}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty());
    // An error says what, not where on the server.
    assert!(!names_a_path(message), "{v}");
    v
}

/// Whether text names a path of the server: a blob key, or an absolute
/// path of two or more segments outside the API's own routes.
pub(crate) fn names_a_path(text: &str) -> bool {
    text.contains("sha256/")
        || text
            .split(|c: char| c.is_whitespace() || "'\"()[]{},;`".contains(c))
            .any(|t| {
                t.starts_with('/')
                    && t[1..].contains('/')
                    && !["/api/", "/v1/", "/log_activity"]
                        .iter()
                        .any(|p| t.starts_with(p))
            })
}

pub(crate) async fn nothing_stored(app: &TestApp) {
    let (_, list) = app.get_json("/api/v1/media").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
    let blobs = files_under(&app.config.blobs_dir());
    assert!(blobs.is_empty(), "left on disk: {blobs:?}");
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bad_uploads() {
    let app = spawn_app().await;
    let dir = app.data.path();
    let post = |query: &str, body: Vec<u8>| {
        app.client
            .post(app.url(&format!("/api/v1/media{query}")))
            .body(body)
            .send()
    };

    expect_error(post("", vec![]).await.expect("empty"), 400, "empty_upload").await;
    expect_error(
        post("", b"just some text, not a video\n".repeat(10))
            .await
            .expect("text"),
        415,
        "unsupported_media",
    )
    .await;

    // A truncated MP4 (the index is at the end, as ffmpeg writes by default).
    let video = scenes_video(dir, "t.mp4", 1.0, "160x120");
    let bytes = std::fs::read(&video).unwrap_or_default();
    let v = expect_error(
        post("", bytes[..bytes.len() / 2].to_vec())
            .await
            .expect("truncated"),
        415,
        "unsupported_media",
    )
    .await;
    assert!(v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("not a readable"));

    for name in [
        "../../etc/passwd.mp4",
        "a/b.mp4",
        "bad%00name.mp4",
        "line%0Abreak.mp4",
        "tab%09.mp4",
    ] {
        expect_error(
            post(&format!("?filename={name}"), bytes.clone())
                .await
                .expect("name"),
            400,
            "invalid_filename",
        )
        .await;
    }
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.clone()).file_name("../evil.mp4"),
    );
    expect_error(
        app.client
            .post(app.url("/api/v1/media"))
            .multipart(form)
            .send()
            .await
            .expect("mp"),
        400,
        "invalid_filename",
    )
    .await;
    let form = reqwest::multipart::Form::new().text("note", "no file here");
    expect_error(
        app.client
            .post(app.url("/api/v1/media"))
            .multipart(form)
            .send()
            .await
            .expect("mp"),
        400,
        "bad_request",
    )
    .await;

    expect_error(
        post("?pipeline=probe,teleport", bytes.clone())
            .await
            .expect("p"),
        400,
        "unknown_analyzer",
    )
    .await;
    expect_error(
        post("?pipeline=probe,probe", bytes.clone())
            .await
            .expect("p"),
        400,
        "invalid_pipeline",
    )
    .await;
    expect_error(
        post("?pipeline=,", bytes.clone()).await.expect("p"),
        400,
        "invalid_pipeline",
    )
    .await;
    let wav = wav_audio(dir, "a.wav", 1);
    let audio = std::fs::read(&wav).unwrap_or_default();
    expect_error(
        post("?pipeline=keyframes", audio).await.expect("p"),
        400,
        "analyzer_not_applicable",
    )
    .await;
    nothing_stored(&app).await;
}

#[tokio::test]
async fn uploads_over_the_limit_are_stopped_while_streaming() {
    let app = spawn_with(Options {
        max_upload_bytes: 100_000,
        ..Options::default()
    })
    .await;
    let big = vec![7u8; 300_000];
    // With a Content-Length: refused before reading.
    let r = app
        .client
        .post(app.url("/api/v1/media"))
        .body(big.clone())
        .send()
        .await
        .expect("big");
    expect_error(r, 413, "payload_too_large").await;
    // Chunked, no length: refused once the limit is crossed.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(16 * 1024).map(|c| Ok(c.to_vec())).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    match app
        .client
        .post(app.url("/api/v1/media"))
        .body(body)
        .send()
        .await
    {
        Ok(r) => {
            expect_error(r, 413, "payload_too_large").await;
        }
        // The server may answer and close before the client finished sending.
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    // Multipart, a file just over the limit.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![1u8; 100_001]).file_name("x.bin"),
    );
    let r = app
        .client
        .post(app.url("/api/v1/media"))
        .multipart(form)
        .send()
        .await
        .expect("mp");
    expect_error(r, 413, "payload_too_large").await;
    nothing_stored(&app).await;
}

#[tokio::test]
async fn bad_requests_elsewhere() {
    let app = spawn_app().await;
    let json = |body: &str| {
        app.client
            .post(app.url("/api/v1/jobs"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    expect_error(json("{not json").await.expect("j"), 400, "invalid_json").await;
    expect_error(
        json("{\"media_id\": 5}").await.expect("j"),
        400,
        "invalid_json",
    )
    .await;
    expect_error(
        json("{\"media_id\": \"nope\", \"pipeline\": \"probe\"}")
            .await
            .expect("j"),
        404,
        "media_not_found",
    )
    .await;
    let r = app
        .client
        .post(app.url("/api/v1/jobs"))
        .body("x")
        .send()
        .await
        .expect("no ctype");
    expect_error(r, 415, "unsupported_content_type").await;

    let image = png_image(app.data.path(), "i.png");
    let media: Value = app
        .upload(&image, "")
        .await
        .json()
        .await
        .unwrap_or_default();
    let mid = media["id"].as_str().unwrap_or_default();
    expect_error(json(&format!("{{\"media_id\": \"{mid}\", \"pipeline\": [{{\"name\": \"keyframes\", \"options\": {{\"max_frames\": 0}}}}]}}")).await.expect("j"), 400, "invalid_pipeline").await;
    expect_error(
        json(&format!(
            "{{\"media_id\": \"{mid}\", \"pipeline\": \"nope\"}}"
        ))
        .await
        .expect("j"),
        400,
        "unknown_analyzer",
    )
    .await;
    expect_error(
        json(&format!("{{\"media_id\": \"{mid}\", \"pipeline\": []}}"))
            .await
            .expect("j"),
        400,
        "invalid_pipeline",
    )
    .await;

    for (path, code) in [
        ("/api/v1/media/does-not-exist", "media_not_found"),
        ("/api/v1/media/does-not-exist/insights", "media_not_found"),
        ("/api/v1/jobs/does-not-exist", "job_not_found"),
        ("/api/v1/jobs/does-not-exist/events", "job_not_found"),
        (
            &format!("/api/v1/media/{mid}/artifacts/x/..%2F..%2Faima.db"),
            "artifact_not_found",
        ),
        ("/api/v1/nothing-here", "not_found"),
    ] {
        expect_error(
            app.client.get(app.url(path)).send().await.expect("get"),
            404,
            code,
        )
        .await;
    }
    for q in [
        "limit=0",
        "limit=9999",
        "cursor=zz",
        "kind=text",
        "order=sideways",
        "created_after=yesterday",
    ] {
        expect_error(
            app.client
                .get(app.url(&format!("/api/v1/media?{q}")))
                .send()
                .await
                .expect("get"),
            400,
            "invalid_parameter",
        )
        .await;
    }
    expect_error(
        app.client
            .get(app.url(&format!("/api/v1/media/{mid}/insights?from=abc")))
            .send()
            .await
            .expect("get"),
        400,
        "invalid_parameter",
    )
    .await;
    expect_error(
        app.client
            .put(app.url("/api/v1/media"))
            .send()
            .await
            .expect("put"),
        405,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn ten_concurrent_identical_uploads_make_one_media() {
    let app = spawn_app().await;
    let video = scenes_video(app.data.path(), "same.mp4", 1.0, "160x120");
    let bytes = std::fs::read(&video).unwrap_or_default();
    let uploads = (0..10).map(|_| {
        let req = app
            .client
            .post(app.url("/api/v1/media?pipeline=probe"))
            .body(bytes.clone());
        async move {
            let r = req.send().await.expect("upload");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or_default())
        }
    });
    let results = futures::future::join_all(uploads).await;
    let ids: std::collections::HashSet<String> = results
        .iter()
        .map(|(_, v)| v["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    assert_eq!(results.iter().filter(|(s, _)| *s == 200).count(), 9);
    let (_, list) = app.get_json("/api/v1/media").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    // One stored copy of the bytes, no staging files left.
    let files = files_under(&app.config.blobs_dir());
    assert_eq!(
        files
            .iter()
            .filter(|p| p.to_string_lossy().contains("/media/sha256/"))
            .count(),
        1,
        "{files:?}"
    );
    assert!(
        !files
            .iter()
            .any(|p| p.to_string_lossy().contains(".staging")),
        "{files:?}"
    );
}
