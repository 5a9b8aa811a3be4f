//! Fitting text for people to a terminal width: display widths (unicode-width, colour escapes not
//! counted), truncation with `…` (at the end, or in the middle for names), lines wrapped with a hanging
//! indent (breaking at ` · ` first, never between a number and its unit), and the column widths of a
//! table (`columns`: low-value columns give way first, the flexible column takes the spare space and is
//! truncated, never wrapped). Pure: it measures and cuts strings; what is shown is the renderers' call.

use std::io::Write;
use unicode_width::UnicodeWidthChar;

/// How many terminal columns `s` takes: wide characters count 2, colour escapes (`ESC [ … m`, which
/// only `paint` produces: untrusted text is sanitised before) count nothing.
pub fn width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // skip to the end of the escape sequence
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        n += c.width().unwrap_or(0);
    }
    n
}

/// `width(s)`, counted no further than `cap` (enough to know that it does not fit).
fn width_upto(s: &str, cap: usize) -> usize {
    let end = head(s, cap);
    if end < s.len() { cap + 1 } else { width(s) }
}

/// The longest start of `s` at most `w` columns wide, and where it ends (escapes kept whole).
fn head(s: &str, w: usize) -> usize {
    let mut used = 0;
    let mut in_escape = false;
    for (i, c) in s.char_indices() {
        if in_escape {
            in_escape = !c.is_ascii_alphabetic();
            continue;
        }
        if c == '\u{1b}' {
            in_escape = true;
            continue;
        }
        let cw = c.width().unwrap_or(0);
        if used + cw > w {
            return i;
        }
        used += cw;
    }
    s.len()
}

/// `s` cut to `w` columns with `…` at the end when it is wider.
pub fn truncate_end(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    // a cut that ends on a separator drops it (`13 tools…`, not `13 tools ·…`), and spaces keep the
    // width the column was given
    let kept = s[..head(s, w - 1)].trim_end_matches([' ', '·']);
    let pad = (w - 1).saturating_sub(width(kept));
    format!("{kept}…{}", " ".repeat(pad))
}

/// `s` cut to `w` columns with `…` in the middle when it is wider (a name's start and end both tell).
pub fn truncate_middle(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w < 3 {
        return truncate_end(s, w);
    }
    let keep = w - 1;
    let start = &s[..head(s, keep.div_ceil(2))];
    let back = keep - width(start);
    // the end: as many characters from the back as fit
    let rest = &s[start.len()..];
    let mut from = rest.len();
    let mut used = 0;
    for (i, c) in rest.char_indices().rev() {
        used += c.width().unwrap_or(0);
        if used > back {
            break;
        }
        from = i;
    }
    format!("{start}…{}", &rest[from..])
}

/// Words a line never breaks before: units, so a number keeps its unit (`12.5 ms`, `99.0 %`).
fn is_unit(word: &str) -> bool {
    matches!(
        word.trim_end_matches([',', ';', ')', ':']),
        "ms" | "s" | "%" | "B" | "KB" | "MB" | "GB" | "KiB" | "MiB" | "GiB" | "d" | "h" | "min"
    )
}

/// A word and what precedes it on the line.
struct Word<'a> {
    text: &'a str,
    /// ` · ` (a preferred break), ` `, or nothing (the first word).
    sep: &'a str,
    /// No break before it (a unit after its number).
    glued: bool,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let mut out: Vec<Word> = Vec::new();
    let mut pending_dot = false;
    for w in text.split(' ').filter(|w| !w.is_empty()) {
        if w == "·" && !out.is_empty() {
            pending_dot = true;
            continue;
        }
        let sep = match (out.is_empty(), pending_dot) {
            (true, _) => "",
            (false, true) => " · ",
            (false, false) => " ",
        };
        pending_dot = false;
        // a unit stays with its number, a number with its comparison (`≤ 3.2 ms`)
        let after_sign = out
            .last()
            .is_some_and(|p| matches!(p.text, "≤" | "≥" | "<" | ">" | "="));
        out.push(Word {
            text: w,
            sep,
            glued: !out.is_empty() && sep == " " && (is_unit(w) || after_sign),
        });
    }
    out
}

/// `text` wrapped into lines: the first at most `first` columns wide, the others at most `rest`.
/// Breaks at ` · ` when that keeps at least half a line (the `·` ends the line), else at a space, never
/// inside a number and its unit; a word longer than a line is cut.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut words = words(text);
    let mut lines = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let room = if lines.is_empty() { first } else { rest }.max(1);
        // how wide the line is from `start` up to (not including) word `end` (each word measured no
        // further than the room: a megabyte-long word costs a line's worth), and with a ` ·` ending
        let mut spans = vec![0];
        let mut best_space = None;
        let mut best_dot = None;
        for end in start + 1..=words.len() {
            let w = &words[end - 1];
            let sep = if end - 1 == start { 0 } else { width(w.sep) };
            let n = spans[spans.len() - 1] + sep + width_upto(w.text, room + 1);
            spans.push(n);
            let dot = end < words.len() && words[end].sep == " · ";
            if n + if dot { 2 } else { 0 } > room {
                break;
            }
            if end == words.len() {
                best_space = Some(end);
                best_dot = Some(end);
                break;
            }
            if words[end].glued {
                continue;
            }
            best_space = Some(end);
            if dot {
                best_dot = Some(end);
            }
        }
        let end = match (best_dot, best_space) {
            (Some(d), _) if d == words.len() || (spans[d - start] + 2) * 2 >= room => Some(d),
            (_, s) => s,
        };
        let mut line = String::new();
        match end {
            Some(end) => {
                line.push_str(words[start].text);
                for w in &words[start + 1..end] {
                    line.push_str(w.sep);
                    line.push_str(w.text);
                }
                if end < words.len() && words[end].sep == " · " {
                    line.push_str(" ·");
                }
                start = end;
            }
            None => {
                // one word wider than the line: cut it, its rest starts the next line
                let w = words[start].text;
                let cut = head(w, room).max(w.chars().next().map_or(1, char::len_utf8));
                lines.push(w[..cut].to_string());
                match &w[cut..] {
                    "" => start += 1,
                    left => words[start].text = left,
                }
                continue;
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Writes `lead` then `text`, wrapped to `width` (none: one line, as it is), the following lines
/// indented by `indent` columns.
pub fn write_wrapped(
    out: &mut dyn Write,
    lead: &str,
    text: &str,
    width: Option<u16>,
    indent: usize,
) -> std::io::Result<()> {
    let Some(w) = width.map(usize::from) else {
        return writeln!(out, "{lead}{text}");
    };
    // the text's own indentation stays on its first line
    let body = text.trim_start_matches(' ');
    let lead = format!("{lead}{}", &text[..text.len() - body.len()]);
    let text = body;
    let first = w.saturating_sub(self::width(&lead));
    let rest = w.saturating_sub(indent);
    for (i, line) in wrap(text, first, rest).iter().enumerate() {
        if i == 0 {
            writeln!(out, "{lead}{line}")?;
        } else {
            writeln!(out, "{:indent$}{line}", "")?;
        }
    }
    Ok(())
}

/// How a table column gives way when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Give {
    /// Never cut (numbers with units).
    Keep,
    /// Cut in the middle, down to this many columns (names).
    Middle(usize),
    /// Cut at the end, down to this many columns.
    End(usize),
}

/// A column: its header, how it gives way, and whether it takes the spare space (one column should).
#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub give: Give,
    pub flex: bool,
}

/// The width of each column's content for a table of `columns` over `rows` (cells as shown) in
/// `width` terminal columns (borders and padding of comfy-table's condensed presets counted), and
/// whether that fits with cuts alone (no cell wrapped). Without a width, or when everything fits, every column is as wide as its
/// content. Else the columns that give way are cut in order (the first named first) while the flexible
/// column keeps two fifths of the room; then the flexible one is cut too, down to its minimum; then,
/// only if that is not enough, the columns never cut are made narrower (their cells wrap), down to
/// their header or 8 columns. Below that, the table is wider than `width`.
pub fn columns(columns: &[Column], rows: &[Vec<String>], width: Option<u16>) -> (Vec<usize>, bool) {
    let natural: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|s| self::width(s))
                .chain([self::width(&c.header)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let Some(w) = width.map(usize::from) else {
        return (natural, true);
    };
    let room = w.saturating_sub(3 * columns.len() + 1);
    if natural.iter().sum::<usize>() <= room {
        return (natural, true);
    }
    let least: Vec<usize> = columns
        .iter()
        .zip(&natural)
        .map(|(c, &n)| match c.give {
            Give::Keep => n,
            Give::Middle(m) | Give::End(m) => n.min(m.max(self::width(&c.header))),
        })
        .collect();
    let mut widths = natural.clone();
    let flex = columns.iter().position(|c| c.flex);
    let goal = flex.map_or(0, |f| natural[f].min(least[f].max(room * 2 / 5)));
    let others = |widths: &[usize]| -> usize {
        widths
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != flex)
            .map(|(_, w)| w)
            .sum()
    };
    for i in 0..columns.len() {
        let over = (others(&widths) + goal).saturating_sub(room);
        if Some(i) == flex || over == 0 {
            continue;
        }
        widths[i] -= over.min(widths[i] - least[i]);
    }
    if let Some(f) = flex {
        widths[f] = natural[f].min(room.saturating_sub(others(&widths)).max(least[f]));
    }
    let fits = widths.iter().sum::<usize>() <= room;
    // still too wide: the columns never cut (numbers) wrap, down to their header or 8 columns
    for (i, c) in columns.iter().enumerate() {
        let over = widths.iter().sum::<usize>().saturating_sub(room);
        if c.give == Give::Keep && over > 0 {
            let word = c.header.split(' ').map(self::width).max().unwrap_or(0);
            let floor = natural[i].min(8).max(word);
            widths[i] -= over.min(widths[i].saturating_sub(floor));
        }
    }
    (widths, fits)
}

/// A comfy-table in the house style (condensed UTF-8 borders) of `cols` over `rows` (a cell: its text,
/// sanitised, and its colour when colours are on), fitted to `width` by `columns`: each cell cut to its
/// column, or wrapped in it for a column never cut; comfy-table itself arranges nothing.
pub fn table(
    cols: &[Column],
    rows: &[Vec<(String, Option<comfy_table::Color>)>],
    width: Option<u16>,
    color: bool,
) -> comfy_table::Table {
    use comfy_table::{Cell, Table, presets};
    let (widths, _) = columns(cols, &texts(rows), width);
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(
        cols.iter()
            .zip(&widths)
            .map(|(c, w)| cut(&c.header, Give::Keep, *w)),
    );
    for row in rows {
        table.add_row(row.iter().enumerate().map(|(i, (text, fg))| {
            let (give, w) = (cols[i].give, widths[i]);
            let cell = Cell::new(cut(text, give, w));
            match fg {
                Some(c) if color => cell.fg(*c),
                _ => cell,
            }
        }));
    }
    table
}

/// The texts of `table`'s rows, for `columns`.
pub fn texts(rows: &[Vec<(String, Option<comfy_table::Color>)>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|(t, _)| t.clone()).collect())
        .collect()
}

/// A cell's text cut to its column's width, the way the column gives way (a column never cut wraps).
pub fn cut(text: &str, give: Give, w: usize) -> String {
    match give {
        Give::Keep if width(text) > w => wrap(text, w, w).join("\n"),
        Give::Keep => text.to_string(),
        Give::Middle(_) => truncate_middle(text, w),
        Give::End(_) => truncate_end(text, w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_display_columns() {
        assert_eq!(width("a · b … └ ■"), 11);
        assert_eq!(width("\u{1b}[1m\u{1b}[32mOK\u{1b}[39m\u{1b}[0m"), 2);
        assert_eq!(width("日本"), 4);
    }

    #[test]
    fn truncation_marks_what_was_cut() {
        assert_eq!(truncate_end("connected · 9 tools", 12), "connected…  ");
        assert_eq!(width(&truncate_end("connected · 9 tools", 12)), 12);
        assert_eq!(truncate_end("connected · 9 tools", 14), "connected · 9…");
        assert_eq!(truncate_end("short", 12), "short");
        assert_eq!(truncate_middle("127.0.0.1:38621/mcp", 12), "127.0.…1/mcp");
        assert_eq!(truncate_middle("日本語のサーバー名", 7), "日…ー名");
    }

    #[test]
    fn wrapping_prefers_the_dot_and_keeps_units() {
        let lines = wrap(
            "latency (ms): min 1.50 · mean 3.83 · p50 2.76 · p90 3.77 · p95 3.90",
            40,
            38,
        );
        assert_eq!(
            lines,
            [
                "latency (ms): min 1.50 · mean 3.83 ·",
                "p50 2.76 · p90 3.77 · p95 3.90"
            ]
        );
        let lines = wrap("took 12.5 ms to answer", 10, 10);
        assert!(lines.iter().all(|l| width(l) <= 10), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("12.5 ms")), "{lines:?}");
        let lines = wrap("abcdefghijklmnop qr", 6, 6);
        assert_eq!(lines, ["abcdef", "ghijkl", "mnop", "qr"]);
        // a peer's megabyte without a space: cut in lines, in time linear in its length
        let lines = wrap(&"x".repeat(1_000_000), 80, 78);
        assert_eq!(lines.len(), 1 + (1_000_000 - 80_usize).div_ceil(78));
        assert!(lines.iter().all(|l| l.len() <= 80));
    }

    #[test]
    fn the_flexible_column_takes_the_room_left() {
        let cols = [
            Column {
                header: "NAME".into(),
                give: Give::Middle(8),
                flex: false,
            },
            Column {
                header: "TEXT".into(),
                give: Give::End(6),
                flex: true,
            },
            Column {
                header: "TIME".into(),
                give: Give::Keep,
                flex: false,
            },
        ];
        let rows = vec![vec![
            "a-rather-long-name".into(),
            "x".repeat(100),
            "12 ms".into(),
        ]];
        let (w, fits) = columns(&cols, &rows, Some(60));
        assert!(fits);
        assert_eq!(w.iter().sum::<usize>() + 10, 60, "{w:?}");
        assert_eq!(
            w[0], 18,
            "the name kept whole while the text has two fifths"
        );
        let (w, fits) = columns(&cols, &rows, Some(40));
        assert!(fits);
        assert_eq!(
            w,
            [13, 12, 5],
            "the name cut while the text keeps two fifths of 30"
        );
        let (w, _) = columns(&cols, &rows, None);
        assert_eq!(w, [18, 100, 5]);
    }
}
