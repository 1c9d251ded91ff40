//! The CLIP analyzer's pre- and post-processing on a small model of the same
//! signature as the usual ONNX exports (`pixel_values` -> `image_embeds`;
//! `input_ids`, `attention_mask` -> `text_embeds`; a `tokenizer.json`),
//! built here with the `onnx` and `tokenizers` Python packages. No package
//! carries real CLIP weights, so CLIP's quality is not tested here: what is
//! tested is that the real model's descriptor (size, crop, colour order,
//! normalisation), tokenization, padding, both towers and the zero-shot
//! scoring are wired as CLIP expects.
//!
//! The image tower is the mean of each normalised channel; the text tower
//! sums one vector per unmasked token: "red" (1, -1, -1), "green"
//! (-1, 1, -1), "blue" (-1, -1, 1), "photo" (-1, 1, 1), the end token (which
//! also pads) (0.1, 0, 0), every other token 0. "photo" and the end token
//! carry weight so that leaving out the prompt template or the attention
//! mask changes an answer (numbers in `each_step_changes_the_answer`).
//!
//! SigLIP 2 (multilingual) uses the same analyzer with its own tokens: see
//! `siglip_labels_in_german_on_a_small_model_of_the_same_signature`.

use std::path::{Path, PathBuf};

use aima_analyzers::{analyze_file, Registry};
use aima_core::{Insight, Pipeline};
use aima_media::MediaTools;
use aima_models::ModelManager;
use tokio_util::sync::CancellationToken;

mod common;
use common::{ffmpeg, run_stage, stand_in};

const BUILD: &str = include_str!("clip_stand_in.py");

async fn labels(models: &ModelManager, file: &Path, options: serde_json::Value) -> Vec<Insight> {
    run_stage(models, file, "clip", options).await
}

fn top(i: &Insight) -> String {
    i.data["labels"][0]["label"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn clip_wiring_on_a_small_model_of_the_same_signature() {
    let dir = tempfile::tempdir().expect("tmp");
    let models = stand_in(dir.path(), BUILD, "clip-vit-b32").await;
    let opts = serde_json::json!({"labels": ["red", "green", "blue"], "top_k": 3});

    for colour in ["red", "green", "blue"] {
        let img: PathBuf = dir.path().join(format!("{colour}.png"));
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            &format!("color=c={colour}:s=320x240:d=1"),
            "-frames:v",
            "1",
            img.to_str().unwrap_or_default(),
        ])
        .await;
        let out = labels(&models, &img, opts.clone()).await;
        assert_eq!(out.len(), 1, "one frame: {out:?}");
        assert_eq!(top(&out[0]), colour, "{out:?}");
        let scores: Vec<f64> = out[0].data["labels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["score"].as_f64())
            .collect();
        assert_eq!(scores.len(), 3);
        assert!(
            (scores.iter().sum::<f64>() - 1.0).abs() < 0.01,
            "{scores:?}"
        );
        let e: Vec<f64> = out[0].data["embedding"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_f64())
            .collect();
        assert_eq!(e.len(), 3);
        assert!(
            (e.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-3,
            "unit length"
        );
    }

    // Centre crop, not a stretch: green | red | blue thirds read as red.
    let wide = dir.path().join("wide.png");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=green:s=200x200:d=1",
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=200x200:d=1",
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=200x200:d=1",
        "-filter_complex",
        "[0:v][1:v][2:v]hstack=inputs=3",
        "-frames:v",
        "1",
        wide.to_str().unwrap_or_default(),
    ])
    .await;
    let out = labels(&models, &wide, opts.clone()).await;
    assert_eq!(top(&out[0]), "red", "{out:?}");

    // The template is used (unknown words cost nothing here), and a video
    // gets a label per sampled frame, in time.
    let video = dir.path().join("colours.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=320x240:d=2",
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=320x240:d=2",
        "-filter_complex",
        "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        video.to_str().unwrap_or_default(),
    ])
    .await;
    let out = labels(
        &models,
        &video,
        serde_json::json!({"labels": ["red", "green", "blue"], "template": "a photo of {}", "frames": {"max_interval": 1.0}}),
    )
    .await;
    let seq: Vec<(f64, String)> = out.iter().map(|i| (i.start, top(i))).collect();
    assert!(seq.iter().any(|(t, l)| *t < 2.0 && l == "blue"), "{seq:?}");
    assert!(seq.iter().any(|(t, l)| *t >= 2.0 && l == "red"), "{seq:?}");
    assert!(
        seq.iter().all(|(t, l)| (*t < 2.0) == (l == "blue")),
        "{seq:?}"
    );
}

/// A 64 x 64 picture of one colour, written exactly (no video encoder in
/// between).
fn solid(dir: &Path, rgb: [u8; 3]) -> PathBuf {
    let path = dir.join(format!("{:02x}{:02x}{:02x}.png", rgb[0], rgb[1], rgb[2]));
    image::RgbImage::from_pixel(64, 64, image::Rgb(rgb))
        .save(&path)
        .expect("write png");
    path
}

/// Each step of CLIP's pre-processing decides one answer here; the cosines
/// (red, green, blue) are computed from the stand-in's definition above:
/// - pixel normalisation (CLIP's mean and std): grey (128, 128, 128) reads
///   as blue (0.20, 0.18, 0.50); on raw pixels it would read as red
///   (0.58, 0.02, 0.02);
/// - the prompt template: pink (140, 128, 128) reads as red with "a photo
///   of {}" (0.55, -0.11, 0.16) and as blue with the bare label
///   (-0.29, -0.52, -0.07);
/// - the attention mask: yellow (255, 255, 0) reads as red (0.60, 0.06,
///   -0.75); counting the 72 padding tokens too it would read as green
///   (0.60, 0.80, 0.40).
#[tokio::test]
async fn each_step_changes_the_answer() {
    let dir = tempfile::tempdir().expect("tmp");
    let models = stand_in(dir.path(), BUILD, "clip-vit-b32").await;
    let opts = serde_json::json!({"labels": ["red", "green", "blue"], "top_k": 3});
    for (rgb, expected, step) in [
        ([128, 128, 128], "blue", "pixel normalisation"),
        ([140, 128, 128], "red", "the prompt template"),
        ([255, 255, 0], "red", "the attention mask"),
    ] {
        let out = labels(&models, &solid(dir.path(), rgb), opts.clone()).await;
        assert_eq!(top(&out[0]), expected, "{step}: {out:?}");
    }
    // The template is the user's: without one, pink reads as blue.
    let bare = serde_json::json!({"labels": ["red", "green", "blue"], "template": "{}"});
    let out = labels(&models, &solid(dir.path(), [140, 128, 128]), bare).await;
    assert_eq!(top(&out[0]), "blue", "{out:?}");
}

#[tokio::test]
async fn clip_without_its_model_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let models = ModelManager::new(dir.path(), vec![], "python3");
    let img = dir.path().join("x.png");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=64x64:d=1",
        "-frames:v",
        "1",
        img.to_str().unwrap_or_default(),
    ])
    .await;
    let p = Pipeline::parse_list("clip").expect("pipeline");
    let err = analyze_file(
        &img,
        &p,
        &Registry::builtin(),
        &MediaTools::default(),
        &models,
        None,
        &CancellationToken::new(),
    )
    .await
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("aima models pull clip-vit-b32"), "{err}");
}

const SIGLIP: &str = include_str!("siglip_stand_in.py");

/// The multilingual SigLIP 2 entry (`siglip2-base-p16-224`) through the same
/// analyzer, on a stand-in of its export's signature (tests/siglip_stand_in.py):
/// German labels in capitals ("Rot" is not in its lowercase vocabulary, so
/// only a lowercased text finds it), padded with `<pad>` (its `<eos>` row is
/// (0, -0.1, 0.1): padding 59 positions with it would add (0, -5.9, 5.9) to every
/// label, and a blue frame would read as "Grün"), no attention mask, and
/// SigLIP's normalisation ((x - 127.5) / 127.5: pure colours map to ±1).
#[tokio::test]
async fn siglip_labels_in_german_on_a_small_model_of_the_same_signature() {
    let dir = tempfile::tempdir().expect("tmp");
    let models = stand_in(dir.path(), SIGLIP, "siglip2-base-p16-224").await;
    let german = serde_json::json!({
        "model": "siglip2-base-p16-224",
        "labels": ["Rot", "Grün", "Blau"],
        "template": "Ein Foto von {}",
        "top_k": 3,
    });
    let english = serde_json::json!({
        "model": "siglip2-base-p16-224",
        "labels": ["red", "green", "blue"],
        "template": "a photo of {}",
    });
    for (rgb, de, en) in [
        ([255, 0, 0], "Rot", "red"),
        ([0, 255, 0], "Grün", "green"),
        ([0, 0, 255], "Blau", "blue"),
    ] {
        let image = solid(dir.path(), rgb);
        let out = labels(&models, &image, german.clone()).await;
        assert_eq!(top(&out[0]), de, "{out:?}");
        let e = out[0].data["embedding"].as_array().map(Vec::len);
        assert_eq!(e, Some(3), "the image embedding is kept: {out:?}");
        let out = labels(&models, &image, english.clone()).await;
        assert_eq!(top(&out[0]), en, "{out:?}");
    }
    // A word the vocabulary lacks scores nothing, not an error.
    let unknown = serde_json::json!({
        "model": "siglip2-base-p16-224",
        "labels": ["Blau", "Zebra"],
        "template": "{}",
    });
    let out = labels(&models, &solid(dir.path(), [0, 0, 255]), unknown).await;
    assert_eq!(top(&out[0]), "Blau", "{out:?}");
}
