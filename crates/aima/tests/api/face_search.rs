//! Face search (`POST /api/v1/search/faces`) on both backends, with the
//! real face models of the tests: another photo of a person finds that
//! person and where they appear; no face, no image, too large an image and
//! another workspace are answered as such.

use serde_json::Value;

use crate::helpers::*;

const MODEL: &str = "faces-blazeface-faceres";

async fn find(app: &TestApp, image: Vec<u8>, query: &str, key: Option<&str>) -> (u16, Value) {
    let mut r = app
        .client
        .post(app.url(&format!("/api/v1/search/faces?{query}")))
        .header("content-type", "image/png")
        .body(image);
    if let Some(k) = key {
        r = r.bearer_auth(k);
    }
    let r = r.send().await.expect("face search");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

/// The same photo mirrored and at 60 %: another image of the same face.
fn another_photo_of(name: &str, dir: &std::path::Path) -> Vec<u8> {
    let out = dir.join(format!("other-{name}"));
    ffmpeg(&[
        "-i",
        sample_image(name).to_str().expect("utf-8"),
        "-vf",
        "hflip,scale=iw*0.6:-2",
        out.to_str().expect("utf-8"),
    ]);
    std::fs::read(out).expect("read")
}

#[tokio::test]
async fn another_photo_of_a_person_finds_them_and_where_they_appear() {
    let dir = tempfile::tempdir().expect("tmp");
    let astronaut_again = another_photo_of("astronaut.png", dir.path());
    let cameraman_again = another_photo_of("camera.png", dir.path());
    let coffee = std::fs::read(sample_image("coffee.png")).expect("read");
    for backend in backends() {
        let app = spawn_with_models(backend).await;
        let photo = analysed(&app, &sample_image("astronaut.png"), "faces").await;
        let camera = analysed(&app, &sample_image("camera.png"), "faces").await;
        let model = format!("model={MODEL}");

        let (s, v) = find(&app, astronaut_again.clone(), &model, None).await;
        assert_eq!(s, 200, "{backend:?}: {v}");
        let items = v["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1, "only the astronaut matches: {v}");
        let m = &items[0];
        let score = m["score"].as_f64().unwrap_or(0.0);
        // FaceRes: 0.92-0.96 for one person, about 0.33 for two.
        assert!(score > 0.8 && score <= 1.0, "{m}");
        assert!(m["name"].is_null(), "{m}");
        let apps = m["appearances"].as_array().cloned().unwrap_or_default();
        assert_eq!(apps.len(), 1, "{m}");
        assert_eq!(apps[0]["media_id"], photo.as_str());
        assert_eq!(apps[0]["start"], 0.0);
        let astronaut = m["person_id"].clone();

        let (s, v) = find(&app, cameraman_again.clone(), &model, None).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
        assert_ne!(v["items"][0]["person_id"], astronaut);
        assert_eq!(v["items"][0]["appearances"][0]["media_id"], camera.as_str());

        // A name given shows; limit applies.
        let r = app
            .client
            .patch(app.url(&format!(
                "/api/v1/persons/{}",
                astronaut.as_str().unwrap_or_default()
            )))
            .json(&serde_json::json!({"name": "Eileen Collins"}))
            .send()
            .await
            .expect("name");
        assert_eq!(r.status().as_u16(), 200);
        let (_, v) = find(
            &app,
            astronaut_again.clone(),
            &format!("{model}&limit=1"),
            None,
        )
        .await;
        assert_eq!(v["items"][0]["name"], "Eileen Collins", "{v}");

        // Another workspace has no persons to match.
        let other = create_key(&app, "team-b");
        let (s, v) = find(&app, astronaut_again.clone(), &model, Some(&other)).await;
        assert_eq!(
            (s, v["items"].as_array().map(Vec::len)),
            (200, Some(0)),
            "{v}"
        );

        // Her only photo deleted, she is matched no more (her person row,
        // without faces, must not match).
        let r = app
            .client
            .delete(app.url(&format!("/api/v1/media/{photo}")))
            .send()
            .await
            .expect("delete");
        assert_eq!(r.status().as_u16(), 204);
        let (_, v) = find(&app, astronaut_again.clone(), &model, None).await;
        assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{v}");

        // What cannot be searched is said so.
        let too_big = vec![0u8; 21 * 1024 * 1024];
        for (body, query, status, code) in [
            (coffee.clone(), model.clone(), 422, "no_face_found"),
            (
                b"not an image at all".to_vec(),
                model.clone(),
                415,
                "unsupported_media",
            ),
            (too_big, model.clone(), 413, "payload_too_large"),
            (vec![], model.clone(), 400, "empty_upload"),
            (
                coffee.clone(),
                format!("{model}&limit=0"),
                400,
                "invalid_parameter",
            ),
            (
                coffee.clone(),
                "model=ocr-ppocrv6".to_string(),
                400,
                "invalid_pipeline",
            ),
        ] {
            let (s, v) = find(&app, body, &query, None).await;
            assert_eq!(
                (s, v["error"]["code"].as_str()),
                (status, Some(code)),
                "{query}: {v}"
            );
        }
        let r = app
            .client
            .post(app.url(&format!("/api/v1/search/faces?{model}")))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 415);
    }
}
