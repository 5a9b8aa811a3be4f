//! Terminal facts and hygiene: the colour decision (`--color`, `NO_COLOR`, `TERM=dumb`, a tty) and
//! sanitising untrusted text (server names, errors, stderr) before it reaches a terminal.
//!
//! The decision is made once in `main` from values passed in; nothing here reads the environment.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb.
    #[default]
    Auto,
    Always,
    Never,
}

/// What `main` learnt about the terminal, passed down as plain values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TermFacts {
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    pub color: bool,
    /// Terminal width in columns, when stdout is a terminal.
    pub width: Option<u16>,
}

/// Resolves `--color` against the environment facts.
pub fn use_color(choice: ColorChoice, stdout_tty: bool, no_color: bool, term_dumb: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_tty && !no_color && !term_dumb,
    }
}

/// Escapes control characters and bidirectional overrides so untrusted text cannot move the cursor,
/// change colours, hide itself or reorder a line. Newlines become `\n` so a cell stays one line.
pub fn sanitize(s: &str) -> String {
    let s = crate::model::secret::clean(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_decision() {
        assert!(use_color(ColorChoice::Auto, true, false, false));
        assert!(!use_color(ColorChoice::Auto, false, false, false));
        assert!(!use_color(ColorChoice::Auto, true, true, false));
        assert!(!use_color(ColorChoice::Auto, true, false, true));
        assert!(use_color(ColorChoice::Always, false, true, true));
        assert!(!use_color(ColorChoice::Never, true, false, false));
    }

    #[test]
    fn escapes_terminal_control() {
        assert_eq!(sanitize("ok\x1b[2Jwiped"), "ok\\x1b[2Jwiped");
        assert_eq!(sanitize("a\nb"), "a\\nb");
        assert_eq!(sanitize("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(sanitize("plain – ünïcode"), "plain – ünïcode");
    }
}
