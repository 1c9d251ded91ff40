//! Similar media (`GET /api/v1/media/{id}/similar`) and words finding
//! frames through CLIP's text tower (`mode=semantic`) over HTTP on both
//! backends, on the CLIP stand-in of the analyzer tests (same signature as
//! the real exports; its image tower averages each normalised channel, so
//! frames of one colour look alike). No package ships CLIP weights: what
//! is tested is the path from the `clip` analyzer's frame embeddings to a
//! ranking, not CLIP's quality.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::helpers::*;

const STAND_IN: &str = "clip-stand-in";

fn colour(dir: &Path, name: &str, colour: &str) -> PathBuf {
    let out = dir.join(name);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("color=c={colour}:s=320x240"),
        "-frames:v",
        "1",
        out.to_str().expect("utf-8"),
    ]);
    out
}

#[tokio::test]
async fn media_like_a_media_or_a_moment_rank_by_their_frames() {
    let dir = tempfile::tempdir().expect("tmp");
    let built = dir.path().join("built");
    std::fs::create_dir_all(&built).expect("dir");
    let entry = clip_stand_in(&built, STAND_IN);
    let red = colour(dir.path(), "red.png", "red");
    let dark_red = colour(dir.path(), "darkred.png", "0x8b0000");
    let blue = colour(dir.path(), "blue.png", "blue");
    // Two seconds red, then two seconds blue.
    let video = dir.path().join("red-blue.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=320x240:d=2:r=10",
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=320x240:d=2:r=10",
        "-filter_complex",
        "[0:v][1:v]concat=n=2:v=1,format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        video.to_str().expect("utf-8"),
    ]);
    let clip =
        json!([{"name": "clip", "options": {"model": STAND_IN, "frames": {"max_interval": 0.5}}}]);
    for backend in backends() {
        let models = test_models_dir().await;
        let app = spawn_with(Options {
            backend,
            models_dir: Some(models.clone()),
            catalog: vec![entry.clone()],
            clip_model: Some(STAND_IN.into()),
            ..Options::default()
        })
        .await;
        let catalog = aima_models::Catalog::builtin()
            .with_extra(std::slice::from_ref(&entry))
            .expect("catalog");
        aima_models::ModelManager::new(&models, vec![], "python3")
            .with_catalog(catalog)
            .pull(STAND_IN)
            .await
            .expect("pull the stand-in");
        let mut ids = Vec::new();
        for file in [&video, &red, &dark_red, &blue] {
            let id = upload_only(&app, file).await;
            let job = app
                .run_job(&id, clip.clone(), Duration::from_secs(120))
                .await;
            assert_eq!(job["state"], "succeeded", "{job}");
            ids.push(id);
        }
        let [video_id, red_id, dark_id, blue_id] = [&ids[0], &ids[1], &ids[2], &ids[3]];

        // Like the red photo: the video at a red moment (the same colour),
        // then the dark red photo; blue (negative similarity) is left out.
        let (s, v) = app
            .get_json(&format!("/api/v1/media/{red_id}/similar"))
            .await;
        assert_eq!(s, 200, "{v}");
        let items = v["items"].as_array().cloned().unwrap_or_default();
        let order: Vec<&str> = items
            .iter()
            .filter_map(|i| i["media_id"].as_str())
            .collect();
        assert_eq!(
            order,
            [video_id.as_str(), dark_id.as_str()],
            "{backend:?}: {v}"
        );
        assert!(
            items[0]["start"].as_f64().unwrap_or(9.0) < 2.0,
            "a red moment: {v}"
        );
        assert!(items[0]["score"].as_f64().unwrap_or(0.0) > 0.99, "{v}");
        let dark = items[1]["score"].as_f64().unwrap_or(0.0);
        assert!(dark > 0.5 && dark < 0.95, "{v}");
        // Like one moment of the video: its blue half finds the blue photo,
        // its red half the red one.
        for (at, best) in [(3.0, blue_id), (0.5, red_id)] {
            let (s, v) = app
                .get_json(&format!(
                    "/api/v1/media/{video_id}/similar?start={at}&limit=1"
                ))
                .await;
            assert_eq!(s, 200, "{v}");
            assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
            assert_eq!(v["items"][0]["media_id"], best.as_str(), "at {at}: {v}");
        }
        // The embedding went to the index, not into the labels.
        let (_, labels) = app
            .get_json(&format!("/api/v1/media/{red_id}/insights?kind=labels"))
            .await;
        assert!(
            labels["items"][0]["data"].get("embedding").is_none(),
            "{labels}"
        );
        assert!(labels["items"][0]["data"]["labels"].is_array(), "{labels}");

        // Unknown media, another workspace's media, bad parameters.
        let other = create_key(&app, "team-b");
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{red_id}/similar")))
            .bearer_auth(other)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 404);
        for (path, status, code) in [
            (
                "/api/v1/media/nope/similar".to_string(),
                404,
                "media_not_found",
            ),
            (
                format!("/api/v1/media/{red_id}/similar?start=-1"),
                400,
                "invalid_parameter",
            ),
            (
                format!("/api/v1/media/{red_id}/similar?limit=0"),
                400,
                "invalid_parameter",
            ),
        ] {
            let (s, v) = app.get_json(&path).await;
            assert_eq!(
                (s, v["error"]["code"].as_str()),
                (status, Some(code)),
                "{path}: {v}"
            );
        }
        // Words find frames through CLIP's text tower: red things for
        // "red", the blue half of the video for "blue" in the video.
        let (_, status) = app.get_json("/api/v1/search/status").await;
        assert_eq!(status["image_model"], STAND_IN, "{status}");
        assert_eq!(status["image_model_installed"], true, "{status}");
        let (s, v) = app.get_json("/api/v1/search?q=red&mode=semantic").await;
        assert_eq!(s, 200, "{v}");
        let found = v["items"].as_array().cloned().unwrap_or_default();
        assert!(!found.is_empty(), "{backend:?}: {v}");
        for h in &found {
            assert_eq!(
                (h["analyzer"].as_str(), h["kind"].as_str()),
                (Some("clip"), Some("labels")),
                "{h}"
            );
            assert_ne!(h["media_id"], blue_id.as_str(), "{v}");
            let at_blue =
                h["media_id"] == video_id.as_str() && h["start"].as_f64().unwrap_or(0.0) >= 2.0;
            assert!(!at_blue, "the video's blue half is not red: {v}");
        }
        assert!(
            found.iter().any(|h| h["media_id"] == red_id.as_str()),
            "{v}"
        );
        let (_, v) = app
            .get_json(&format!(
                "/api/v1/search?q=blue&mode=semantic&media_id={video_id}&limit=1"
            ))
            .await;
        assert!(v["items"][0]["start"].as_f64().unwrap_or(0.0) >= 2.0, "{v}");
        // Other analyzers' filters leave frames out.
        let (_, v) = app
            .get_json("/api/v1/search?q=red&mode=semantic&analyzer=ocr")
            .await;
        assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{v}");

        // A media without CLIP frames has no similar media (yet).
        let plain = upload_only(&app, &png_image(dir.path(), "plain.png")).await;
        let (s, v) = app
            .get_json(&format!("/api/v1/media/{plain}/similar"))
            .await;
        assert_eq!(
            (s, v["items"].as_array().map(Vec::len)),
            (200, Some(0)),
            "{v}"
        );
    }
}
