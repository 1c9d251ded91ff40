//! sqlite-vec's functions (`vec_f32`, `vec_distance_cosine`, ...) in every
//! SQLite connection the process opens. sqlx opens connections itself (and
//! its `Any` driver gives no handle to them), so the extension is registered
//! with SQLite's auto-extension list before the first connection: the one
//! way to add a statically linked extension, and an FFI call, which is why
//! it lives in a crate of its own instead of lifting the workspace's ban on
//! `unsafe`.

use std::sync::Once;

/// Registers sqlite-vec for every SQLite connection opened from now on
/// (idempotent).
pub fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_vec_init` is the extension's entry point with the
        // signature SQLite's auto-extension list expects (it is declared
        // without arguments by the sqlite-vec crate, hence the transmute, as
        // its documentation shows). `sqlite3_auto_extension` is thread-safe
        // and only stores the pointer, which lives for the whole program.
        #[allow(unsafe_code)]
        unsafe {
            type Entry = unsafe extern "C" fn(
                *mut libsqlite3_sys::sqlite3,
                *mut *mut std::os::raw::c_char,
                *const libsqlite3_sys::sqlite3_api_routines,
            ) -> std::os::raw::c_int;
            let entry: Entry = std::mem::transmute(sqlite_vec::sqlite3_vec_init as *const ());
            libsqlite3_sys::sqlite3_auto_extension(Some(entry));
        }
    });
}
