//! `mcpmon completions <shell>`: completion scripts generated from the clap definitions.

use crate::cli::Cli;
use clap::CommandFactory;

pub fn run(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "mcpmon", out);
}
