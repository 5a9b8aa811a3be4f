//! The house rules of `src/`, checked on the source itself: the module graph has no cycle, the domain
//! (`model`) imports nothing of the crate, and each layer imports only the layers below it (README,
//! "Architecture"). A `use crate::…` that points up fails here, before it makes every change cost more.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its non-test code names through `crate::`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // test modules in their own file (`#[cfg(test)] mod tests;`) are not production code
            if path.extension().is_none_or(|e| e != "rs")
                || path.file_name().is_some_and(|n| n == "tests.rs")
            {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let top = first.trim_end_matches(".rs").to_string();
            if top == "main" || top == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // production code: up to the first test module (a `#[cfg(test)] mod tests;` declaration
            // at the top of a file does not end it)
            let text = text.replace("#[cfg(test)]\nmod tests;", "");
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let mine = edges.entry(top.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    group[..end]
                        .split(',')
                        .filter_map(|p| p.split("::").next())
                        .map(|p| p.trim().to_string())
                        .collect()
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    vec![rest[..end].to_string()]
                };
                for n in names {
                    if !n.is_empty() && n != top && n != "self" {
                        mine.insert(n);
                    }
                }
            }
        }
    }
    edges
}

/// The modules that can reach themselves.
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let reaches = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = g
            .get(from)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        while let Some(m) = todo.pop() {
            if seen.insert(m.to_string()) {
                todo.extend(g.get(m).into_iter().flatten().map(String::as_str));
            }
        }
        seen
    };
    g.keys()
        .filter(|m| reaches(m).contains(*m))
        .cloned()
        .collect()
}

#[test]
fn the_module_graph_has_no_cycle() {
    let g = graph();
    assert!(
        g.contains_key("model") && g.contains_key("commands"),
        "{g:?}"
    );
    assert_eq!(cycles(&g), Vec::<String>::new(), "{g:#?}");
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    // top to bottom; a module may import any module of a lower layer, none of its own or a higher one
    let layers: &[&[&str]] = &[
        &["tui"],
        &["commands"],
        &["cli"],
        &["report"],
        &["rules", "notify"],
        &["probe", "config", "store"],
        &["mcp"],
        &["net", "child", "term"],
        &["model"],
    ];
    let level = |m: &str| layers.iter().position(|l| l.contains(&m));
    let g = graph();
    let mut wrong = Vec::new();
    for (from, tos) in &g {
        let Some(lf) = level(from) else {
            wrong.push(format!("{from} is in no layer"));
            continue;
        };
        for to in tos {
            match level(to) {
                Some(lt) if lt > lf => {}
                _ => wrong.push(format!("{from} -> {to}")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that do not point down: {wrong:?}"
    );
    assert!(
        g.get("model").is_none_or(|m| m.is_empty()),
        "{:?}",
        g.get("model")
    );
}
