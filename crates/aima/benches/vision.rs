//! Vision benchmark (run by `scripts/bench-vision.sh`): each image analyzer
//! on scikit-image's photos and a rendered slide, milliseconds per frame
//! (decoding included, probing not: what a job's stage pays per image); the whole image pipeline
//! as images per hour; and OCR side by side with RapidOCR (Python) on the
//! same models and images, in the same run, with both outputs compared.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use aima_analyzers::{analyze_probed, Registry};
use aima_core::{Insight, Pipeline};
use aima_media::MediaTools;
use aima_models::{Catalog, ModelManager, Source};
use tokio_util::sync::CancellationToken;

const RUNS: usize = 5;
const ANALYZERS: [&str; 5] = ["ocr", "nsfw", "objects", "pose", "faces"];
const PHOTOS: [&str; 7] = [
    "astronaut.png",
    "coffee.png",
    "chelsea.png",
    "motorcycle_left.png",
    "camera.png",
    "rocket.jpg",
    "page.png",
];
const SLIDE: [&str; 4] = [
    "Quarterly budget review",
    "Revenue grew 12 percent in March",
    "Next meeting on Friday at 10",
    "Contact the finance team",
];

fn slide(dir: &Path) -> PathBuf {
    let out = dir.join("slide.png");
    let filter: Vec<String> = SLIDE
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text='{l}':fontsize=44:fontcolor=0x202020:x=90:y={}",
                110 + i * 120
            )
        })
        .collect();
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("color=c=0xf4f4f0:s=1280x720:d=1")
        .args(["-vf", &filter.join(","), "-frames:v", "1"])
        .arg(&out)
        .status()
        .expect("ffmpeg");
    assert!(status.success());
    out
}

async fn models(dir: &Path) -> ModelManager {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models");
    let mut catalog = Catalog::builtin();
    for e in &mut catalog.entries {
        for f in &mut e.files {
            f.sources.retain(|s| !matches!(s, Source::Hf { .. }));
        }
    }
    let m = ModelManager::new(dir, vec![shared], "python3").with_catalog(catalog);
    for name in [
        "onnxruntime",
        "ocr-ppocrv6",
        "nsfw-open",
        "objects-centernet",
        "pose-movenet-multipose",
        "faces-blazeface-faceres",
    ] {
        m.pull(name).await.expect("pull");
    }
    m
}

async fn run(models: &ModelManager, file: &Path, pipeline: &str) -> (f64, Vec<Insight>) {
    let mut p = Pipeline::parse_list(pipeline).expect("pipeline");
    // The packaged models: the defaults (D-FINE, YuNet + SFace) are hub-only.
    for stage in &mut p.0 {
        match stage.name.as_str() {
            "objects" => stage.options = serde_json::json!({"model": "objects-centernet"}),
            "faces" => stage.options = serde_json::json!({"model": "faces-blazeface-faceres"}),
            _ => {}
        }
    }
    let t0 = Instant::now();
    // Probed already, as a worker's media is: the time is the analyzers'.
    let out = analyze_probed(
        file,
        aima_core::MediaKind::Image,
        None,
        &p,
        &Registry::builtin(),
        &MediaTools::default(),
        models,
        None,
        &CancellationToken::new(),
    )
    .await
    .expect("analysis");
    (t0.elapsed().as_secs_f64() * 1000.0, out)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    common::percentile(&v, 0.5)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let images_dir = PathBuf::from(std::env::var("AIMA_TEST_IMAGES").expect(
            "AIMA_TEST_IMAGES (run scripts/bench-vision.sh, which fetches scikit-image's images)",
        ));
        let tmp = tempfile::tempdir().expect("tmp");
        let models = models(&tmp.path().join("models")).await;
        let slide = slide(tmp.path());
        let mut images: Vec<PathBuf> = PHOTOS.iter().map(|p| images_dir.join(p)).collect();
        images.push(slide.clone());

        // Each analyzer alone: median over RUNS per image (after a warm-up
        // that loads the model), then the median and worst over images.
        let mut table = String::from(
            "| analyzer | median ms per image | slowest image, ms | what it found on the 8 images |\n|---|---|---|---|\n",
        );
        let mut aima_ocr: Vec<(PathBuf, f64, Vec<String>)> = Vec::new();
        for analyzer in ANALYZERS {
            let mut per_image = Vec::new();
            let mut found = 0usize;
            for img in &images {
                run(&models, img, analyzer).await;
                let mut times = Vec::new();
                let mut last = Vec::new();
                for _ in 0..RUNS {
                    let (ms, out) = run(&models, img, analyzer).await;
                    times.push(ms);
                    last = out;
                }
                let m = median(times);
                per_image.push(m);
                let kind = match analyzer {
                    "ocr" => "text",
                    "nsfw" => "nsfw",
                    "objects" => "object",
                    "pose" => "pose",
                    _ => "face",
                };
                found += last.iter().filter(|i| i.kind == kind).count();
                if analyzer == "ocr" {
                    let lines = last
                        .iter()
                        .filter(|i| i.kind == "text")
                        .map(|i| i.data["text"].as_str().unwrap_or_default().to_string())
                        .collect();
                    aima_ocr.push((img.clone(), m, lines));
                }
            }
            let worst = per_image.iter().copied().fold(0.0, f64::max);
            let what = match analyzer {
                "ocr" => format!("{found} text lines"),
                "nsfw" => format!("{found} flagged ranges"),
                "objects" => format!("{found} objects"),
                "pose" => format!("{found} people"),
                _ => format!("{found} faces"),
            };
            table.push_str(&format!(
                "| `{analyzer}` | {:.0} | {worst:.0} | {what} |\n",
                median(per_image)
            ));
        }
        // The whole image pipeline, one image after another.
        let all = ANALYZERS.join(",");
        let mut per_image = Vec::new();
        for img in &images {
            let (ms, _) = run(&models, img, &all).await;
            per_image.push(ms);
        }
        let total: f64 = per_image.iter().sum();
        table.push_str(&format!(
            "| all five, one image after another | {:.0} | {:.0} | **{:.0} images per hour** |\n",
            median(per_image.clone()),
            per_image.iter().copied().fold(0.0, f64::max),
            3_600_000.0 * images.len() as f64 / total
        ));

        // RapidOCR on the same images, in the same run.
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench-vision-rapidocr.py");
        let out = std::process::Command::new("python3")
            .arg(&script)
            .arg(RUNS.to_string())
            .args(&images)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "RapidOCR: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rapid: serde_json::Value = serde_json::from_slice(&out.stdout).expect("RapidOCR JSON");
        table.push_str(
            "\nOCR side by side (same PP-OCRv6 small models; RapidOCR 3.10.0 with onnxruntime 1.31.1, direction classifier off; medians of 5 runs after a warm-up):\n\n\
             | image | AIMA ms | RapidOCR ms | AIMA lines | RapidOCR lines | RapidOCR lines AIMA also read |\n|---|---|---|---|---|---|\n",
        );
        for (img, ms, lines) in &aima_ocr {
            let r = &rapid[img.display().to_string()];
            let rms = median(
                r["ms"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_f64())
                    .collect(),
            );
            let rlines: Vec<String> = r["lines"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let same = rlines.iter().filter(|l| lines.contains(l)).count();
            let show = |v: &[String]| {
                if v.is_empty() {
                    "—".to_string()
                } else {
                    v.iter()
                        .map(|l| format!("\"{}\"", l.replace('|', "\\|")))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let name = img.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            table.push_str(&format!(
                "| {name} | {ms:.0} | {rms:.0} | {} | {} | {same} of {} |\n",
                show(lines),
                show(&rlines),
                rlines.len()
            ));
        }
        println!("{table}");
        common::write_table("vision", "(release build, `bash scripts/bench-vision.sh`)", &table);
    });
}
