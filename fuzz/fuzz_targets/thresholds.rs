//! A `--thresholds` file (`config/alerts.json`: `critical`/`warning` → name → number or state), then a
//! stats document judged with it as `health --stats-url` judges one: the input is the thresholds text,
//! a NUL byte, and the document (JSON, or Prometheus text). `--warning`/`--critical` ranges are read
//! from the thresholds text's lines too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpmon::config::{alerts_json, ranges};
use mcpmon::model::{Checks, Facts, HttpCheck, MetricSource, Observation};
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let (text, doc) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (
            data,
            &b"{\"llm_success_rate\": 0.93, \"circuit_breaker_state\": \"half-open\"}"[..],
        ),
    };
    // `config::read_file` refuses a file that is not UTF-8 before any parsing
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    for line in text.lines().take(8) {
        let _ = ranges::parse(line);
    }
    let Ok((metrics, states)) = alerts_json::parse(text, "alerts.json") else {
        return;
    };
    // the same thresholds read by name (as the file gives them) and as Prometheus samples
    let prometheus = metrics
        .iter()
        .cloned()
        .map(|mut m| {
            m.source = MetricSource::Prometheus {
                name: m.name.clone(),
                labels: Vec::new(),
            };
            m
        })
        .collect();
    for (metrics, ctype) in [(metrics, "application/json"), (prometheus, "text/plain")] {
        let spec = HttpCheck {
            url: "http://127.0.0.1:9/stats".into(),
            headers: Vec::new(),
            expect_status: Vec::new(),
            asserts: Vec::new(),
            metrics,
            states: states.clone(),
            ca_file: None,
        };
        let (facts, failure) = match mcpmon::probe::http::fuzz_document(&spec, doc, ctype) {
            Ok(f) => (f, None),
            Err(f) => (Default::default(), Some(f)),
        };
        let obs = Observation {
            target: "stats".into(),
            endpoint: spec.url.clone(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration: Duration::from_millis(3),
            failure,
            facts: Facts::Http(Box::new(facts.clone())),
        };
        let _ = mcpmon::rules::http::findings(&obs, &facts, &Checks::default());
    }
});
