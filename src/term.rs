//! Terminal facts and hygiene: the colour decision (`--color`, `NO_COLOR`, `TERM=dumb`, a tty), the
//! width the report for people is fitted to (`COLUMNS`, the terminal's size), and sanitising untrusted
//! text (server names, errors, stderr) before it reaches a terminal.
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
    /// The width tables and lines for people are fitted to (`table_width`); none: no limit.
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

/// The width the report for people is fitted to: `COLUMNS` when it is set to a positive number
/// (whether or not stdout is a terminal: `watch` sets it, and a pipe can ask for a width); else, when
/// stdout is a terminal, its width (`size`: none or 0 when it cannot be told, as under `script` or a
/// serial console: then 80); else none, no limit (a file, a pipe, cron).
pub fn table_width(
    stdout_tty: bool,
    columns: Option<&str>,
    size: impl FnOnce() -> Option<u16>,
) -> Option<u16> {
    if let Some(n) = columns
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    stdout_tty.then(|| size().filter(|w| *w > 0).unwrap_or(80))
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
    fn width_decision() {
        let never = || -> Option<u16> { panic!("not a terminal: its size is not asked") };
        // a terminal: its width; one that cannot tell (0, or no answer) counts as 80
        assert_eq!(table_width(true, None, || Some(132)), Some(132));
        assert_eq!(table_width(true, None, || Some(0)), Some(80));
        assert_eq!(table_width(true, None, || None), Some(80));
        // not a terminal: no limit
        assert_eq!(table_width(false, None, never), None);
        // COLUMNS wins, terminal or not; nonsense in it is ignored
        assert_eq!(table_width(false, Some("100"), never), Some(100));
        assert_eq!(table_width(true, Some(" 72 "), never), Some(72));
        assert_eq!(table_width(true, Some("0"), || Some(90)), Some(90));
        assert_eq!(table_width(true, Some("wide"), || Some(90)), Some(90));
        assert_eq!(table_width(false, Some(""), never), None);
    }

    #[test]
    fn escapes_terminal_control() {
        assert_eq!(sanitize("ok\x1b[2Jwiped"), "ok\\x1b[2Jwiped");
        assert_eq!(sanitize("a\nb"), "a\\nb");
        assert_eq!(sanitize("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(sanitize("plain – ünïcode"), "plain – ünïcode");
    }
}
