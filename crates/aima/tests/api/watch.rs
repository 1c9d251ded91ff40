//! `aima watch` on a real X display (Xvfb) with real windows (xmessage),
//! switched with xdotool: the active window and typing reach the server,
//! and what happens while the server is down is kept on disk and arrives
//! after it restarts.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

use crate::helpers::*;

/// An Xvfb server on a display number it picks itself; killed on drop.
struct Display {
    name: String,
    _server: Child,
}

async fn xvfb() -> Display {
    let mut server = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            "640x480x24",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("Xvfb is installed by the test command");
    let stdout = server.stdout.take().expect("stdout");
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(20),
        tokio::io::BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("Xvfb announces its display")
    .expect("read display");
    Display {
        name: format!(":{}", line.trim()),
        _server: server,
    }
}

fn window(d: &Display, title: &str) -> Child {
    Command::new("xmessage")
        .args(["-title", title, title])
        .env("DISPLAY", &d.name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("xmessage (x11-utils) is installed by the test command")
}

async fn xdotool(d: &Display, args: &[&str]) {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", &d.name)
        .output()
        .await
        .expect("xdotool is installed by the test command");
    assert!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn focus(d: &Display, title: &str) {
    // The window may take a moment to map.
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let out = Command::new("xdotool")
            .args([
                "search",
                "--name",
                &format!("^{title}$"),
                "windowfocus",
                "--sync",
            ])
            .env("DISPLAY", &d.name)
            .output()
            .await
            .expect("xdotool");
        if out.status.success() {
            return;
        }
        assert!(Instant::now() < until, "no window {title:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn watched(app: &TestApp) -> Vec<Value> {
    let (_, page) = app
        .get_json("/api/v1/activity?limit=1000&bucket=aima-watch_testhost")
        .await;
    page["items"].as_array().cloned().unwrap_or_default()
}

fn titles(events: &[Value]) -> Vec<String> {
    let mut t: Vec<String> = events
        .iter()
        .rev()
        .map(|e| e["data"]["title"].as_str().unwrap_or_default().to_string())
        .collect();
    t.dedup();
    t
}

#[tokio::test]
async fn watch_follows_real_windows_and_buffers_while_the_server_is_down() {
    let mut app = spawn_app().await;
    let display = xvfb().await;
    let _windows = [
        window(&display, "Alpha report"),
        window(&display, "Beta chat"),
        window(&display, "Gamma offline"),
    ];
    let spool = app.data.path().join("spool.jsonl");
    let mut watch = Command::new(env!("CARGO_BIN_EXE_aima"))
        .args([
            "watch",
            "--interval",
            "0.5",
            "--hostname",
            "testhost",
            "--display",
            &display.name,
        ])
        .args(["--server", &app.url("")])
        .arg("--spool")
        .arg(&spool)
        .env("AIMA_CONFIG", "/nonexistent")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("aima watch");

    focus(&display, "Alpha report").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    xdotool(&display, &["type", "--delay", "50", "budget"]).await;
    xdotool(
        &display,
        &[
            "mousemove_relative",
            "5",
            "5",
            "mousemove_relative",
            "5",
            "5",
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    focus(&display, "Beta chat").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let seen = titles(&watched(&app).await);
    assert!(
        seen.contains(&"Alpha report".to_string()) && seen.contains(&"Beta chat".to_string()),
        "{seen:?}"
    );

    // The server goes away; the user switches window.
    app.stop().await;
    focus(&display, "Gamma offline").await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let pending = std::fs::read_to_string(&spool).unwrap_or_default();
    assert!(
        pending.contains("Gamma offline"),
        "kept on disk while the server is down: {pending}"
    );

    // Back: everything arrives, in order, and the spool empties.
    app.restart().await;
    let until = Instant::now() + Duration::from_secs(30);
    let events = loop {
        let events = watched(&app).await;
        if titles(&events).contains(&"Gamma offline".to_string())
            && std::fs::read_to_string(&spool)
                .map(|s| s.trim().is_empty())
                .unwrap_or(false)
        {
            break events;
        }
        assert!(
            Instant::now() < until,
            "buffered heartbeats never arrived: {:?}",
            titles(&events)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let order = titles(&events);
    let pos = |t: &str| order.iter().position(|x| x == t).unwrap_or(usize::MAX);
    assert!(
        pos("Alpha report") < pos("Beta chat") && pos("Beta chat") < pos("Gamma offline"),
        "{order:?}"
    );
    for e in &events {
        assert_eq!(e["data"]["app"], "Xmessage", "{e}");
        assert_eq!(e["data"]["idle"], false, "{e}");
    }
    let typed: i64 = events
        .iter()
        .filter(|e| e["data"]["title"] == "Alpha report")
        .map(|e| e["data"]["keyboard"].as_i64().unwrap_or(0))
        .sum();
    assert!(
        typed >= 6,
        "six keys typed into Alpha report, counted {typed}"
    );
    // The pointer moved twice while Alpha report had the focus.
    let moved: i64 = events
        .iter()
        .filter(|e| e["data"]["title"] == "Alpha report")
        .map(|e| e["data"]["mouse"].as_i64().unwrap_or(0))
        .sum();
    assert!(
        moved >= 2,
        "two pointer moves over Alpha report, counted {moved}"
    );
    let _ = watch.start_kill();
    let out = watch.wait_with_output().await.expect("watch ends");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("server unreachable"), "{log}");
}
