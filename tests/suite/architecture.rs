//! The rooms of `docs/architecture.md`, checked by reading the sources: the
//! pages never call the JSON API's handlers, the web never calls the store
//! (it may name a store type it renders), and no two modules import each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).expect("under src").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).expect("read file"))
        })
        .collect()
}

/// `web/pages/needs.rs` → `web::pages::needs`; `web/mod.rs` → `web`; `lib.rs` → ``.
fn module_of(file: &str) -> String {
    let stem = file.trim_end_matches(".rs");
    let stem = stem.strip_suffix("/mod").unwrap_or(stem);
    match stem {
        "lib" | "main" => String::new(),
        s => s.replace('/', "::"),
    }
}

/// The code of a file without comments, strings and its `#[cfg(test)]` module
/// (tests may reach anywhere).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every `crate::…`/`super::…`/`self::…` path the code names, `use` trees expanded.
fn paths_in(code: &str) -> Vec<String> {
    fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let head = tree[..open].trim().trim_end_matches("::");
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let base = if head.is_empty() { prefix.to_string() } else { join(prefix, head) };
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&base, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            expand(&base, &inner[start..], out);
        } else if !tree.is_empty() {
            let item = tree.split(" as ").next().unwrap_or(tree).trim();
            if item == "self" {
                out.push(prefix.to_string());
            } else {
                out.push(join(prefix, item));
            }
        }
    }
    fn join(a: &str, b: &str) -> String {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}::{b}")
        }
    }
    let mut out = Vec::new();
    for stmt in code.split(';') {
        let s = stmt.trim_start();
        let s = s.strip_prefix("pub ").unwrap_or(s);
        let s = s.strip_prefix("pub(crate) ").unwrap_or(s);
        if let Some(tree) = s.strip_prefix("use ") {
            expand("", tree, &mut out);
        }
    }
    // paths written inline, e.g. `crate::store::needs::get(…)`
    let bytes: Vec<char> = code.chars().collect();
    let text: String = bytes.iter().collect();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            let prev = text[..at].chars().last();
            if !prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                let rest: String =
                    text[at..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                // `crate::x::{a, b}` is a use tree, read whole by the `use` expansion above
                if !text[at + rest.len()..].starts_with('{') {
                    out.push(rest.trim_end_matches(':').to_string());
                }
            }
            from = at + start.len();
        }
    }
    out
}

/// A path as absolute segments, from the module that wrote it.
fn absolute(module: &str, path: &str) -> Option<Vec<String>> {
    let mut segs: Vec<String> = path.split("::").map(str::to_string).collect();
    let mut base: Vec<String> =
        if module.is_empty() { vec![] } else { module.split("::").map(str::to_string).collect() };
    match segs.first().map(String::as_str) {
        Some("crate") => {
            segs.remove(0);
            Some(segs)
        }
        Some("super") => {
            while segs.first().map(String::as_str) == Some("super") {
                segs.remove(0);
                base.pop()?;
            }
            base.extend(segs);
            Some(base)
        }
        Some("self") => {
            segs.remove(0);
            base.extend(segs);
            Some(base)
        }
        _ => None,
    }
}

#[test]
fn pages_do_not_call_the_api_and_the_web_does_not_call_the_store() {
    let mut found = Vec::new();
    for (file, text) in sources() {
        if !file.starts_with("web/") {
            continue;
        }
        let module = module_of(&file);
        for p in paths_in(&code_of(&text)) {
            let Some(abs) = absolute(&module, &p) else { continue };
            let names_a_type = abs.last().is_some_and(|s| s.chars().next().is_some_and(char::is_uppercase));
            if abs.first().map(String::as_str) == Some("store") && !names_a_type {
                found.push(format!("{file}: calls the store: {p}"));
            }
            if file.starts_with("web/pages/")
                && abs.len() >= 2
                && abs[0] == "web"
                && abs[1] == "api"
                && !names_a_type
                && abs.len() > 2
            {
                found.push(format!("{file}: calls the JSON API: {p}"));
            }
        }
    }
    assert!(found.is_empty(), "the adapters reach past the use cases:\n{}", found.join("\n"));
}

#[test]
fn no_two_modules_import_each_other() {
    let files = sources();
    let modules: BTreeSet<String> = files.iter().map(|(f, _)| module_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &files {
        let from = module_of(file);
        for p in paths_in(&code_of(text)) {
            let Some(abs) = absolute(&from, &p) else { continue };
            // the longest module the path is inside
            let to = (1..=abs.len()).rev().map(|n| abs[..n].join("::")).find(|m| modules.contains(m));
            let Some(to) = to else { continue };
            // a module and the modules inside it are one room: `mod.rs` routes to its children,
            // children use their parent's helpers
            let nested = |a: &str, b: &str| a.is_empty() || b.starts_with(&format!("{a}::"));
            if to != from && !nested(&from, &to) && !nested(&to, &from) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // a cycle is a strongly connected set of two or more modules; find one by depth-first search
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    cycles.push(path.join(" → ") + " → " + start);
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "modules that import each other: {}", cycles.join("; "));
    assert!(edges.get("web::pages::needs").is_some_and(|e| e.contains("app::needs")), "the graph was not read");
}
