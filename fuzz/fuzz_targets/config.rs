//! A config file's text, either format (mcpmon's own `targets`, a client's `mcpServers`/`servers`), JSON
//! with comments: the strict and the lenient parse, then what every command does with the targets
//! (deadlines from their timeouts, names, `--warning`/`--critical`, `--target`, `validate`'s audit).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpmon::config::{self, audit, ranges};
use mcpmon::model::{DEFAULT_TIMEOUT, checked};
use std::path::Path;
use std::time::Instant;

fuzz_target!(|data: &[u8]| {
    // `config::read_file` refuses a file that is not UTF-8 before any parsing
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = config::jsonc::to_json(text);
    let env = |k: &str| (k == "MCP_TOKEN").then(|| "s3cret".to_string());
    let base = Some(Path::new("/etc/mcpmon"));
    let strict = config::parse_config(text, "fuzz.json", base, &env, DEFAULT_TIMEOUT);
    let lenient = config::parse_config_lenient(text, "fuzz.json", base, &env, DEFAULT_TIMEOUT);
    match (&strict, &lenient) {
        (Ok(s), Ok((l, problems))) => {
            assert!(
                problems.is_empty(),
                "strict accepted what lenient set aside"
            );
            assert_eq!(s.len(), l.len(), "strict and lenient disagree");
        }
        (Err(_), _) => {}
        (Ok(_), Err(e)) => panic!("lenient refused what strict accepted: {e:?}"),
    }
    let Ok((mut targets, problems)) = lenient else {
        return;
    };
    let now = Instant::now();
    for t in &targets {
        let _ = checked::after(now, t.timeout);
        let _ = t.detection_key();
        if let Some(p) = t.process() {
            let _ = checked::after(now, p.cpu_sample);
        }
        if let Some(h) = t.host() {
            let _ = checked::after(now, h.cpu_sample);
        }
        if let Some(h) = t.http() {
            let _ = mcpmon::probe::http::fuzz_document(
                h,
                br#"{"status":"ok","a":{"b":1}}"#,
                "application/json",
            );
        }
    }
    config::dedupe_names(&mut targets);
    let file = audit::FileFacts {
        shown: "fuzz.json",
        text,
        mode: Some(0o644),
    };
    let _ = audit::audit(&file, &targets, &problems, &env, &|p: &str| {
        (p == "npx").then(|| "/usr/bin/npx".to_string())
    });
    for arg in ["liveness=500", "tls_expiry=14:", "p95_latency=2000", "x=1"] {
        if let Ok(r) = ranges::parse(arg) {
            let _ = ranges::apply(&mut targets, &[(r, true)]);
        }
    }
    let names: Vec<String> = targets.iter().take(2).map(|t| t.name.clone()).collect();
    let _ = config::select(targets, &names);
});
