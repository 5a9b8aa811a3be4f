//! The `mcpmon` binary: parse arguments, resolve terminal and environment facts once, call the
//! library, map the outcome to an exit code. Nothing else.

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use mcpmon::cli::Cli;
use mcpmon::commands::Context;
use mcpmon::model::Exit;
use mcpmon::term::{TermFacts, use_color};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

enum Parsed {
    Cli(Box<Cli>),
    Man(PathBuf),
}

/// `mcpmon man DIR`: the man pages (`make man`, `make man-check`).
fn man(dir: &Path) -> ExitCode {
    match mcpmon::commands::man::run(dir) {
        Ok(pages) => {
            for page in pages {
                println!("wrote {}", page.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mcpmon: error: {e:#}");
            ExitCode::from(Exit::Usage.code())
        }
    }
}

fn main() -> ExitCode {
    // `Cli::try_parse()`, with the hidden build step `mcpmon man DIR` added (see cli::man_command)
    let mut cmd = Cli::command().subcommand(mcpmon::cli::man_command());
    let parsed = cmd
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|matches| {
            if let Some(man) = matches.subcommand_matches("man") {
                return Ok(Parsed::Man(
                    man.get_one::<PathBuf>("dir").cloned().unwrap_or_default(),
                ));
            }
            Cli::from_arg_matches(&matches).map(|cli| Parsed::Cli(Box::new(cli)))
        })
        .map_err(|e| e.format(&mut cmd));
    let cli = match parsed {
        Ok(Parsed::Cli(cli)) => *cli,
        Ok(Parsed::Man(dir)) => return man(&dir),
        Err(e) => {
            // clap's usage errors exit 2, which reads as CRITICAL: remap them to 3 (UNKNOWN), and say
            // them in one line.
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        ExitCode::from(Exit::Usage.code())
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                _ => {
                    eprintln!("{}", mcpmon::cli::usage_error(&e));
                    ExitCode::from(Exit::Usage.code())
                }
            };
        }
    };
    let env: std::collections::HashMap<String, String> = std::env::vars().collect();
    let stdout_tty = std::io::stdout().is_terminal();
    let term = TermFacts {
        stdout_tty,
        stderr_tty: std::io::stderr().is_terminal(),
        color: use_color(
            cli.global.color,
            stdout_tty,
            env.get("NO_COLOR").is_some_and(|v| !v.is_empty()),
            env.get("TERM").is_some_and(|t| t == "dumb"),
        ),
        width: mcpmon::term::table_width(
            stdout_tty,
            env.get("COLUMNS").map(String::as_str),
            terminal_width,
        ),
    };
    let xdg_config_home = env
        .get("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(Into::into)
        .or_else(|| {
            env.get("HOME")
                .map(|h| std::path::Path::new(h).join(".config"))
        });
    let ctx = Context {
        term,
        cwd: std::env::current_dir().unwrap_or_default(),
        xdg_config_home,
        env,
    };
    // the report is written once, here, after the command has finished
    match mcpmon::run(cli, &ctx).and_then(|outcome| mcpmon::deliver(outcome, &ctx.term)) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!(
                "mcpmon: error: {}",
                mcpmon::term::sanitize(&format!("{e:#}"))
            );
            ExitCode::from(Exit::Usage.code())
        }
    }
}

/// The terminal's width in columns (none when the terminal cannot tell).
fn terminal_width() -> Option<u16> {
    crossterm::terminal::size().ok().map(|(w, _)| w)
}
