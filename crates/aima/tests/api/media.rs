use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn upload_video_probe_and_keyframes() {
    let app = spawn_app().await;
    let video = scenes_video(app.data.path(), "scenes.mp4", 2.0, "320x240");
    let r = app
        .upload(&video, "?pipeline=probe,keyframes&filename=scenes.mp4")
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap_or_default();
    let media_id = body["id"].as_str().unwrap_or_default().to_string();
    let job_id = body["job_id"].as_str().unwrap_or_default().to_string();
    assert!(!media_id.is_empty() && !job_id.is_empty(), "{body}");
    assert_eq!(body["media"]["kind"], "video");
    assert_eq!(body["media"]["width"], 320);
    assert_eq!(body["media"]["filename"], "scenes.mp4");
    let duration = body["media"]["duration"].as_f64().unwrap_or_default();
    assert!((duration - 6.0).abs() < 0.2, "duration {duration}");

    let job = app.wait_job(&job_id, Duration::from_secs(60)).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(job["progress"], 1.0);
    assert!(job["stages"]
        .as_array()
        .is_some_and(|s| s.iter().all(|s| s["state"] == "done")));

    let (status, insights) = app
        .get_json(&format!("/api/v1/media/{media_id}/insights"))
        .await;
    assert_eq!(status, 200);
    let items = insights["items"].as_array().cloned().unwrap_or_default();
    let info: Vec<&Value> = items.iter().filter(|i| i["kind"] == "media_info").collect();
    assert_eq!(info.len(), 1);
    assert_eq!(info[0]["analyzer"], "probe");
    let streams = info[0]["data"]["streams"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(streams
        .iter()
        .any(|s| s["kind"] == "video" && s["codec"] == "h264"));
    assert!(streams
        .iter()
        .any(|s| s["kind"] == "audio" && s["sample_rate"] == 44100));

    // Three scenes (red, pattern, blue) of 2 s: keyframes at 0, 2 and 4 s.
    let kf: Vec<&Value> = items.iter().filter(|i| i["kind"] == "keyframe").collect();
    let times: Vec<f64> = kf
        .iter()
        .map(|i| i["start"].as_f64().unwrap_or(-1.0))
        .collect();
    assert_eq!(times.len(), 3, "keyframes at {times:?}");
    for (got, want) in times.iter().zip([0.0, 2.0, 4.0]) {
        assert!((got - want).abs() < 0.1, "keyframes at {times:?}");
    }
    // Each scene spans to the next; the last to the end.
    assert!((kf[0]["end"].as_f64().unwrap_or_default() - 2.0).abs() < 0.1);
    assert!((kf[2]["end"].as_f64().unwrap_or_default() - duration).abs() < 0.1);
    // Thumbnails are real JPEGs, served by the API.
    for k in &kf {
        let artifact = k["artifact"].as_str().unwrap_or_default();
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{media_id}/artifacts/{artifact}")))
            .send()
            .await
            .expect("artifact");
        assert_eq!(r.status().as_u16(), 200, "{artifact}");
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        let bytes = r.bytes().await.unwrap_or_default();
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "not a JPEG");
    }

    // Filters: by analyzer and by time range.
    let (_, only_kf) = app
        .get_json(&format!(
            "/api/v1/media/{media_id}/insights?analyzer=keyframes&from=2.5&to=3.5"
        ))
        .await;
    let only = only_kf["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(only.len(), 1, "{only_kf}");
    assert!((only[0]["start"].as_f64().unwrap_or_default() - 2.0).abs() < 0.1);
}

#[tokio::test]
async fn same_bytes_give_same_media_and_download_round_trips() {
    let app = spawn_app().await;
    let image = png_image(app.data.path(), "pattern.png");
    let first = app.upload(&image, "?filename=pattern.png").await;
    assert_eq!(first.status().as_u16(), 201);
    let first: Value = first.json().await.unwrap_or_default();
    assert_eq!(first["media"]["kind"], "image");
    assert_eq!(first["media"]["width"], 64);
    assert!(first["media"]["duration"].is_null());
    assert!(first["job_id"].is_null());

    // Multipart this time: same bytes, same media, 200.
    let bytes = std::fs::read(&image).unwrap_or_default();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.clone()).file_name("again.png"),
    );
    let second = app
        .client
        .post(app.url("/api/v1/media"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(second.status().as_u16(), 200);
    let second: Value = second.json().await.unwrap_or_default();
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["created"], false);

    let id = first["id"].as_str().unwrap_or_default();
    let r = app
        .client
        .get(app.url(&format!("/api/v1/media/{id}/content")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap_or_default()
        .contains("pattern.png"));
    assert_eq!(r.bytes().await.unwrap_or_default().to_vec(), bytes);
    use sha2::Digest;
    assert_eq!(
        first["media"]["sha256"],
        hex::encode(sha2::Sha256::digest(&bytes))
    );
}

#[tokio::test]
async fn list_paginates_sorts_and_filters() {
    let app = spawn_app().await;
    let dir = app.data.path();
    let mut ids = Vec::new();
    for i in 0..5 {
        // Different frequencies: different bytes, five media.
        let out = dir.join(format!("tone{i}.wav"));
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            &format!("sine=frequency={}:duration=1", 200 + 100 * i),
            out.to_str().unwrap_or_default(),
        ]);
        let r = app.upload(&out, "").await;
        assert_eq!(r.status().as_u16(), 201);
        let v: Value = r.json().await.unwrap_or_default();
        ids.push(v["id"].as_str().unwrap_or_default().to_string());
    }
    let image = png_image(dir, "one.png");
    assert_eq!(app.upload(&image, "").await.status().as_u16(), 201);

    // Newest first, two at a time, over every audio media exactly once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = app
            .get_json(&format!("/api/v1/media?kind=audio&limit=2&cursor={cursor}"))
            .await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|m| m["id"].as_str().unwrap_or_default().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    let (_, asc) = app.get_json("/api/v1/media?order=asc&limit=500").await;
    let asc_ids: Vec<String> = asc["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(asc_ids.len(), 6);
    assert_eq!(asc_ids[..5], ids[..]);

    let (_, images) = app.get_json("/api/v1/media?kind=image").await;
    assert_eq!(images["items"].as_array().map(Vec::len), Some(1));
    let (_, future) = app
        .get_json("/api/v1/media?created_after=2100-01-01T00:00:00Z")
        .await;
    assert_eq!(future["items"].as_array().map(Vec::len), Some(0));
    let (_, past) = app
        .get_json("/api/v1/media?created_before=2000-01-01T00:00:00Z")
        .await;
    assert_eq!(past["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn delete_removes_blob_insights_and_jobs() {
    let app = spawn_app().await;
    let video = scenes_video(app.data.path(), "d.mp4", 1.0, "160x120");
    let r: Value = app
        .upload(&video, "?pipeline=probe,keyframes")
        .await
        .json()
        .await
        .unwrap_or_default();
    let (id, job) = (
        r["id"].as_str().unwrap_or_default(),
        r["job_id"].as_str().unwrap_or_default(),
    );
    app.wait_job(job, Duration::from_secs(60)).await;
    let blobs = app.config.blobs_dir();
    let before = files_under(&blobs).len();
    assert!(before >= 2, "media and thumbnails stored");

    let r = app
        .client
        .delete(app.url(&format!("/api/v1/media/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status().as_u16(), 204);
    for path in [
        format!("/api/v1/media/{id}"),
        format!("/api/v1/media/{id}/insights"),
        format!("/api/v1/jobs/{job}"),
    ] {
        let (status, body) = app.get_json(&path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    assert!(
        files_under(&blobs).is_empty(),
        "left behind: {:?}",
        files_under(&blobs)
    );
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/media/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status().as_u16(), 404);
}
