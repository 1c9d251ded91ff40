//! Where the `aima` binary finds the prebuilt CTranslate2 library at run
//! time: beside itself (`$ORIGIN`), in `../lib` (an installed layout such as
//! /usr/local/bin + /usr/local/lib), and in the folder the build linked
//! against (`AIMA_CTRANSLATE2_LIB`, set by scripts/lib/ctranslate2.sh), so
//! `target/release/aima` runs where it was built without LD_LIBRARY_PATH.

fn main() {
    println!("cargo:rerun-if-env-changed=AIMA_CTRANSLATE2_LIB");
    if std::env::var_os("CARGO_FEATURE_CTRANSLATE2_PREBUILT").is_none() {
        return;
    }
    let mut path = String::from("$ORIGIN:$ORIGIN/../lib");
    if let Ok(dir) = std::env::var("AIMA_CTRANSLATE2_LIB") {
        path.push(':');
        path.push_str(&dir);
    }
    println!("cargo:rustc-link-arg=-Wl,-rpath,{path}");
}
