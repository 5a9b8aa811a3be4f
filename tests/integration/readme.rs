//! Command lines of the README run as written (no peers): each is found by its marker comment, so the
//! test fails when the README drifts from what is tested.

use crate::common::*;
use std::path::Path;

/// The first line starting with `prefix` in the first ```sh block after `marker` in README.md.
pub fn readme_line(marker: &str, prefix: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README.md has no {marker:?} marker"));
    let block = readme[at..].split("```sh\n").nth(1).unwrap();
    let block = block.split("```").next().unwrap();
    block
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} after {marker:?}"))
        .to_owned()
}

/// Runs a crontab line's command as cron would with the crontab's `SHELL=/bin/bash`, in `home` (where
/// ./mcpmon.json is the config), mcpmon on PATH and the node_exporter directory moved to `textfile_dir`:
/// (exit code, stdout, stderr).
pub fn run_cron_line(line: &str, home: &Path, textfile_dir: &Path) -> (i32, String, String) {
    let command = line.splitn(6, ' ').nth(5).unwrap().replace(
        "/var/lib/node_exporter",
        &textfile_dir.display().to_string(),
    );
    crate::readme_blocks::run_shell(&command, home)
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "mcpmon.prom")
        .collect();
    names.sort();
    names
}

#[test]
fn the_prometheus_cron_line_publishes_on_crit_and_keeps_the_last_file_on_unknown() {
    let line = readme_line("<!-- prometheus-cron:", "* * * * * ");
    let crontab = std::fs::read_to_string(root().join("examples/crontab")).unwrap();
    assert!(
        crontab.lines().any(|l| l == line),
        "examples/crontab's Prometheus line differs from the README's: {line}"
    );
    let home = tempdir();
    let textfile = home.path().join("node_exporter");
    std::fs::create_dir(&textfile).unwrap();
    let prom = textfile.join("mcpmon.prom");
    let config = home.path().join("mcpmon.json");

    // a server that is down: CRIT, exit 2, and the metrics must say so
    std::fs::write(
        &config,
        format!(
            r#"{{"targets": {{"down": {{"url": "http://127.0.0.1:{}/mcp"}}}}}}"#,
            closed_port()
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run_cron_line(&line, home.path(), &textfile);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let published = std::fs::read_to_string(&prom).unwrap();
    assert!(
        published.contains("mcpmon_status{command=\"health\"} 2"),
        "{published}"
    );
    assert!(published.contains("target=\"down\""), "{published}");
    assert_eq!(
        leftovers(&textfile),
        Vec::<String>::new(),
        "temp files left"
    );

    // mcpmon cannot evaluate (exit 3): the last published file stays, no temp file is left
    std::fs::write(&config, "{ not json").unwrap();
    let (_, stdout, stderr) = run_cron_line(&line, home.path(), &textfile);
    assert!(
        stderr.contains("mcpmon.json"),
        "the error reaches cron's mail: {stdout}\n{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&prom).unwrap(), published);
    assert_eq!(
        leftovers(&textfile),
        Vec::<String>::new(),
        "temp files left"
    );
}
