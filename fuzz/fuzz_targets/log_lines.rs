//! A log file's bytes, read as the log probe reads a tail: backwards in blocks, lines cut at a limit,
//! each parsed as a JSON line or plain text (level, message, timestamp, patterns), then judged and
//! compared with an earlier look. The first three bytes set the block size, the line limit and the
//! entries wanted, so small values reach the block-boundary and long-line paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpmon::model::{Checks, Facts, LogSpec, Observation, Pattern, default_patterns, growth};
use mcpmon::probe::logs::fuzz_tail;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Some((head, body)) = data.split_first_chunk::<3>() else {
        return;
    };
    let block = usize::from(head[0] % 64) + 1;
    let max_line = usize::from(head[1] % 128) + 1;
    let entries = usize::from(head[2] % 40);
    let mut patterns = default_patterns();
    patterns.push(Pattern::new("custom", &["", "ERR", "é", "disconnect"]));
    patterns.push(Pattern::new("custom", &["ΣΑΣ"]));
    let mut spec = LogSpec::new("/var/log/fuzz.log");
    spec.entries = entries;
    spec.patterns = patterns;
    let small = fuzz_tail(body, &spec, block, max_line, u64::MAX).expect("reading from memory");
    // with lines that fit, the block size must not change what is found
    let whole =
        fuzz_tail(body, &spec, 64 * 1024, 1024 * 1024, u64::MAX).expect("reading from memory");
    let fits = fuzz_tail(body, &spec, block, 1024 * 1024, u64::MAX).expect("reading from memory");
    assert_eq!(
        (
            fits.entries_read,
            &fits.levels,
            &fits.patterns,
            &fits.last_error,
            &fits.newest_timestamp,
            fits.invalid_utf8_lines
        ),
        (
            whole.entries_read,
            &whole.levels,
            &whole.patterns,
            &whole.last_error,
            &whole.newest_timestamp,
            whole.invalid_utf8_lines
        ),
        "block size {block} changed the facts"
    );
    let limited =
        fuzz_tail(body, &spec, block, max_line, u64::from(head[0])).expect("reading from memory");
    for facts in [small, whole, limited] {
        let obs = Observation {
            target: "fuzz".into(),
            endpoint: "/var/log/fuzz.log".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration: Duration::from_millis(1),
            failure: None,
            facts: Facts::Log(Box::new(facts.clone())),
        };
        let _ = mcpmon::rules::logs::findings(&obs, &facts, &Checks::default());
        let mark = facts.mark();
        let _ = growth(None, &mark);
        let _ = growth(Some(&mark), &mark);
    }
});
