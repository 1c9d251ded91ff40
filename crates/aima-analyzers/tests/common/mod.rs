//! What the analyzer tests share.

/// Runs ffmpeg (no shell) and fails the test with its message if it fails.
pub async fn ffmpeg(args: &[&str]) {
    let out = tokio::process::Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .await
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
