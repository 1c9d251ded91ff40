//! Where the `aima` binary finds the prebuilt CTranslate2 library at run
//! time: beside itself (`$ORIGIN`), in `../lib` (an installed layout such as
//! /usr/local/bin + /usr/local/lib), and in the folder the build linked
//! against (`AIMA_CTRANSLATE2_LIB`, set by scripts/lib/ctranslate2.sh), so
//! `target/release/aima` runs where it was built without LD_LIBRARY_PATH.
//! And the commit it was built from, for `aima --version`.

fn main() {
    commit();
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

/// `AIMA_COMMIT`: `AIMA_COMMIT` from the environment (the Docker build,
/// which has no `.git`: `--build-arg AIMA_COMMIT=...`), else the commit of
/// the checkout, else `unknown`. Looked up again when a commit is made.
fn commit() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let git = root.join(".git");
    // Only paths that exist: cargo reruns a build script at every build
    // for a path that does not (a tree without .git relinked aima each time:
    // 61 s for serve.sh's warm start on the clean root).
    for f in ["HEAD", "refs/heads", "packed-refs"] {
        let path = git.join(f);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    println!("cargo:rerun-if-env-changed=AIMA_COMMIT");
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = std::env::var("AIMA_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| run(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=AIMA_COMMIT={commit}");
}
