//! Image analysis through the API: faces found in photos and a video become
//! persons across the workspace, which a user names, merges, splits and
//! corrects; a rejected insight leaves listings and persons. Real models,
//! scikit-image's photos, both databases.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;

/// The astronaut for 3 s, then the cameraman for 3 s.
fn two_people_video(dir: &Path) -> PathBuf {
    let out = dir.join("two.mp4");
    let fit = "scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,fps=10";
    let (a, c) = (sample_image("astronaut.png"), sample_image("camera.png"));
    ffmpeg(&[
        "-loop",
        "1",
        "-t",
        "3",
        "-i",
        a.to_str().unwrap_or_default(),
        "-loop",
        "1",
        "-t",
        "3",
        "-i",
        c.to_str().unwrap_or_default(),
        "-filter_complex",
        &format!("[0:v]{fit}[a];[1:v]{fit}[b];[a][b]concat=n=2:v=1:a=0[out]"),
        "-map",
        "[out]",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        out.to_str().unwrap_or_default(),
    ]);
    out
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .request(method, app.url(path))
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The person (id, appearances) who appears in `media`.
async fn person_of(app: &TestApp, persons: &Value, media: &str) -> (String, Value) {
    for p in persons["items"].as_array().into_iter().flatten() {
        let id = p["id"].as_str().unwrap_or_default().to_string();
        let (_, apps) = app
            .get_json(&format!("/api/v1/persons/{id}/appearances"))
            .await;
        if apps["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["media_id"] == media)
        {
            return (id, apps);
        }
    }
    panic!("nobody appears in {media}: {persons}")
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn faces_become_persons_that_a_user_can_correct() {
    let dir = tempfile::tempdir().expect("tmp");
    let video = two_people_video(dir.path());
    for backend in backends() {
        let app = spawn_with_models(backend).await;
        let photo = analysed(&app, &sample_image("astronaut.png"), "faces").await;
        let camera = analysed(&app, &sample_image("camera.png"), "faces").await;
        let coffee = analysed(&app, &sample_image("coffee.png"), "faces").await;
        let clip = analysed(&app, &video, "probe,faces").await;

        let (s, coffee_faces) = app
            .get_json(&format!("/api/v1/media/{coffee}/insights?kind=face"))
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            coffee_faces["items"].as_array().map(Vec::len),
            Some(0),
            "no face on coffee"
        );
        // The embedding went to the face index, not into the insight.
        let (_, photo_faces) = app
            .get_json(&format!("/api/v1/media/{photo}/insights?kind=face"))
            .await;
        let face = &photo_faces["items"][0];
        assert!(face["data"].get("embedding").is_none(), "{face}");
        // Its thumbnail is served.
        let thumb = app
            .client
            .get(app.url(&format!(
                "/api/v1/media/{photo}/artifacts/{}",
                face["artifact"].as_str().unwrap_or_default()
            )))
            .send()
            .await
            .expect("thumbnail");
        assert_eq!(thumb.status().as_u16(), 200);

        // Two persons: each seen in a photo and in the video.
        let (s, persons) = app.get_json("/api/v1/persons").await;
        assert_eq!(s, 200);
        let items = persons["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 2, "{persons}");
        let (astronaut, apps) = person_of(&app, &persons, &photo).await;
        let (cameraman, cam_apps) = person_of(&app, &persons, &camera).await;
        assert_ne!(astronaut, cameraman, "two people");
        for (apps, start, end) in [(&apps, 0.0, 3.0), (&cam_apps, 3.0, 6.0)] {
            let on_clip: Vec<&Value> = apps["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|a| a["media_id"] == clip)
                .collect();
            assert_eq!(on_clip.len(), 1, "{apps}");
            let r = &on_clip[0]["ranges"][0];
            assert!(
                (r["start"].as_f64().unwrap_or(-9.0) - start).abs() < 0.5,
                "{apps}"
            );
            assert!(
                (r["end"].as_f64().unwrap_or(-9.0) - end).abs() < 0.5,
                "{apps}"
            );
        }

        // Name a person.
        let (s, named) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/persons/{astronaut}"),
            json!({"name": "Eileen Collins"}),
        )
        .await;
        assert_eq!((s, named["name"].as_str()), (200, Some("Eileen Collins")));
        // Merge the cameraman in by mistake, then split his faces back out.
        let (s, merged) = send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/persons/{astronaut}/merge"),
            json!({"from": cameraman}),
        )
        .await;
        assert_eq!((s, merged["faces"].as_i64()), (200, Some(4)), "{merged}");
        let (s, _) = app.get_json(&format!("/api/v1/persons/{cameraman}")).await;
        assert_eq!(s, 404);
        let (_, faces) = app
            .get_json(&format!("/api/v1/persons/{astronaut}/faces"))
            .await;
        let his: Vec<i64> = faces["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| {
                f["media_id"] == camera
                    || (f["media_id"] == clip && f["start"].as_f64().unwrap_or(0.0) > 2.0)
            })
            .filter_map(|f| f["insight_id"].as_i64())
            .collect();
        assert_eq!(his.len(), 2, "{faces}");
        let (s, split) = send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/persons/{astronaut}/split"),
            json!({"faces": his}),
        )
        .await;
        assert_eq!((s, split["faces"].as_i64()), (201, Some(2)), "{split}");
        let cameraman = split["id"].as_str().unwrap_or_default().to_string();
        // Move one face to a person of its own, and back.
        let (s, moved) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/faces/{}/person", his[0]),
            json!({"person_id": null}),
        )
        .await;
        assert_eq!(s, 200, "{moved}");
        assert_ne!(moved["person_id"], json!(cameraman));
        let (s, back) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/faces/{}/person", his[0]),
            json!({"person_id": cameraman}),
        )
        .await;
        assert_eq!((s, back["pinned"].as_bool()), (200, Some(true)));

        // Reject the cameraman's face in the video: it leaves his person,
        // his appearances and the media's insight listing.
        let clip_face = faces["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| {
                f["media_id"] == clip && f["insight_id"].as_i64().is_some_and(|i| his.contains(&i))
            })
            .and_then(|f| f["insight_id"].as_i64())
            .expect("the cameraman's face in the video");
        let (s, reviewed) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/insights/{clip_face}"),
            json!({"review": "rejected"}),
        )
        .await;
        assert_eq!(
            (s, reviewed["review"].as_str()),
            (200, Some("rejected")),
            "{reviewed}"
        );
        let (_, p) = app.get_json(&format!("/api/v1/persons/{cameraman}")).await;
        assert_eq!(p["faces"], 1);
        let (_, a) = app
            .get_json(&format!("/api/v1/persons/{cameraman}/appearances"))
            .await;
        assert!(
            a["items"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|m| m["media_id"] != clip),
            "{a}"
        );
        let (_, listed) = app
            .get_json(&format!("/api/v1/media/{clip}/insights?kind=face"))
            .await;
        assert_eq!(
            listed["items"].as_array().map(Vec::len),
            Some(1),
            "{listed}"
        );
        let (_, all) = app
            .get_json(&format!(
                "/api/v1/media/{clip}/insights?kind=face&include_rejected=true"
            ))
            .await;
        assert_eq!(all["items"].as_array().map(Vec::len), Some(2));

        // Bad input: clear codes, never a 500.
        let (s, e) = app.get_json("/api/v1/persons/nobody").await;
        assert_eq!((s, code(&e)), (404, "person_not_found"));
        let (s, e) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/persons/{astronaut}"),
            json!({"name": "  "}),
        )
        .await;
        assert_eq!((s, code(&e)), (400, "invalid_parameter"));
        let (s, e) = send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/persons/{astronaut}/merge"),
            json!({"from": astronaut}),
        )
        .await;
        assert_eq!((s, code(&e)), (409, "invalid_person_edit"));
        let (s, e) = send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/persons/{astronaut}/split"),
            json!({"faces": []}),
        )
        .await;
        assert_eq!((s, code(&e)), (400, "invalid_parameter"));
        let (s, e) = send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/persons/{astronaut}/split"),
            json!({"faces": [his[0]]}),
        )
        .await;
        assert_eq!(
            (s, code(&e)),
            (409, "invalid_person_edit"),
            "not the astronaut's face"
        );
        let (s, e) = send(
            &app,
            reqwest::Method::PUT,
            "/api/v1/faces/99999999/person",
            json!({"person_id": null}),
        )
        .await;
        assert_eq!((s, code(&e)), (404, "face_not_found"));
        let (s, e) = send(
            &app,
            reqwest::Method::PATCH,
            "/api/v1/insights/99999999",
            json!({"review": "rejected"}),
        )
        .await;
        assert_eq!((s, code(&e)), (404, "insight_not_found"));
        let (s, e) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/insights/{clip_face}"),
            json!({"review": "maybe"}),
        )
        .await;
        assert_eq!(s, 400, "{e}");
    }
}

#[tokio::test]
async fn a_video_slide_is_read_and_a_wrong_line_can_be_rejected() {
    let dir = tempfile::tempdir().expect("tmp");
    let slide = budget_slide(dir.path());
    let app = spawn_with(Options {
        models_dir: Some(test_models_dir().await),
        ..Options::default()
    })
    .await;
    let media = analysed(&app, &slide, "probe,nsfw,objects,pose").await;
    // Text fading in on a still background is no scene change: sample at
    // least every half second to time it closely.
    let job = app
        .post_job(
            &media,
            json!([{"name": "ocr", "options": {"frames": {"max_interval": 0.5}}}]),
        )
        .await;
    let job = app
        .wait_job(
            job["id"].as_str().unwrap_or_default(),
            Duration::from_secs(300),
        )
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let (_, text) = app
        .get_json(&format!("/api/v1/media/{media}/insights?kind=text"))
        .await;
    let lines = text["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(lines.len(), 1, "{text}");
    assert_eq!(lines[0]["data"]["text"], "Budget approved for April");
    // Shown from 1 s to the end.
    assert!(
        (lines[0]["start"].as_f64().unwrap_or(-1.0) - 1.0).abs() < 0.3,
        "{}",
        lines[0]
    );
    assert!(
        (lines[0]["end"].as_f64().unwrap_or(-1.0) - 4.0).abs() < 0.3,
        "{}",
        lines[0]
    );
    // The other analyzers ran over the same frames and found nothing to flag.
    let (_, nsfw) = app
        .get_json(&format!("/api/v1/media/{media}/insights?kind=nsfw_max"))
        .await;
    assert_eq!(nsfw["items"][0]["data"]["flagged"], false, "{nsfw}");
    let (_, pose) = app
        .get_json(&format!("/api/v1/media/{media}/insights?kind=pose"))
        .await;
    assert_eq!(pose["items"].as_array().map(Vec::len), Some(0), "{pose}");
    // Exported as CSV, with the common columns filled in.
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/media/{media}/insights?kind=text&format=csv"
        )))
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv")));
    let csv = r.text().await.unwrap_or_default();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].starts_with("id,analyzer,kind,start,end,review,label,score,x,y,w,h"));
    assert!(
        rows[1].contains(",ocr,text,") && rows[1].contains(",Budget approved for April,"),
        "{csv}"
    );
    let (s, e) = app
        .get_json(&format!("/api/v1/media/{media}/insights?format=xml"))
        .await;
    assert_eq!((s, code(&e)), (400, "invalid_parameter"));
    // A user rejects the line; confirms it again.
    let id = lines[0]["id"].as_i64().unwrap_or_default();
    let (s, _) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/insights/{id}"),
        json!({"review": "rejected"}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, text) = app
        .get_json(&format!("/api/v1/media/{media}/insights?kind=text"))
        .await;
    assert_eq!(text["items"].as_array().map(Vec::len), Some(0));
    let (s, v) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/insights/{id}"),
        json!({"review": "confirmed"}),
    )
    .await;
    assert_eq!((s, v["review"].as_str()), (200, Some("confirmed")));
    let (_, text) = app
        .get_json(&format!("/api/v1/media/{media}/insights?kind=text"))
        .await;
    assert_eq!(text["items"][0]["review"], "confirmed");

    // A photo whose pixels are garbage (its header intact, so the upload
    // accepts it): the job fails once, with a clear code, for each analyzer.
    let mut bytes = std::fs::read(sample_image("coffee.png")).expect("read");
    let half = bytes.len() / 2;
    for b in &mut bytes[300..half] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, &bytes).expect("write");
    let broken = upload_only(&app, &broken).await;
    for stage in ["ocr", "nsfw", "objects", "pose", "faces"] {
        let job = app
            .run_job(&broken, with_fixtures(stage), Duration::from_secs(120))
            .await;
        assert_eq!(job["state"], "failed", "{stage}: {job}");
        assert_eq!(job["error"]["code"], "corrupt_media", "{stage}: {job}");
        assert_eq!(job["attempts"], 1, "not retried: {job}");
    }
}
