//! `mcpmon man DIR` (hidden, wired in main.rs): the man pages, generated with clap_mangen (the clap project's own man
//! page generator) from the same definitions as `--help` and the completions. `make man` writes them to
//! man/, `make man-check` fails when man/ is stale.

use crate::cli::Cli;
use anyhow::Context as _;
use clap::CommandFactory;
use std::path::{Path, PathBuf};

/// Writes `mcpmon.1` and `mcpmon-<subcommand>.1` for every visible subcommand into `dir` (created if
/// missing) and returns the paths written, the top page first.
pub fn run(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    for page in std::iter::once(cmd.clone())
        .chain(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
    {
        let path = clap_mangen::Man::new(page)
            .generate_to(dir)
            .with_context(|| format!("cannot write a man page into {}", dir.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_page_for_mcpmon_and_each_visible_subcommand() {
        let dir = tempfile::tempdir().unwrap();
        let written = run(dir.path()).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names[0], "mcpmon.1");
        for sub in [
            "health",
            "alerts",
            "measure",
            "validate",
            "daily-summary",
            "dashboard",
        ] {
            assert!(names.contains(&format!("mcpmon-{sub}.1")), "{names:?}");
        }
        assert!(
            !names
                .iter()
                .any(|n| n == "mcpmon-man.1" || n == "mcpmon-help.1"),
            "{names:?}"
        );
        let top = std::fs::read_to_string(dir.path().join("mcpmon.1")).unwrap();
        assert!(top.starts_with(".ie \\n(.g .ds Aq"), "{}", &top[..80]);
        assert!(
            top.contains("mcpmon\\-health(1)") || top.contains("health"),
            "{top}"
        );
        let health = std::fs::read_to_string(dir.path().join("mcpmon-health.1")).unwrap();
        assert!(
            health.contains("Examples:"),
            "the after-help examples are in the page"
        );
        assert!(health.contains("\\-\\-watch"), "{health}");
    }
}
