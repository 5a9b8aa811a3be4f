//! The table for people fitted to the width it is shown in: a pseudo-terminal that cannot tell its size
//! (as under `script`, or a serial console) counts as 80 columns, and `COLUMNS` sets the width even
//! when stdout is a pipe. Against the real everything server.

use crate::common::*;
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

/// The rows of a table (lines between its borders: the header, then one line per row).
fn table_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with('│')).collect()
}

#[test]
fn a_terminal_without_a_size_is_80_columns_wide() {
    let home = tempdir();
    let command = format!(
        "{} --color never health {}",
        bin(),
        peer("EVERYTHING_HTTP_URL")
    );
    // script(1) runs the command on a new pseudo-terminal; with no terminal on its own stdin, that
    // terminal has no size (0 × 0). `-e`: script exits with the command's code.
    let out = assert_cmd::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_STATE_HOME", home.path().join(".state"))
        .current_dir(home.path())
        .timeout(Duration::from_secs(60))
        .output()
        .expect("script(1) from util-linux");
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert_eq!(out.status.code(), Some(0), "{text}");
    // the summary is longer than 80 columns allow: the table is exactly 80 wide, one line per row
    let widths: Vec<usize> = text.lines().map(UnicodeWidthStr::width).collect();
    assert_eq!(widths.first(), Some(&80), "{text}");
    assert!(widths.iter().all(|w| *w <= 80), "{text}");
    let rows = table_lines(&text);
    assert_eq!(rows.len(), 2, "the header and the server's row:\n{text}");
    assert!(
        rows[0].contains("SUMMARY") && rows[0].contains("READY / PING"),
        "{text}"
    );
    assert!(
        rows[1].contains('…'),
        "the summary is cut, not wrapped:\n{text}"
    );
}

#[test]
fn columns_sets_the_width_of_a_pipe() {
    let home = tempdir();
    let url = peer("EVERYTHING_HTTP_URL");
    let out = mcpmon(home.path())
        .env("COLUMNS", "100")
        .args(["health", url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.lines().next().map(UnicodeWidthStr::width),
        Some(100),
        "{text}"
    );
    assert_eq!(table_lines(&text).len(), 2, "{text}");
    // without it, a pipe has no limit: the summary whole
    let (_, plain, _) = run(home.path(), &["health", url]);
    assert!(
        plain.lines().next().map(UnicodeWidthStr::width) > Some(100),
        "{plain}"
    );
    assert!(!plain.contains('…'), "{plain}");
}
