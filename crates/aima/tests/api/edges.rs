//! The edges, probed as an attacker would: uploads that try to make the
//! media tools read something other than their own bytes, decompression
//! bombs, a web page driving a local server (cross-origin writes, DNS
//! rebinding), and errors that would tell a client where things are on the
//! server.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::bad_input::{expect_error, names_a_path, nothing_stored};
use crate::helpers::*;

/// A TCP listener on loopback that counts every connection made to it: a
/// media tool that follows a reference to it shows up here.
struct Tripwire {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Tripwire {
    async fn start() -> Tripwire {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        tokio::spawn(async move {
            while let Ok((_socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        Tripwire { port, hits }
    }

    fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn dash(base_url: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
 <Period>
  <AdaptationSet mimeType="video/mp4">
   <Representation id="1" bandwidth="100000" width="160" height="120">
    <BaseURL>{base_url}</BaseURL>
   </Representation>
  </AdaptationSet>
 </Period>
</MPD>
"#
    )
}

/// Files that name another file or a URL for the tools to open.
fn manifests(secret: &Path, wire: &Tripwire) -> Vec<(&'static str, String)> {
    let secret = secret.display();
    vec![
        (
            "dash naming a local file",
            dash(&format!("file://{secret}")),
        ),
        ("dash naming a URL", dash(&wire.url("dash.mp4"))),
        (
            "hls naming a local file",
            format!(
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://{secret}\n#EXT-X-ENDLIST\n"
            ),
        ),
        (
            "hls naming a URL",
            format!(
                "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{}\n#EXT-X-ENDLIST\n",
                wire.url("seg.ts")
            ),
        ),
        (
            "concat script",
            format!("ffconcat version 1.0\nfile '{secret}'\n"),
        ),
        (
            "concat script naming a URL",
            format!("ffconcat version 1.0\nfile '{}'\n", wire.url("c.mp4")),
        ),
        (
            "a playlist naming a playlist",
            format!("#EXTM3U\n{}\n", wire.url("x.m3u8")),
        ),
    ]
}

#[tokio::test]
async fn an_uploaded_manifest_reads_nothing_but_itself() {
    let app = spawn_app().await;
    let wire = Tripwire::start().await;
    // A video only the server's disk has: a manifest that got its frames
    // would have read it.
    let secret = scenes_video(app.data.path(), "secret.mp4", 1.0, "160x120");
    for (what, text) in manifests(&secret, &wire) {
        for name in ["talk.mp4", "talk.mpd", "talk.m3u8"] {
            let r = app
                .client
                .post(app.url(&format!(
                    "/api/v1/media?filename={name}&pipeline=probe,keyframes"
                )))
                .body(text.clone())
                .send()
                .await
                .expect("upload");
            let v = expect_error(r, 415, "unsupported_media").await;
            let message = v["error"]["message"].as_str().unwrap_or_default();
            // It says what AIMA accepts.
            assert!(
                message.contains("Matroska") || message.contains("not a readable"),
                "{what} as {name}: {message}"
            );
        }
    }
    assert_eq!(wire.hits(), 0, "a media tool followed a reference");
    nothing_stored(&app).await;
}

/// A PNG declaring `width` × `height` 16-bit RGBA pixels, all zero: a few
/// MB that decode to `width * height * 8` bytes.
fn png_bomb(path: &Path, width: u32, height: u32) {
    use flate2::write::ZlibEncoder;
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let row = vec![0u8; 1 + width as usize * 8];
    for _ in 0..height {
        z.write_all(&row).expect("deflate");
    }
    let data = z.finish().expect("deflate");
    let chunk = |kind: &[u8], body: &[u8]| {
        let mut c = (body.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(body);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        c.extend_from_slice(&crc.sum().to_be_bytes());
        c
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &data));
    png.extend(chunk(b"IEND", &[]));
    std::fs::write(path, png).expect("write bomb");
}

/// A baseline JPEG whose frame header claims `width` × `height`: the
/// header of a real small JPEG with its size rewritten.
fn jpeg_bomb(dir: &Path, width: u16, height: u16) -> PathBuf {
    let small = dir.join("small.jpg");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=gray:s=64x64",
        "-frames:v",
        "1",
        small.to_str().unwrap_or_default(),
    ]);
    let mut b = std::fs::read(&small).expect("jpeg");
    let sof = b
        .windows(2)
        .position(|w| w[0] == 0xFF && (w[1] == 0xC0 || w[1] == 0xC2))
        .expect("a JPEG has a frame header");
    // FFCx, length (2), precision (1), height (2), width (2).
    b[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    b[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    let out = dir.join("bomb.jpg");
    std::fs::write(&out, b).expect("write");
    out
}

/// A GIF whose logical screen and one image claim `width` × `height`
/// with a few bytes of LZW data.
fn gif_bomb(path: &Path, width: u16, height: u16) {
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&width.to_le_bytes());
    g.extend_from_slice(&height.to_le_bytes());
    g.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    g.push(0x2C);
    g.extend_from_slice(&[0, 0, 0, 0]);
    g.extend_from_slice(&width.to_le_bytes());
    g.extend_from_slice(&height.to_le_bytes());
    g.extend_from_slice(&[0, 2, 2, 0x4C, 0x01, 0, 0x3B]);
    std::fs::write(path, g).expect("write gif");
}

#[tokio::test]
async fn decompression_bombs_are_refused_before_anything_decodes_them() {
    let app = spawn_app().await;
    let dir = app.data.path().join("bombs");
    std::fs::create_dir_all(&dir).expect("dir");
    let png = dir.join("bomb.png");
    png_bomb(&png, 16_000, 16_000);
    assert!(std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0) < 4 << 20);
    let gif = dir.join("bomb.gif");
    gif_bomb(&gif, 20_000, 20_000);
    let jpeg = jpeg_bomb(&dir, 30_000, 30_000);
    // A video whose frames are larger than the limit: 1 frame of 8200 ×
    // 8200 (67.2 megapixels) in H.264, 200 kB.
    let video = dir.join("big.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=8200x8200:d=0.04",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        video.to_str().unwrap_or_default(),
    ]);
    for file in [&png, &gif, &jpeg, &video] {
        let r = app.upload(file, "?pipeline=probe").await;
        let v = expect_error(r, 413, "media_too_large").await;
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("media.max_pixels"), "{file:?}: {message}");
    }
    // Three at once, as the issue's probe did: each refused, the server up.
    let uploads = (0..3).map(|_| app.upload(&png, ""));
    for r in futures::future::join_all(uploads).await {
        expect_error(r, 413, "media_too_large").await;
    }
    nothing_stored(&app).await;
    // A photo within the limits still goes in.
    let r = app.upload(&sample_image("astronaut.png"), "").await;
    assert_eq!(r.status().as_u16(), 201);
}

#[tokio::test]
async fn a_decoder_that_allocates_anyway_is_stopped_by_the_memory_limit() {
    // The pixel checks off, so only the per-process memory limit stands
    // between the bomb and 2 GB: decoding it fails inside the child.
    let dir = tempfile::tempdir().expect("tmp");
    let png = dir.path().join("bomb.png");
    png_bomb(&png, 16_000, 16_000);
    let limits = aima_media::MediaLimits {
        max_pixels: u64::MAX,
        max_side: u64::MAX,
        max_memory_bytes: 256 << 20,
        max_probes: 1,
    };
    let tools = aima_media::MediaTools::new("ffmpeg", "ffprobe", limits);
    let started = std::time::Instant::now();
    let r = tools.decode_check(&png, 1.0).await;
    assert!(r.is_err(), "a 2 GB frame decoded under a 256 MB limit");
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// [`names_a_path`], or the server's data folder.
fn names_a_server_path(text: &str, data: &Path) -> bool {
    text.contains(&data.display().to_string()) || names_a_path(text)
}

#[tokio::test]
async fn errors_say_what_not_where() {
    let app = spawn_app().await;
    let dir = app.data.path();
    // An MP4 with its index first, cut short: ffprobe reads it, decoding
    // fails, and ffmpeg's message starts with the file's path.
    let full = dir.join("full.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=640x480:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440",
        "-t",
        "10",
        "-c:v",
        "libx264",
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
        full.to_str().unwrap_or_default(),
    ]);
    let bytes = std::fs::read(&full).expect("mp4");
    let cut = dir.join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 55 / 100]).expect("write");
    let (_, job) = app
        .upload_and_wait(&cut, "?pipeline=probe", Duration::from_secs(60))
        .await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["error"]["code"], "corrupt_media", "{job}");
    let message = job["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty());
    assert!(!names_a_server_path(message, dir), "{message}");

    // Every refusal of an upload, too.
    let wire = Tripwire::start().await;
    let secret = scenes_video(dir, "secret.mp4", 1.0, "160x120");
    for (_, text) in manifests(&secret, &wire) {
        let r = app
            .client
            .post(app.url("/api/v1/media"))
            .body(text)
            .send()
            .await
            .expect("upload");
        let v: Value = r.json().await.unwrap_or_default();
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(!names_a_server_path(message, dir), "{message}");
    }
}

#[tokio::test]
async fn a_web_page_cannot_drive_a_local_server() {
    let app = spawn_app().await;
    let png = sample_image("astronaut.png");
    let bytes = std::fs::read(&png).expect("png");
    let host = app.addr.to_string();

    // A page of another site posts a "simple" request (no preflight):
    // text/plain, with the browser's Origin and Sec-Fetch-Site.
    let cross = |path: &str| {
        app.client
            .post(app.url(path))
            .header("content-type", "text/plain")
            .header("origin", "https://attacker.example")
            .header("sec-fetch-site", "cross-site")
    };
    let r = cross("/api/v1/media").body(bytes.clone()).send().await;
    expect_error(r.expect("upload"), 403, "forbidden").await;
    // Without Origin (a browser may leave it out), Sec-Fetch-Site tells.
    let r = app
        .client
        .post(app.url("/api/v1/media"))
        .header("content-type", "text/plain")
        .header("sec-fetch-site", "cross-site")
        .body(bytes.clone())
        .send()
        .await;
    expect_error(r.expect("upload"), 403, "forbidden").await;
    // `Origin: null` (a sandboxed frame, a file: page).
    let r = app
        .client
        .post(app.url("/api/v1/media"))
        .header("origin", "null")
        .body(bytes.clone())
        .send()
        .await;
    expect_error(r.expect("upload"), 403, "forbidden").await;
    nothing_stored(&app).await;

    // A page of this origin (the UI), and programs (curl, aw-client): in.
    let r = app
        .client
        .post(app.url("/api/v1/media"))
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .body(bytes.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    let media: Value = r.json().await.unwrap_or_default();
    let id = media["id"].as_str().unwrap_or_default().to_string();
    let job = app
        .post_job(&id, serde_json::json!([{"name": "probe"}]))
        .await;
    let job_id = job["id"].as_str().unwrap_or_default().to_string();

    // The writes of the issue's probe: cancel, delete, label, key.
    for path in [
        format!("/api/v1/jobs/{job_id}/cancel"),
        "/api/v1/keys".to_string(),
        "/api/v1/modes".to_string(),
        "/api/0/buckets/evil".to_string(),
    ] {
        let r = cross(&path).body("{}").send().await.expect("post");
        expect_error(r, 403, "forbidden").await;
    }
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/media/{id}")))
        .header("origin", "https://attacker.example")
        .send()
        .await
        .expect("delete");
    expect_error(r, 403, "forbidden").await;
    let (status, _) = app.get_json(&format!("/api/v1/media/{id}")).await;
    assert_eq!(status, 200, "the media is still there");

    // DNS rebinding: the attacker's name, pointed at 127.0.0.1, is the
    // Host of every request its page makes. Nothing is answered.
    for bad in [
        "attacker.example",
        "attacker.example:8080",
        "localhost.attacker.example",
    ] {
        for path in [
            "/api/v1/media",
            "/",
            "/api/0/buckets/",
            "/api/v1/openapi.json",
        ] {
            let r = app
                .client
                .get(app.url(path))
                .header("host", bad)
                .send()
                .await
                .expect("get");
            let v = expect_error(r, 403, "host_not_allowed").await;
            assert!(!v.to_string().contains(&id), "{v}");
        }
    }
    for good in [host.clone(), format!("localhost:{}", app.addr.port())] {
        let r = app
            .client
            .get(app.url("/api/v1/media"))
            .header("host", &good)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 200, "{good}");
    }
}

#[tokio::test]
async fn configured_hosts_and_origins_are_answered() {
    let app = spawn_with(Options {
        configure: Some(|c| {
            c.server.allowed_hosts = vec!["aima.home.arpa".into()];
            c.server.allowed_origins = vec!["chrome-extension://abcdef".into()];
        }),
        ..Options::default()
    })
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/media"))
        .header("host", "aima.home.arpa:8080")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    let r = app
        .client
        .post(app.url("/api/0/buckets/aw-watcher-web-chrome"))
        .header("origin", "chrome-extension://abcdef")
        .json(&serde_json::json!({"client": "aw-watcher-web", "type": "web.tab.current", "hostname": "h"}))
        .send()
        .await
        .expect("post");
    assert!(r.status().is_success(), "{}", r.status());
}

#[tokio::test]
async fn a_server_with_keys_answers_any_host() {
    // Without anonymous access a rebinding page has no key and no cookie
    // (cookies belong to the name it came by): any Host is answered, as a
    // server behind a proxy under its public name must be.
    let app = spawn_with(Options {
        allow_anonymous: false,
        ..Options::default()
    })
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/media"))
        .header("host", "aima.example.org")
        .send()
        .await
        .expect("get");
    expect_error(r, 401, "missing_api_key").await;
}
