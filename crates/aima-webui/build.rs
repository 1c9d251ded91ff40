// The embedded UI is ui/dist: rebuild when it changes (rust-embed tracks
// the files it embeds, not files added later).
fn main() {
    println!("cargo:rerun-if-changed=../../ui/dist");
}
