//! The store's modules form layers: each imports only from modules below
//! it, and the foundation (`sql`) imports nothing of the crate but its error.
//! Read from the source, so a new import that closes a loop fails here
//! (`scripts/test.sh` runs it with every crate's tests).
//!
//! An import is any `crate::<module>` path in a module's code (a `use` or a
//! path written out). `lib.rs` is the top, composing the rest, and is not a
//! module of the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module of `src/` and the modules of the crate it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .to_string();
        if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            modules.insert(name, std::fs::read_to_string(&path).expect("read"));
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, text)| {
            let code: String = text
                .lines()
                .map(|line| line.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            let mut uses = BTreeSet::new();
            let mut name_used = |target: &str| {
                if names.contains(target) {
                    if target != name {
                        uses.insert(target.to_string());
                    }
                } else if !target.is_empty() {
                    // `crate::Name` reaches past the modules through
                    // lib.rs's re-exports: not allowed below the top.
                    uses.insert(format!("lib (crate::{target})"));
                }
            };
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // `use crate::{a::X, b::Y}`
                    for part in group.split('}').next().unwrap_or("").split(',') {
                        name_used(part.trim().split("::").next().unwrap_or("").trim());
                    }
                } else {
                    let target: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    name_used(&target);
                }
            }
            (name.clone(), uses)
        })
        .collect()
}

/// A loop of imports, if the graph has one.
fn find_loop(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn the_store_modules_import_each_other_without_a_loop() {
    let graph = graph();
    assert!(graph.len() > 10, "the modules were not read: {graph:?}");
    for (name, uses) in &graph {
        let via_lib: Vec<_> = uses.iter().filter(|u| u.starts_with("lib ")).collect();
        assert!(
            via_lib.is_empty(),
            "{name}.rs names {via_lib:?}: import from the module that defines it"
        );
    }
    if let Some(cycle) = find_loop(&graph) {
        panic!(
            "the store's modules import in a loop: {}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn the_foundation_imports_nothing_but_the_error() {
    let graph = graph();
    assert_eq!(
        graph["error"],
        BTreeSet::new(),
        "error.rs is the bottom of the crate"
    );
    let allowed: BTreeSet<String> = ["error".to_string()].into();
    assert_eq!(
        graph["sql"], allowed,
        "sql.rs, the foundation, imports only the error"
    );
}

#[test]
fn the_loop_finder_finds_a_loop() {
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        find_loop(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    g.insert("c".to_string(), BTreeSet::new());
    assert_eq!(find_loop(&g), None);
}
