//! Every way AIMA runs ffmpeg or ffprobe, given files that name another
//! file or a URL (a DASH manifest, an HLS playlist, a concat script): none
//! opens anything but the file it was given. The server refuses such
//! uploads at the probe; this holds even for a file that got past it (an
//! older library, a blob copied in by hand).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aima_media::{FrameSampling, KeyframeOptions, MediaTools};
use tokio_util::sync::CancellationToken;

async fn tripwire() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((_s, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, hits)
}

fn video(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("local.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=10",
        ])
        .args(["-f", "lavfi", "-i", "sine=f=440", "-t", "2", "-y"])
        .arg(&out)
        .status()
        .expect("ffmpeg is installed by the test command");
    assert!(status.success());
    out
}

fn dash(base: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000" width="160" height="120"><BaseURL>{base}</BaseURL></Representation></AdaptationSet></Period></MPD>"#
    )
}

#[tokio::test]
async fn no_run_of_a_tool_follows_a_reference() {
    let dir = tempfile::tempdir().expect("tmp");
    let local = video(dir.path());
    let (port, hits) = tripwire().await;
    let url = format!("http://127.0.0.1:{port}/x.mp4");
    let files = [
        dash(&format!("file://{}", local.display())),
        dash(&url),
        format!("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{url}\n#EXT-X-ENDLIST\n"),
        format!(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://{}\n#EXT-X-ENDLIST\n",
            local.display()
        ),
        format!("ffconcat version 1.0\nfile '{}'\n", local.display()),
        format!("ffconcat version 1.0\nfile '{url}'\n"),
    ];
    let tools = MediaTools::default();
    // The tools work on the local video itself (so a failure below is the
    // refusal, not a broken tool).
    assert!(tools.probe(&local).await.is_ok());
    for (i, text) in files.iter().enumerate() {
        // Named as a video, as an attacker would.
        let path = dir.path().join(format!("talk{i}.mp4"));
        std::fs::write(&path, text).expect("write");
        assert!(tools.probe(&path).await.is_err(), "probe read {text}");
        assert!(
            tools.decode_check(&path, 5.0).await.is_err(),
            "decode_check read {text}"
        );
        let mut frames = tools
            .frames(&path, &FrameSampling::default())
            .expect("ffmpeg starts");
        let first = frames.next_frame().await;
        assert!(
            !matches!(first, Ok(Some(_))),
            "frames of {text} were decoded"
        );
        let mut audio = tools.audio_stream(&path).expect("ffmpeg starts");
        let pcm = audio.read(16_000).await.unwrap_or_default();
        assert!(pcm.is_empty(), "audio of {text} was decoded");
        let out = dir.path().join(format!("kf{i}"));
        std::fs::create_dir_all(&out).expect("dir");
        let (tx, _rx) = tokio::sync::mpsc::channel(64);
        let kf = tools
            .keyframes(
                &path,
                &out,
                &KeyframeOptions::default(),
                Some(2.0),
                &CancellationToken::new(),
                tx,
            )
            .await;
        assert!(kf.is_err(), "keyframes of {text}: {kf:?}");
        assert_eq!(std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0), 0);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a tool opened a URL");
}
