//! What the X server knows: the active window (its class and title), time
//! since the last input (screensaver extension), and key presses, clicks
//! and pointer motion (XInput 2 raw events, counted between samples).

use x11rb::connection::{Connection, RequestConnection as _};
use x11rb::protocol::xinput::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, Window};
use x11rb::protocol::Event as XEvent;
use x11rb::rust_connection::RustConnection;

use crate::{Probe, Sample, WatchError};

pub struct X11Probe {
    conn: RustConnection,
    root: Window,
    net_active_window: u32,
    net_wm_name: u32,
    utf8_string: u32,
    screensaver: bool,
    raw_input: bool,
}

fn x<E: std::fmt::Display>(e: E) -> WatchError {
    WatchError::X11(e.to_string())
}

impl X11Probe {
    /// Connects to `display` (or `$DISPLAY`).
    pub fn connect(display: Option<&str>) -> Result<Self, WatchError> {
        let (conn, screen) = x11rb::connect(display).map_err(|e| {
            WatchError::X11(format!(
                "cannot open the X display {}: {e}",
                display
                    .map(String::from)
                    .or_else(|| std::env::var("DISPLAY").ok())
                    .unwrap_or_else(|| "($DISPLAY is not set)".into())
            ))
        })?;
        let root = conn.setup().roots[screen].root;
        let atom = |name: &[u8]| -> Result<u32, WatchError> {
            Ok(conn
                .intern_atom(false, name)
                .map_err(x)?
                .reply()
                .map_err(x)?
                .atom)
        };
        let net_active_window = atom(b"_NET_ACTIVE_WINDOW")?;
        let net_wm_name = atom(b"_NET_WM_NAME")?;
        let utf8_string = atom(b"UTF8_STRING")?;
        let screensaver = conn
            .extension_information(x11rb::protocol::screensaver::X11_EXTENSION_NAME)
            .map_err(x)?
            .is_some();
        // Raw input events from every master device, whatever has the focus.
        let raw_input = conn
            .xinput_xi_query_version(2, 0)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|v| v.major_version >= 2)
            && conn
                .xinput_xi_select_events(
                    root,
                    &[xinput::EventMask {
                        deviceid: 1, // XIAllMasterDevices
                        mask: vec![
                            xinput::XIEventMask::RAW_KEY_PRESS
                                | xinput::XIEventMask::RAW_BUTTON_PRESS
                                | xinput::XIEventMask::RAW_MOTION,
                        ],
                    }],
                )
                .ok()
                .and_then(|c| c.check().ok())
                .is_some();
        if !screensaver {
            tracing::warn!("the X server has no screensaver extension: idle time is unknown");
        }
        if !raw_input {
            tracing::warn!("the X server has no XInput 2: keyboard and mouse activity are unknown");
        }
        Ok(Self {
            conn,
            root,
            net_active_window,
            net_wm_name,
            utf8_string,
            screensaver,
            raw_input,
        })
    }

    fn text_property(&self, w: Window, prop: u32, ty: u32) -> Option<String> {
        let reply = self
            .conn
            .get_property(false, w, prop, ty, 0, 4096)
            .ok()?
            .reply()
            .ok()?;
        if reply.value.is_empty() {
            return None;
        }
        Some(String::from_utf8_lossy(&reply.value).into_owned())
    }

    /// The window the user works in: the window manager's active window,
    /// or (without one) the focused window and its ancestors up to one with
    /// a class.
    fn active_window(&self) -> Option<Window> {
        let active = self
            .conn
            .get_property(
                false,
                self.root,
                self.net_active_window,
                AtomEnum::WINDOW,
                0,
                1,
            )
            .ok()
            .and_then(|c| c.reply().ok())
            .and_then(|r| r.value32().and_then(|mut v| v.next()))
            .filter(|w| *w != 0);
        if active.is_some() {
            return active;
        }
        let mut w = self.conn.get_input_focus().ok()?.reply().ok()?.focus;
        for _ in 0..16 {
            if w <= 1 || w == self.root {
                return None;
            }
            if self.class(w).is_some() {
                return Some(w);
            }
            w = self.conn.query_tree(w).ok()?.reply().ok()?.parent;
        }
        None
    }

    /// WM_CLASS is "instance\0class\0": the class names the application.
    fn class(&self, w: Window) -> Option<String> {
        let raw = self.text_property(w, AtomEnum::WM_CLASS.into(), AtomEnum::STRING.into())?;
        let mut parts = raw.split('\0').filter(|s| !s.is_empty());
        let instance = parts.next().map(String::from);
        parts.next().map(String::from).or(instance)
    }

    fn title(&self, w: Window) -> String {
        self.text_property(w, self.net_wm_name, self.utf8_string)
            .or_else(|| self.text_property(w, AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()))
            .unwrap_or_default()
    }

    fn idle_ms(&self) -> Option<u64> {
        if !self.screensaver {
            return None;
        }
        use x11rb::protocol::screensaver::ConnectionExt as _;
        let r = self
            .conn
            .screensaver_query_info(self.root)
            .ok()?
            .reply()
            .ok()?;
        Some(r.ms_since_user_input as u64)
    }

    /// Input events since the last call: (key presses, clicks and motions).
    fn drain_input(&self) -> (u64, u64) {
        let (mut keys, mut mouse) = (0, 0);
        while let Ok(Some(event)) = self.conn.poll_for_event() {
            match event {
                XEvent::XinputRawKeyPress(_) => keys += 1,
                XEvent::XinputRawButtonPress(_) | XEvent::XinputRawMotion(_) => mouse += 1,
                _ => {}
            }
        }
        (keys, mouse)
    }
}

impl Probe for X11Probe {
    fn sample(&mut self) -> Result<Sample, WatchError> {
        let (keyboard, mouse) = self.drain_input();
        let window = self.active_window();
        let (app, title) = match window {
            Some(w) => (
                self.class(w).unwrap_or_else(|| "unknown".into()),
                self.title(w),
            ),
            None => ("unknown".into(), String::new()),
        };
        // A dead connection shows here: fail so the caller can reconnect.
        self.conn.flush().map_err(x)?;
        Ok(Sample {
            app,
            title,
            idle_ms: self.idle_ms(),
            keyboard: self.raw_input.then_some(keyboard),
            mouse: self.raw_input.then_some(mouse),
        })
    }
}
