//! The log probe: the last N entries of one log file, read backwards from its end in fixed-size blocks,
//! then counted (levels, named patterns, the newest error and timestamp), plus the file facts (size,
//! modification time, identity) that let a caller tell growth, truncation and rotation apart between looks.
//!
//! Owns: bounded tail reading, parsing one line into an entry (JSON lines and plain text), `LogMark` and
//! `growth`. Must not: read the whole file or let its cost grow with the file's size, buffer more than a
//! few MiB whatever the file holds, follow or watch the file, read the clock or the environment, decide a
//! verdict (thresholds are `rules`), or print (log text is untrusted; it is sanitised where it is rendered).
//! Synchronous and std-only on purpose: callers run it in `tokio::task::spawn_blocking`.

use crate::model::Failure;
use crate::model::Reason;
use crate::model::{
    Counted, Growth, LogFacts, LogFormat, LogMark, LogSpec, LogWindow, OutputFacts, Pattern,
    PatternHits, growth,
};
use serde_json::Value;
use std::borrow::Cow;
use std::fs::{File, Metadata};
use std::io::{self, ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;
use std::time::SystemTime;

/// The file is read backwards in blocks of this size.
pub const BLOCK_BYTES: usize = 64 * 1024;
/// A line longer than this is parsed from its first `MAX_LINE_BYTES` bytes only (and counted in `truncated_lines`).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Reading stops after this many bytes even when fewer entries were found (`LogFacts::scan_limited`): it
/// bounds the cost on a file of very long lines; ordinary logs never come near it.
pub const MAX_SCAN_BYTES: u64 = 64 * 1024 * 1024;
/// `LogFacts::last_error` is cut to this many characters.
pub const LAST_ERROR_CHARS: usize = 300;
/// The normalised level names, every one always present in `LogFacts::levels`.
pub const LEVEL_NAMES: [&str; 6] = ["error", "warn", "info", "debug", "trace", "other"];

/// A line repeated back to back more than this many times is a storm (`LogFacts::storm`).
pub const STORM_AT: usize = 100;
/// Of a storm, this many copies count as entries; the rest are skipped, so the window reaches past it.
pub const REPEATS_COUNTED: usize = 10;
/// At most this many copies of a storm are skipped (then they count again): the scan stays bounded
/// whatever the file holds.
pub const MAX_STORM_LINES: usize = 100_000;
/// `LogFacts::storm`'s line is cut to this many characters.
const STORM_LINE_CHARS: usize = 160;

/// How many times a read is restarted when the file shrinks under it (truncation or rewrite while reading).
const ATTEMPTS: usize = 3;

/// Reads the last `spec.entries` entries of `spec.path` and counts them. The cost depends on the entries
/// wanted and their length, not on the file's size. A missing file is `file_missing`; a directory, a
/// non-regular file or an I/O error is `file_unreadable`; an empty file is fine (`LogFormat::Empty`).
pub fn read_tail(spec: &LogSpec) -> Result<LogFacts, Failure> {
    read_tail_within(spec, MAX_SCAN_BYTES)
}

fn read_tail_within(spec: &LogSpec, max_scan: u64) -> Result<LogFacts, Failure> {
    let Some(path) = spec.path() else {
        return Err(Failure::new(
            Reason::InternalError,
            "internal error: not a log file",
        ));
    };
    // Checked before opening: opening a FIFO would block until a writer appears.
    let meta = std::fs::metadata(path).map_err(|e| open_failure(path, &e))?;
    if meta.is_dir() {
        return Err(Failure::new(
            Reason::FileUnreadable,
            format!("{} is a directory, not a log file", path.display()),
        ));
    }
    if !meta.is_file() {
        return Err(Failure::new(
            Reason::FileUnreadable,
            format!("{} is not a regular file", path.display()),
        ));
    }
    for _ in 0..ATTEMPTS {
        let mut file = File::open(path).map_err(|e| open_failure(path, &e))?;
        match read_open_file(&mut file, spec, max_scan) {
            Ok(facts) => return Ok(facts),
            // The file shrank while it was read (truncated or rewritten): look again.
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => continue,
            Err(e) => {
                return Err(Failure::new(
                    Reason::FileUnreadable,
                    format!("reading {}: {e}", path.display()),
                ));
            }
        }
    }
    Err(Failure::new(
        Reason::FileUnreadable,
        format!(
            "{} shrank while being read, {ATTEMPTS} times in a row",
            path.display()
        ),
    ))
}

fn open_failure(path: &Path, e: &io::Error) -> Failure {
    if e.kind() == ErrorKind::NotFound {
        Failure::new(
            Reason::FileMissing,
            format!("log file {} does not exist", path.display()),
        )
    } else {
        Failure::new(
            Reason::FileUnreadable,
            format!("cannot read log file {}: {e}", path.display()),
        )
    }
}

fn read_open_file(file: &mut File, spec: &LogSpec, max_scan: u64) -> io::Result<LogFacts> {
    let meta = file.metadata()?;
    let size = meta.len();
    let id = file_id(&meta);
    let limits = Limits {
        block: BLOCK_BYTES,
        max_line: MAX_LINE_BYTES,
        max_scan,
    };
    let (tally, scan) = count(file, size, spec, window_start(spec, size, id), limits)?;
    Ok(tally.into_facts(size, meta.modified().ok(), id, scan))
}

/// Where the judged patterns' window starts in a file of `size` bytes and identity `id`, after the
/// last look's mark: past the lines seen then, or the start of a rotated or truncated file. The tail
/// (`Counted::Tail`, `Counted::FirstLook`) when the spec asks for it or there is no mark.
fn window_start(spec: &LogSpec, size: u64, id: Option<(u64, u64)>) -> (Counted, Option<u64>) {
    if spec.window == LogWindow::Tail {
        return (Counted::Tail, None);
    }
    let Some(prev) = spec.since.as_ref() else {
        return (Counted::FirstLook, None);
    };
    let now = LogMark {
        size_bytes: size,
        file_id: id,
        modified_unix_ms: None,
        complete_bytes: None,
    };
    let same = matches!(
        growth(Some(prev), &now),
        Growth::Grew { .. } | Growth::Unchanged
    );
    let (from, rotated) = if same && prev.lines_end() <= size {
        (prev.lines_end(), false)
    } else {
        (0, true)
    };
    let window = Counted::New {
        lines: 0,
        rotated,
        limited: false,
    };
    (window, Some(from))
}

/// Reads the first `size` bytes of `r` backwards: the last `spec.entries` entries, and (`from`) every
/// complete line starting at or after that offset for the judged patterns.
fn count<R: Read + Seek>(
    r: &mut R,
    size: u64,
    spec: &LogSpec,
    (window, from): (Counted, Option<u64>),
    limits: Limits,
) -> io::Result<(Tally, Scanned)> {
    let mut tally = Tally::new(&spec.patterns, spec.entries);
    tally.window = window;
    tally.from = from;
    let mut scan = Scanned::default();
    if size > 0 && (spec.entries > 0 || from.is_some()) {
        scan = scan_backwards(r, size, limits, |line, truncated, at| {
            tally.add(line, truncated, at)
        })?;
    } else if size > 0 {
        let mut last = [0u8; 1];
        r.seek(SeekFrom::Start(size - 1))?;
        r.read_exact(&mut last)?;
        scan.last_byte = Some(last[0]);
        scan.bytes_read = 1;
    }
    Ok((tally, scan))
}

/// The facts of what a log command (or stdin) printed, `data` being the part of it kept: levels over
/// its last `spec.entries` entries, the judged patterns over every line of it (a last line without
/// '\n' included).
pub fn count_output(mut data: Vec<u8>, spec: &LogSpec, output: OutputFacts) -> LogFacts {
    if data.last().is_some_and(|b| *b != b'\n') {
        data.push(b'\n');
    }
    let size = data.len() as u64;
    let limits = Limits {
        block: BLOCK_BYTES,
        max_line: MAX_LINE_BYTES,
        max_scan: u64::MAX,
    };
    let window = (Counted::Output { lines: 0 }, Some(0));
    let mut facts = match count(&mut io::Cursor::new(&data), size, spec, window, limits) {
        Ok((tally, scan)) => tally.into_facts(size, None, None, scan),
        // reading from memory: a cursor over the whole buffer cannot fail
        Err(_) => LogFacts::default(),
    };
    facts.output = Some(output);
    facts
}

#[cfg(unix)]
fn file_id(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}

/// Fuzzing entry point (`fuzz/`, target `log_lines`), not an API: the facts `read_tail` finds in a file
/// holding `data`, read backwards in `block`-byte blocks with lines cut at `max_line` bytes and the scan
/// stopped after `max_scan` bytes (small limits reach the block-boundary and long-line paths that the
/// real ones need megabytes for).
#[doc(hidden)]
pub fn fuzz_tail(
    data: &[u8],
    spec: &LogSpec,
    block: usize,
    max_line: usize,
    max_scan: u64,
) -> io::Result<LogFacts> {
    let size = data.len() as u64;
    let limits = Limits {
        block,
        max_line,
        max_scan,
    };
    let window = window_start(spec, size, None);
    let (tally, scan) = count(&mut io::Cursor::new(data), size, spec, window, limits)?;
    Ok(tally.into_facts(size, None, None, scan))
}

// ---------------------------------------------------------------------------------------------------------
// Reading backwards

#[derive(Debug, Clone, Copy)]
struct Limits {
    block: usize,
    max_line: usize,
    max_scan: u64,
}

#[derive(Debug, Default)]
struct Scanned {
    bytes_read: u64,
    limited: bool,
    /// The byte at `size - 1`, when it was read.
    last_byte: Option<u8>,
}

/// Hands the lines of the first `size` bytes of `r` to `line` with their start offsets, newest first, as they are found reading
/// backwards in blocks, until `line` returns false, the start is reached, or `max_scan` bytes were read.
/// Each line comes without its '\n' (a '\r' is left for the caller); empty lines are handed over too; the
/// text after the last '\n' is the first line handed over (empty when the data ends with '\n'). A line
/// longer than `max_line` is handed over as its first `max_line` bytes with `truncated` set: its bytes are
/// not kept while its start is searched for, then its head is read again, so at most about one block plus
/// two `max_line` buffers are held. Data shorter than `size` (a file that shrank) is an `UnexpectedEof`.
fn scan_backwards<R: Read + Seek>(
    r: &mut R,
    size: u64,
    limits: Limits,
    mut line: impl FnMut(&[u8], bool, u64) -> bool,
) -> io::Result<Scanned> {
    let block = limits.block.max(1);
    let mut out = Scanned::default();
    let mut buf = vec![0u8; usize::try_from(size).unwrap_or(usize::MAX).min(block)];
    // The unread data is [0, pos); the line in progress ends at `line_end` and, unless it is `long`,
    // its bytes from `pos` on are in `carry`.
    let mut pos = size;
    let mut line_end = size;
    let mut carry: Vec<u8> = Vec::new();
    let mut long = false;
    while pos > 0 {
        if out.bytes_read >= limits.max_scan {
            out.limited = true;
            return Ok(out);
        }
        let start = pos.saturating_sub(block as u64);
        let n = usize::try_from(pos - start).unwrap_or(block);
        let chunk = &mut buf[..n];
        r.seek(SeekFrom::Start(start))?;
        r.read_exact(chunk)?;
        out.bytes_read += n as u64;
        if pos == size {
            out.last_byte = chunk.last().copied();
        }
        let mut seg_end = n;
        while let Some(i) = chunk[..seg_end].iter().rposition(|&b| b == b'\n') {
            let line_start = start + i as u64 + 1;
            let more = if long {
                let head = read_head(r, line_start, line_end, limits.max_line, &mut out)?;
                line(&head, true, line_start)
            } else if carry.is_empty() {
                let bytes = &chunk[i + 1..seg_end];
                let cut = bytes.len().min(limits.max_line);
                line(&bytes[..cut], cut < bytes.len(), line_start)
            } else {
                let mut whole = Vec::with_capacity(seg_end - (i + 1) + carry.len());
                whole.extend_from_slice(&chunk[i + 1..seg_end]);
                whole.extend_from_slice(&carry);
                carry = Vec::new();
                let truncated = whole.len() > limits.max_line;
                whole.truncate(limits.max_line);
                line(&whole, truncated, line_start)
            };
            long = false;
            line_end = start + i as u64;
            seg_end = i;
            if !more {
                return Ok(out);
            }
        }
        if !long {
            if seg_end + carry.len() > limits.max_line {
                long = true;
                carry = Vec::new();
            } else {
                let mut joined = Vec::with_capacity(seg_end + carry.len());
                joined.extend_from_slice(&chunk[..seg_end]);
                joined.extend_from_slice(&carry);
                carry = joined;
            }
        }
        pos = start;
    }
    // The start of the data ends the line in progress.
    if long {
        let head = read_head(r, 0, line_end, limits.max_line, &mut out)?;
        line(&head, true, 0);
    } else {
        line(&carry, false, 0);
    }
    Ok(out)
}

/// Reads the first `max_line` bytes of the line [start, end).
fn read_head<R: Read + Seek>(
    r: &mut R,
    start: u64,
    end: u64,
    max_line: usize,
    out: &mut Scanned,
) -> io::Result<Vec<u8>> {
    let len = usize::try_from(end.saturating_sub(start))
        .unwrap_or(usize::MAX)
        .min(max_line);
    let mut head = vec![0u8; len];
    r.seek(SeekFrom::Start(start))?;
    r.read_exact(&mut head)?;
    out.bytes_read += len as u64;
    Ok(head)
}

// ---------------------------------------------------------------------------------------------------------
// Counting

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
    Other,
}

impl Level {
    fn index(self) -> usize {
        match self {
            Level::Error => 0,
            Level::Warn => 1,
            Level::Info => 2,
            Level::Debug => 3,
            Level::Trace => 4,
            Level::Other => 5,
        }
    }
}

/// One parsed entry.
#[derive(Debug, PartialEq)]
struct Entry<'a> {
    json: bool,
    level: Level,
    message: Cow<'a, str>,
    timestamp: Option<Cow<'a, str>>,
}

/// The counts so far, fed newest entry first.
struct Tally {
    want: usize,
    entries: usize,
    json: usize,
    levels: [usize; 6],
    /// (name, lowercased non-empty needles, count)
    patterns: Vec<(String, Vec<String>, usize)>,
    last_error: Option<String>,
    newest_timestamp: Option<String>,
    invalid_utf8: usize,
    truncated: usize,
    /// The line just read (newest first) and how many times in a row it has been seen.
    run: Run,
    /// The longest run over `STORM_AT` so far.
    storm: Option<(String, usize)>,
    /// The judged patterns (`Pattern::judged`) and their counts.
    judged: Vec<Judged>,
    /// What the judged patterns are counted over; with `from`, the lines starting at or after that
    /// offset (the last, partial line excepted), else the tail entries.
    window: Counted,
    from: Option<u64>,
    /// A line starting before `from` was handed over: the window is complete.
    reached: bool,
    /// Lines counted in the window `from`.
    new_lines: usize,
    /// The tail has all the entries it wants.
    tail_done: bool,
    /// The start of the first line handed over (the text after the last '\n').
    first_at: Option<u64>,
}

/// A judged pattern: what it matches and its count so far.
struct Judged {
    matcher: Matcher,
    hits: PatternHits,
}

enum Matcher {
    Regex(regex::Regex),
    /// Lowercased, non-empty.
    Needles(Vec<String>),
}

impl Judged {
    fn new(p: &Pattern) -> Self {
        let matcher = match &p.regex {
            Some(r) => Matcher::Regex(r.0.clone()),
            None => Matcher::Needles(
                p.any_of
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.to_lowercase())
                    .collect(),
            ),
        };
        Judged {
            matcher,
            hits: PatternHits {
                name: p.name.clone(),
                shown: p.shown(),
                warn: p.warn,
                crit: p.crit,
                count: 0,
                newest: None,
            },
        }
    }

    fn matches(&self, text: &str) -> bool {
        match &self.matcher {
            Matcher::Regex(r) => r.is_match(text),
            Matcher::Needles(n) => {
                let lower = text.to_lowercase();
                n.iter().any(|n| lower.contains(n.as_str()))
            }
        }
    }

    /// Counts one matching line; the first one seen (reading newest first) is the newest.
    fn hit(&mut self, text: &str) {
        self.hits.count += 1;
        if self.hits.newest.is_none() {
            self.hits.newest = Some(cut_chars(&mask_credentials(text.trim()), LAST_ERROR_CHARS));
        }
    }
}

/// `text` with the value after `Bearer`, `Basic`, `token=`, `password:`, `api_key=`, `secret=`,
/// `authorization:` and the like replaced by `***`: a log line quoted in a finding must not carry a
/// credential the server logged.
fn mask_credentials(text: &str) -> Cow<'_, str> {
    static CREDENTIAL: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?i)(\b(?:bearer|basic)\s+|\b(?:[a-z_-]*token|password|passwd|pwd|secret|api[_-]?key|authorization|cookie)["']?\s*[:=]\s*["']?)[^\s"',;&]+"#,
        )
        .ok()
    });
    match CREDENTIAL.as_ref() {
        Some(re) => re.replace_all(text, "${1}***"),
        None => Cow::Borrowed(text),
    }
}

#[derive(Default)]
struct Run {
    line: Vec<u8>,
    /// Whether `line` is the head of a longer line (a copy of it is only a copy if also cut).
    truncated: bool,
    count: usize,
    /// What one copy of the line adds to the counts.
    contribution: Option<Contribution>,
}

/// What one entry adds to a `Tally`.
#[derive(Clone)]
struct Contribution {
    json: bool,
    level: usize,
    truncated: bool,
    invalid_utf8: bool,
    /// Indices of the patterns it matches.
    patterns: Vec<usize>,
    /// Indices of the judged patterns it matches (counted over the tail: no `from`).
    judged: Vec<usize>,
}

impl Tally {
    fn new(patterns: &[Pattern], want: usize) -> Self {
        let mut merged: Vec<(String, Vec<String>, usize)> = Vec::new();
        let mut judged: Vec<Judged> = Vec::new();
        for p in patterns {
            if p.judged() {
                judged.push(Judged::new(p));
                continue;
            }
            let needles = p
                .any_of
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.to_lowercase());
            match merged.iter_mut().find(|(name, _, _)| *name == p.name) {
                Some((_, existing, _)) => existing.extend(needles),
                None => merged.push((p.name.clone(), needles.collect(), 0)),
            }
        }
        Tally {
            want,
            entries: 0,
            json: 0,
            levels: [0; 6],
            patterns: merged,
            last_error: None,
            newest_timestamp: None,
            invalid_utf8: 0,
            truncated: 0,
            run: Run::default(),
            storm: None,
            judged,
            window: Counted::Tail,
            from: None,
            reached: false,
            new_lines: 0,
            tail_done: false,
            first_at: None,
        }
    }

    /// Counts one line (without its '\n') starting at offset `at`: for the window `from`, and for the
    /// tail until it is full. Returns whether more lines are wanted.
    fn add(&mut self, raw: &[u8], truncated: bool, at: u64) -> bool {
        let first = self.first_at.is_none();
        if first {
            self.first_at = Some(at);
        }
        if let Some(from) = self.from {
            // the first line handed over is the one after the last '\n': being written, or empty
            if at < from {
                self.reached = true;
            } else if !first {
                self.add_new(raw, truncated);
            }
        }
        if !self.tail_done && !self.add_tail(raw, truncated) {
            self.tail_done = true;
        }
        !self.tail_done || (self.from.is_some() && !self.reached)
    }

    /// Counts one line of the window `from` for the judged patterns.
    fn add_new(&mut self, raw: &[u8], truncated: bool) {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.new_lines += 1;
        if self.judged.is_empty() {
            return;
        }
        let text = decode(raw, truncated);
        for j in &mut self.judged {
            if j.matches(&text) {
                j.hit(&text);
            }
        }
    }

    /// Counts one line (without its '\n'); returns whether more lines are wanted.
    ///
    /// A line repeated back to back counts every time, unless the run grows past `STORM_AT` copies:
    /// then only its first `REPEATS_COUNTED` copies count (the rest are taken back) and reading goes on
    /// past the storm — at most `MAX_STORM_LINES` skipped — so what was written before it stays in the
    /// window. While a run could still become a storm, reading goes on past the window; copies beyond it
    /// are taken back if the run stays short.
    fn add_tail(&mut self, raw: &[u8], truncated: bool) -> bool {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            return self.wants_more();
        }
        if self.run.count > 0 && self.run.line == raw && self.run.truncated == truncated {
            self.run.count += 1;
            let n = self.run.count;
            if n <= STORM_AT {
                if let Some(c) = self.run.contribution.clone() {
                    self.apply(&c, 1);
                }
            } else if n == STORM_AT + 1 {
                if let Some(c) = self.run.contribution.clone() {
                    self.apply(&c, -((STORM_AT - REPEATS_COUNTED) as i64));
                }
            } else if n > STORM_AT + MAX_STORM_LINES {
                // a storm without end: stop skipping, read the rest as entries again
                if let Some(c) = self.run.contribution.clone() {
                    self.apply(&c, 1);
                }
            }
            return self.wants_more();
        }
        self.end_run();
        if self.entries >= self.want {
            return false;
        }
        let text = decode(raw, truncated);
        let entry = parse_entry(&text);
        let c = Contribution {
            json: entry.json,
            level: entry.level.index(),
            truncated,
            invalid_utf8: std::str::from_utf8(raw).is_err() && !truncated,
            patterns: if self.patterns.is_empty() {
                Vec::new()
            } else {
                let lower = text.to_lowercase();
                self.patterns
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, needles, _))| {
                        needles.iter().any(|n| lower.contains(n.as_str()))
                    })
                    .map(|(i, _)| i)
                    .collect()
            },
            judged: if self.from.is_some() {
                Vec::new()
            } else {
                let mut matched = Vec::new();
                for (i, j) in self.judged.iter_mut().enumerate() {
                    if j.matches(&text) {
                        // counted by `apply`; the newest line is kept here
                        if j.hits.newest.is_none() {
                            j.hits.newest =
                                Some(cut_chars(&mask_credentials(text.trim()), LAST_ERROR_CHARS));
                        }
                        matched.push(i);
                    }
                }
                matched
            },
        };
        if entry.level == Level::Error && self.last_error.is_none() {
            self.last_error = Some(cut_chars(
                &mask_credentials(entry.message.trim()),
                LAST_ERROR_CHARS,
            ));
        }
        if self.newest_timestamp.is_none() {
            self.newest_timestamp = entry.timestamp.map(Cow::into_owned);
        }
        self.apply(&c, 1);
        self.run.line.clear();
        self.run.line.extend_from_slice(raw);
        self.run.count = 1;
        self.run.truncated = truncated;
        self.run.contribution = Some(c);
        self.wants_more()
    }

    /// More lines are wanted while the window is not full, or while the current run is past the
    /// window but may still turn out a storm (or is one being skipped).
    fn wants_more(&self) -> bool {
        self.entries < self.want
            || (self.run.count > REPEATS_COUNTED && self.run.count <= STORM_AT + MAX_STORM_LINES)
    }

    /// Adds `times` copies of one line's contribution (negative: takes them back).
    fn apply(&mut self, c: &Contribution, times: i64) {
        let add = |n: &mut usize| *n = n.saturating_add_signed(times as isize);
        add(&mut self.entries);
        if c.json {
            add(&mut self.json);
        }
        if c.truncated {
            add(&mut self.truncated);
        }
        if c.invalid_utf8 {
            add(&mut self.invalid_utf8);
        }
        add(&mut self.levels[c.level]);
        for &i in &c.patterns {
            add(&mut self.patterns[i].2);
        }
        for &i in &c.judged {
            add(&mut self.judged[i].hits.count);
        }
    }

    /// Ends the current run: a storm is remembered (the longest), a short run that was read past the
    /// window gives back the copies beyond it.
    fn end_run(&mut self) {
        let n = self.run.count;
        if n > STORM_AT {
            if self.storm.as_ref().is_none_or(|(_, m)| n > *m) {
                let text = String::from_utf8_lossy(&self.run.line);
                self.storm = Some((
                    cut_chars(&mask_credentials(text.trim()), STORM_LINE_CHARS),
                    n,
                ));
            }
        } else if self.entries > self.want {
            if let Some(c) = self.run.contribution.clone() {
                let excess = (self.entries - self.want) as i64;
                self.apply(&c, -excess);
            }
        }
        self.run.count = 0;
    }

    fn into_facts(
        mut self,
        size: u64,
        modified: Option<SystemTime>,
        file_id: Option<(u64, u64)>,
        scan: Scanned,
    ) -> LogFacts {
        self.end_run();
        let format = if self.entries == 0 {
            LogFormat::Empty
        } else if self.json == self.entries {
            LogFormat::Json
        } else if self.json == 0 {
            LogFormat::Text
        } else {
            LogFormat::Mixed
        };
        let window = match self.window {
            Counted::New { rotated, .. } => Counted::New {
                lines: self.new_lines,
                rotated,
                limited: scan.limited && !self.reached,
            },
            Counted::Output { .. } => Counted::Output {
                lines: self.new_lines,
            },
            other => other,
        };
        LogFacts {
            hits: self.judged.into_iter().map(|j| j.hits).collect(),
            window,
            partial_line_at: self.first_at.filter(|&at| at < size),
            output: None,
            size_bytes: size,
            modified,
            file_id,
            entries_read: self.entries,
            format,
            levels: LEVEL_NAMES
                .iter()
                .zip(self.levels)
                .map(|(name, n)| (name.to_string(), n))
                .collect(),
            patterns: self
                .patterns
                .into_iter()
                .map(|(name, _, n)| (name, n))
                .collect(),
            last_error: self.last_error,
            newest_timestamp: self.newest_timestamp,
            invalid_utf8_lines: self.invalid_utf8,
            partial_last_line: scan.last_byte.is_some_and(|b| b != b'\n'),
            growth: None,
            truncated_lines: self.truncated,
            bytes_scanned: scan.bytes_read,
            scan_limited: scan.limited,
            storm: self.storm,
        }
    }
}

/// A line's text: invalid UTF-8 decoded lossily, except a cut through a multi-byte character at the
/// end of a truncated line, which is our doing, not the writer's, and simply dropped.
fn decode(raw: &[u8], truncated: bool) -> Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(e) if truncated && e.error_len().is_none() => {
            Cow::Borrowed(std::str::from_utf8(&raw[..e.valid_up_to()]).unwrap_or_default())
        }
        Err(_) => String::from_utf8_lossy(raw),
    }
}

fn cut_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some(_) => {
            let keep: String = s.chars().take(max.saturating_sub(1)).collect();
            keep + "…"
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Parsing one entry

fn parse_entry(line: &str) -> Entry<'_> {
    parse_json(line).unwrap_or_else(|| Entry {
        json: false,
        level: text_level(line),
        message: Cow::Borrowed(line),
        timestamp: leading_timestamp(line).map(Cow::Borrowed),
    })
}

const JSON_LEVEL_KEYS: [&str; 5] = ["level", "lvl", "severity", "levelname", "log.level"];
const JSON_MESSAGE_KEYS: [&str; 2] = ["msg", "message"];
const JSON_TIME_KEYS: [&str; 4] = ["time", "timestamp", "ts", "@timestamp"];

/// A JSON object line: level, message and timestamp from the usual keys (pino, bunyan, zap, slog, winston,
/// Python's logging, ECS). Without a message key the message is the whole line.
fn parse_json(line: &str) -> Option<Entry<'_>> {
    let trimmed = line.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(trimmed) else {
        return None;
    };
    let level = JSON_LEVEL_KEYS
        .iter()
        .find_map(|k| map.get(*k))
        .map_or(Level::Other, json_level);
    let message =
        JSON_MESSAGE_KEYS
            .iter()
            .find_map(|k| map.get(*k))
            .map_or(Cow::Borrowed(trimmed), |v| match v {
                Value::String(s) => Cow::Owned(s.clone()),
                other => Cow::Owned(other.to_string()),
            });
    let timestamp = JSON_TIME_KEYS
        .iter()
        .filter_map(|k| map.get(*k))
        .find_map(|v| match v {
            Value::String(s) if !s.is_empty() => Some(Cow::Owned(s.clone())),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        });
    Some(Entry {
        json: true,
        level,
        message,
        timestamp,
    })
}

fn json_level(v: &Value) -> Level {
    match v {
        Value::String(s) => normalise_level(s),
        Value::Number(n) => n.as_f64().map_or(Level::Other, numeric_level),
        _ => Level::Other,
    }
}

/// pino/bunyan numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal (custom levels in between
/// take the band below them).
fn numeric_level(n: f64) -> Level {
    if (10.0..20.0).contains(&n) {
        Level::Trace
    } else if (20.0..30.0).contains(&n) {
        Level::Debug
    } else if (30.0..40.0).contains(&n) {
        Level::Info
    } else if (40.0..50.0).contains(&n) {
        Level::Warn
    } else if (50.0..70.0).contains(&n) {
        Level::Error
    } else {
        Level::Other
    }
}

/// A level string as a writer spelled it, normalised. Beyond the usual names this accepts syslog's
/// `crit`/`alert`/`emerg`/`notice`, .NET's `Information` and zap's `dpanic`; numbers in a string are pino's.
fn normalise_level(s: &str) -> Level {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
        "error" | "err" | "fatal" | "critical" | "crit" | "panic" | "dpanic" | "alert"
        | "emerg" | "emergency" => Level::Error,
        "warn" | "warning" => Level::Warn,
        "info" | "information" | "notice" => Level::Info,
        "debug" => Level::Debug,
        "trace" => Level::Trace,
        other => other.parse::<f64>().map_or(Level::Other, numeric_level),
    }
}

/// The first level word of a plain-text line, as a whole word (letters, digits and '_' make words).
fn text_level(line: &str) -> Level {
    const WORDS: [(&str, Level); 10] = [
        ("error", Level::Error),
        ("err", Level::Error),
        ("fatal", Level::Error),
        ("critical", Level::Error),
        ("panic", Level::Error),
        ("warn", Level::Warn),
        ("warning", Level::Warn),
        ("info", Level::Info),
        ("debug", Level::Debug),
        ("trace", Level::Trace),
    ];
    line.as_bytes()
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .filter(|w| (3..=8).contains(&w.len()))
        .find_map(|w| {
            WORDS
                .iter()
                .find(|(name, _)| w.eq_ignore_ascii_case(name.as_bytes()))
                .map(|(_, level)| *level)
        })
        .unwrap_or(Level::Other)
}

/// A leading ISO 8601 / RFC 3339 date-time, optionally inside '[': `2026-11-22T01:45:19.840Z`,
/// `2026-11-22 01:45:19,123`, `2026-11-22T01:45+01:00`. The date alone is not enough.
fn leading_timestamp(line: &str) -> Option<&str> {
    let s = line.trim_start();
    let s = s.strip_prefix('[').unwrap_or(s);
    let b = s.as_bytes();
    let digits = |at: usize, n: usize| {
        b.get(at..at + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let is = |at: usize, set: &[u8]| b.get(at).is_some_and(|c| set.contains(c));
    let date_time = digits(0, 4)
        && is(4, b"-")
        && digits(5, 2)
        && is(7, b"-")
        && digits(8, 2)
        && is(10, b"Tt ")
        && digits(11, 2)
        && is(13, b":")
        && digits(14, 2);
    if !date_time {
        return None;
    }
    let mut end = 16;
    if is(end, b":") && digits(end + 1, 2) {
        end += 3;
        if is(end, b".,") && digits(end + 1, 1) {
            end += 1;
            while digits(end, 1) {
                end += 1;
            }
        }
    }
    if is(end, b"Zz") {
        end += 1;
    } else if is(end, b"+-") && digits(end + 1, 2) {
        end += 3;
        if is(end, b":") && digits(end + 1, 2) {
            end += 3;
        } else if digits(end, 2) {
            end += 2;
        }
    }
    s.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::unix_ms;
    use crate::model::{
        Counted, Growth, LogFacts, LogFormat, LogMark, LogSpec, LogWindow, OutputFacts, Pattern,
        default_patterns, growth,
    };
    use std::io::{Cursor, Write};
    use std::path::PathBuf;
    use std::time::UNIX_EPOCH;
    use std::time::{Duration, Instant};

    fn write_file(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn tail(path: &Path, entries: usize) -> LogFacts {
        let mut spec = LogSpec::new(path);
        spec.entries = entries;
        read_tail(&spec).unwrap()
    }

    fn level(facts: &LogFacts, name: &str) -> usize {
        facts.levels[name]
    }

    #[test]
    fn json_lines_with_mixed_levels_and_pino_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let content = concat!(
            r#"{"level":"info","time":"2026-11-22T01:45:00Z","msg":"started"}"#,
            "\n",
            r#"{"level":30,"time":1700000000000,"msg":"pino info"}"#,
            "\n",
            r#"{"level":50,"time":1700000000001,"msg":"pino error"}"#,
            "\n",
            r#"{"level":60,"msg":"pino fatal"}"#,
            "\n",
            r#"{"lvl":"WARNING","message":"disk almost full"}"#,
            "\n",
            r#"{"severity":"CRITICAL","message":"gcp style"}"#,
            "\n",
            r#"{"levelname":"DEBUG","msg":"python"}"#,
            "\n",
            r#"{"level":10,"msg":"pino trace"}"#,
            "\n",
            r#"{"level":"verbose-ish","msg":"unknown level"}"#,
            "\n",
            r#"{"msg":"no level at all"}"#,
            "\n",
            r#"{"level":"error","ts":"2026-11-22T01:45:19.840Z","msg":"newest failure"}"#,
            "\n",
        );
        let path = write_file(&dir, "app.jsonl", content.as_bytes());
        let facts = tail(&path, 100);
        assert_eq!(facts.format, LogFormat::Json);
        assert_eq!(facts.entries_read, 11);
        assert_eq!(level(&facts, "error"), 4); // 50, 60, CRITICAL, "error"
        assert_eq!(level(&facts, "warn"), 1);
        assert_eq!(level(&facts, "info"), 2);
        assert_eq!(level(&facts, "debug"), 1);
        assert_eq!(level(&facts, "trace"), 1);
        assert_eq!(level(&facts, "other"), 2);
        assert_eq!(facts.last_error.as_deref(), Some("newest failure"));
        assert_eq!(
            facts.newest_timestamp.as_deref(),
            Some("2026-11-22T01:45:19.840Z")
        );
        assert!(!facts.partial_last_line);
        assert_eq!(facts.size_bytes, content.len() as u64);
    }

    #[test]
    fn json_numeric_timestamp_is_kept_as_text_and_message_falls_back_to_line() {
        let dir = tempfile::tempdir().unwrap();
        let content = concat!(r#"{"level":"error","time":1700000000001,"code":7}"#, "\n");
        let path = write_file(&dir, "a.jsonl", content.as_bytes());
        let facts = tail(&path, 100);
        assert_eq!(facts.newest_timestamp.as_deref(), Some("1700000000001"));
        assert_eq!(
            facts.last_error.as_deref(),
            Some(r#"{"level":"error","time":1700000000001,"code":7}"#)
        );
    }

    #[test]
    fn json_message_and_timestamp_keys() {
        let cases = [
            (r#"{"msg":"a","time":"t1"}"#, "a", Some("t1")),
            (r#"{"message":"b","timestamp":"t2"}"#, "b", Some("t2")),
            (r#"{"message":{"k":1},"ts":1.5}"#, r#"{"k":1}"#, Some("1.5")),
            (
                r#"{"x":1,"@timestamp":"t4"}"#,
                r#"{"x":1,"@timestamp":"t4"}"#,
                Some("t4"),
            ),
            (r#"{"msg":"c","time":true}"#, "c", None),
        ];
        for (line, message, timestamp) in cases {
            let e = parse_entry(line);
            assert!(e.json, "{line}");
            assert_eq!(e.message, message, "{line}");
            assert_eq!(e.timestamp.as_deref(), timestamp, "{line}");
        }
        assert!(!parse_entry("[1,2]").json);
        assert!(!parse_entry(r#""a string""#).json);
    }

    #[test]
    fn plain_text_levels_messages_and_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        let content = concat!(
            "2026-11-22T01:45:19.840Z INFO server started\n",
            "2026-11-22 01:45:20 [WARN] slow response 2300 ms\n",
            "[2026-11-22 01:45:21,123] ERROR: Connection timeout after 5000 ms\n",
            "level=debug msg=\"tick\"\n",
            "TRACE entering handler\n",
            "FATAL out of memory\n",
            "errors=0 information only, no level word here\n",
            "an Err: result\n",
            "2026-11-22T01:45:22+01:00 panic: something broke\n",
            "just a line\n",
        );
        let path = write_file(&dir, "app.log", content.as_bytes());
        let facts = tail(&path, 100);
        assert_eq!(facts.format, LogFormat::Text);
        assert_eq!(facts.entries_read, 10);
        assert_eq!(level(&facts, "error"), 4); // ERROR, FATAL, Err, panic
        assert_eq!(level(&facts, "warn"), 1);
        assert_eq!(level(&facts, "info"), 1);
        assert_eq!(level(&facts, "debug"), 1);
        assert_eq!(level(&facts, "trace"), 1);
        assert_eq!(level(&facts, "other"), 2);
        assert_eq!(
            facts.last_error.as_deref(),
            Some("2026-11-22T01:45:22+01:00 panic: something broke")
        );
        assert_eq!(
            facts.newest_timestamp.as_deref(),
            Some("2026-11-22T01:45:22+01:00")
        );
    }

    #[test]
    fn leading_timestamps_are_recognised_as_written() {
        let cases = [
            (
                "2026-11-22T01:45:19.840Z x",
                Some("2026-11-22T01:45:19.840Z"),
            ),
            ("2026-11-22 01:45:19 x", Some("2026-11-22 01:45:19")),
            ("[2026-11-22 01:45:19,5] x", Some("2026-11-22 01:45:19,5")),
            ("2026-11-22T01:45+0100 x", Some("2026-11-22T01:45+0100")),
            (
                "  2026-11-22T01:45:19-05:00",
                Some("2026-11-22T01:45:19-05:00"),
            ),
            ("2026-11-22 only a date", None),
            ("Nov 22 01:45:19 host app: x", None),
            ("x 2026-11-22T01:45:19Z", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(leading_timestamp(line), want, "{line:?}");
        }
    }

    #[test]
    fn mixed_json_and_text() {
        let dir = tempfile::tempdir().unwrap();
        let content = concat!(
            "starting up INFO\n",
            r#"{"level":"warn","msg":"json warn"}"#,
            "\n",
            "{not json at all ERROR\n",
            "[1, 2, 3]\n",
        );
        let path = write_file(&dir, "m.log", content.as_bytes());
        let facts = tail(&path, 100);
        assert_eq!(facts.format, LogFormat::Mixed);
        assert_eq!(facts.entries_read, 4);
        assert_eq!(level(&facts, "warn"), 1);
        assert_eq!(level(&facts, "error"), 1);
        assert_eq!(level(&facts, "info"), 1);
        assert_eq!(level(&facts, "other"), 1);
        assert_eq!(facts.last_error.as_deref(), Some("{not json at all ERROR"));
    }

    #[test]
    fn fewer_lines_than_requested_reads_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "f.log", b"ERROR one\n\nWARN two\n\n\nINFO three\n");
        let facts = tail(&path, 100);
        assert_eq!(facts.entries_read, 3, "empty lines are not entries");
        assert_eq!(level(&facts, "error"), 1);
        assert_eq!(facts.last_error.as_deref(), Some("ERROR one"));
        assert!(!facts.scan_limited);
    }

    #[test]
    fn a_storm_of_one_line_does_not_push_earlier_errors_out_of_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 0..5 {
            text.push_str(&format!("ERROR real failure {i}\n"));
        }
        for _ in 0..3000 {
            text.push_str("'mcpmon' client disconnected from MCP HUB\n");
        }
        let path = write_file(&dir, "hub.log", text.as_bytes());
        let facts = tail(&path, 100);
        assert_eq!(
            facts.storm,
            Some((
                "'mcpmon' client disconnected from MCP HUB".to_string(),
                3000
            ))
        );
        // ten copies count, the rest do not: the five errors before the storm are still in the window
        assert_eq!(facts.entries_read, 15);
        assert_eq!(level(&facts, "error"), 5);
        assert_eq!(facts.last_error.as_deref(), Some("ERROR real failure 4"));
    }

    #[test]
    fn a_storm_without_end_is_skipped_for_a_bounded_number_of_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut content = "ERROR before the storm\n".to_string();
        content.push_str(&"same line\n".repeat(250_000));
        let path = write_file(&dir, "storm.log", content.as_bytes());
        let facts = tail(&path, 100);
        assert_eq!(facts.entries_read, 100);
        let (line, n) = facts.storm.clone().unwrap();
        assert_eq!(line, "same line");
        assert!(n > MAX_STORM_LINES, "{n}");
        assert_eq!(
            level(&facts, "error"),
            0,
            "the storm is too long to see past"
        );
        let bound = (STORM_AT + MAX_STORM_LINES + 100) * "same line\n".len() + 2 * BLOCK_BYTES;
        assert!(
            facts.bytes_scanned < bound as u64,
            "{}",
            facts.bytes_scanned
        );
    }

    #[test]
    fn a_few_repeats_count_as_entries_and_are_no_storm() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "a.log", "ERROR same\n".repeat(10).as_bytes());
        let facts = tail(&path, 100);
        assert_eq!(level(&facts, "error"), 10);
        assert_eq!(facts.storm, None);
    }

    #[test]
    fn only_the_last_n_entries_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut content = String::new();
        for i in 0..50 {
            content.push_str(&format!("ERROR old {i}\n"));
        }
        for i in 0..10 {
            content.push_str(&format!("INFO new {i}\n\n"));
        }
        let path = write_file(&dir, "n.log", content.as_bytes());
        let facts = tail(&path, 12);
        assert_eq!(facts.entries_read, 12);
        assert_eq!(level(&facts, "info"), 10);
        assert_eq!(level(&facts, "error"), 2);
        assert_eq!(facts.last_error.as_deref(), Some("ERROR old 49"));
        let none = tail(&path, 0);
        assert_eq!(none.entries_read, 0);
        assert_eq!(none.format, LogFormat::Empty);
    }

    #[test]
    fn a_line_spanning_a_block_boundary_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        // [older ERROR lines][spanning ERROR line, 3000 bytes][INFO lines: BLOCK_BYTES - 1500 bytes]
        // so the first block read from the end starts in the middle of the spanning line.
        let mut content = "ERROR older, must not be counted\n".repeat(3000);
        let spanning_start = content.len();
        let spanning = format!("ERROR start-of-spanning {}", "x".repeat(2950));
        let spanning = format!("{spanning:<2999} end-of-spanning\n");
        content.push_str(&spanning);
        let after_len = BLOCK_BYTES - 1500;
        let mut after = String::new();
        let mut after_lines = 0;
        // distinct lines: a line repeated back to back is a storm, read differently
        while after.len() + 2 * 80 < after_len {
            after.push_str(&format!("{:<79}\n", format!("INFO after {after_lines}")));
            after_lines += 1;
        }
        after.push_str(&format!(
            "{:<width$}\n",
            "INFO after, padded",
            width = after_len - after.len() - 1
        ));
        after_lines += 1;
        assert_eq!(after.len(), after_len);
        content.push_str(&after);
        let boundary = content.len() - BLOCK_BYTES;
        assert!(boundary > spanning_start && boundary < spanning_start + spanning.len());

        let path = write_file(&dir, "b.log", content.as_bytes());
        let mut spec = LogSpec::new(&path);
        spec.entries = after_lines + 1;
        spec.patterns = vec![Pattern::new("tail", &["END-OF-SPANNING"])];
        let facts = read_tail(&spec).unwrap();
        assert_eq!(facts.entries_read, after_lines + 1);
        assert_eq!(level(&facts, "info"), after_lines);
        assert_eq!(
            level(&facts, "error"),
            1,
            "the spanning line kept its start, older lines unread"
        );
        let err = facts.last_error.unwrap();
        assert!(err.starts_with("ERROR start-of-spanning xxx"), "{err}");
        assert_eq!(facts.patterns["tail"], 1, "the spanning line kept its end");
        assert_eq!(
            facts.bytes_scanned,
            2 * BLOCK_BYTES as u64,
            "two blocks were needed"
        );
    }

    #[test]
    fn bytes_read_do_not_grow_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // distinct lines: a line repeated back to back is a storm, read past (bounded, tested below)
        let lines = |n: usize| -> String {
            (0..n)
                .map(|i| {
                    format!(r#"{{"level":"info","msg":"steady state, nothing to see","n":{i:06}}}"#)
                        + "\n"
                })
                .collect()
        };
        let small = write_file(&dir, "small.jsonl", lines(5_000).as_bytes());
        let big_content = lines(400_000); // ~25 MB
        let big = write_file(&dir, "big.jsonl", big_content.as_bytes());
        let s = tail(&small, 100);
        let b = tail(&big, 100);
        assert_eq!((s.entries_read, b.entries_read), (100, 100));
        assert_eq!(b.size_bytes, big_content.len() as u64);
        assert_eq!(s.bytes_scanned, BLOCK_BYTES as u64);
        assert_eq!(b.bytes_scanned, s.bytes_scanned);
    }

    #[test]
    fn a_last_line_without_newline_counts_and_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "p.log", b"INFO done\nERROR half-writ");
        let facts = tail(&path, 100);
        assert!(facts.partial_last_line);
        assert_eq!(facts.entries_read, 2);
        assert_eq!(facts.last_error.as_deref(), Some("ERROR half-writ"));
        let whole = write_file(&dir, "w.log", b"INFO done\n");
        assert!(!tail(&whole, 100).partial_last_line);
        let zero_entries = tail(&path, 0);
        assert!(
            zero_entries.partial_last_line,
            "known without reading entries"
        );
    }

    #[test]
    fn crlf_line_endings_are_stripped() {
        let dir = tempfile::tempdir().unwrap();
        let content =
            b"2026-11-22 01:45:19 WARN slow\r\n\r\n{\"level\":\"error\",\"msg\":\"boom\"}\r\nERROR last\r\n";
        let path = write_file(&dir, "c.log", content);
        let facts = tail(&path, 100);
        assert_eq!(facts.entries_read, 3);
        assert_eq!(
            facts.format,
            LogFormat::Mixed,
            "the CRLF JSON line is still JSON"
        );
        assert_eq!(level(&facts, "error"), 2);
        assert_eq!(facts.last_error.as_deref(), Some("ERROR last"));
        assert_eq!(
            facts.newest_timestamp.as_deref(),
            Some("2026-11-22 01:45:19")
        );
        assert!(!facts.partial_last_line);
    }

    #[test]
    fn invalid_utf8_is_counted_and_decoded_lossily() {
        let dir = tempfile::tempdir().unwrap();
        let mut content = b"INFO fine\n".to_vec();
        content.extend_from_slice(b"ERROR bad \xff\xfe bytes Sync failed\n");
        content.extend_from_slice(b"WARN caf\xc3\xa9 is valid\n");
        let path = write_file(&dir, "u.log", &content);
        let facts = tail(&path, 100);
        assert_eq!(facts.entries_read, 3);
        assert_eq!(facts.invalid_utf8_lines, 1);
        assert_eq!(level(&facts, "error"), 1);
        assert_eq!(facts.patterns["error_indicators"], 1);
        assert_eq!(
            facts.last_error.as_deref(),
            Some("ERROR bad \u{fffd}\u{fffd} bytes Sync failed")
        );
    }

    #[test]
    fn an_empty_file_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "e.log", b"");
        let facts = tail(&path, 100);
        assert_eq!(facts.format, LogFormat::Empty);
        assert_eq!(facts.entries_read, 0);
        assert_eq!(facts.size_bytes, 0);
        assert!(!facts.partial_last_line);
        assert_eq!(facts.levels.len(), LEVEL_NAMES.len());
        assert!(facts.levels.values().all(|n| *n == 0));
        assert_eq!(facts.patterns.len(), 4);
        assert!(facts.patterns.values().all(|n| *n == 0));
        let blank = write_file(&dir, "blank.log", b"\n\n  \r\n");
        assert_eq!(tail(&blank, 100).format, LogFormat::Empty);
    }

    #[test]
    fn a_missing_file_is_file_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.log");
        let err = read_tail(&LogSpec::new(&path)).unwrap_err();
        assert_eq!(err.reason, Reason::FileMissing);
        assert_eq!(err.reason.as_str(), "file_missing");
        assert!(err.message.contains("nope.log"), "{}", err.message);
    }

    #[test]
    fn a_directory_is_file_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_tail(&LogSpec::new(dir.path())).unwrap_err();
        assert_eq!(err.reason, Reason::FileUnreadable);
        assert_eq!(err.reason.as_str(), "file_unreadable");
        assert!(err.message.contains("directory"), "{}", err.message);
    }

    #[test]
    fn patterns_count_each_entry_once_per_name() {
        let dir = tempfile::tempdir().unwrap();
        let content = concat!(
            "INFO MCP Server connected successfully\n",
            "INFO mcp server CONNECTED SUCCESSFULLY; Health check passed\n",
            "ERROR Connection timeout; Authentication failed\n",
            "WARN server disconnected\n",
            "INFO reconnecting in 5 s\n",
            "INFO reconnected\n",
            "INFO nothing here\n",
        );
        let path = write_file(&dir, "p.log", content.as_bytes());
        let mut spec = LogSpec::new(&path);
        spec.patterns.push(Pattern::new("never", &["no such text"]));
        spec.patterns.push(Pattern::new("empty", &[""]));
        spec.patterns
            .push(Pattern::new("healthy", &["nothing here"]));
        let facts = read_tail(&spec).unwrap();
        assert_eq!(
            facts.patterns["healthy"], 3,
            "merged name, one count per entry"
        );
        assert_eq!(facts.patterns["error_indicators"], 1);
        assert_eq!(facts.patterns["disconnect"], 1);
        assert_eq!(facts.patterns["reconnect"], 2);
        assert_eq!(facts.patterns["never"], 0);
        assert_eq!(
            facts.patterns["empty"], 0,
            "an empty substring matches nothing"
        );
        assert_eq!(facts.patterns.len(), 6);
    }

    #[test]
    fn default_patterns_are_the_documented_ones() {
        let names: Vec<String> = default_patterns().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["healthy", "error_indicators", "disconnect", "reconnect"]
        );
    }

    #[test]
    fn last_error_is_cut_to_300_characters() {
        let dir = tempfile::tempdir().unwrap();
        let content = format!("ERROR {}\n", "é".repeat(1000));
        let path = write_file(&dir, "l.log", content.as_bytes());
        let err = tail(&path, 100).last_error.unwrap();
        assert_eq!(err.chars().count(), LAST_ERROR_CHARS);
        assert!(err.starts_with("ERROR éé"));
        assert!(err.ends_with('…'));
    }

    #[test]
    fn a_line_longer_than_the_cap_is_parsed_from_its_head() {
        let dir = tempfile::tempdir().unwrap();
        let mut content = b"INFO first\n".to_vec();
        content.extend_from_slice(b"2026-11-22T01:00:00Z ERROR huge ");
        content.extend(std::iter::repeat_n(b'z', 3 * MAX_LINE_BYTES));
        content.extend_from_slice(b" Sync failed at the very end\n");
        content.extend_from_slice(b"WARN after\n");
        let path = write_file(&dir, "h.log", &content);
        let facts = tail(&path, 100);
        assert_eq!(facts.entries_read, 3);
        assert_eq!(facts.truncated_lines, 1);
        assert_eq!(level(&facts, "error"), 1);
        assert_eq!(level(&facts, "warn"), 1);
        assert_eq!(level(&facts, "info"), 1);
        assert_eq!(
            facts.patterns["error_indicators"], 0,
            "the tail past the cap is not parsed"
        );
        assert!(
            facts
                .last_error
                .unwrap()
                .starts_with("2026-11-22T01:00:00Z ERROR huge zzz")
        );
        assert_eq!(facts.invalid_utf8_lines, 0);
        // The whole 3 MiB line was scanned once for its start, plus one re-read of its head.
        assert!(
            facts.bytes_scanned
                < content.len() as u64 + MAX_LINE_BYTES as u64 + 2 * BLOCK_BYTES as u64
        );
    }

    #[test]
    fn a_cut_through_a_multibyte_character_is_not_invalid_utf8() {
        let mut tally = Tally::new(&[], 10);
        tally.add(
            "ERROR caf\u{e9}".as_bytes().split_last().unwrap().1,
            true,
            0,
        );
        assert_eq!(tally.invalid_utf8, 0);
        tally.add(
            "ERROR caf\u{e9}".as_bytes().split_last().unwrap().1,
            false,
            0,
        );
        assert_eq!(tally.invalid_utf8, 1);
    }

    #[test]
    fn the_scan_budget_stops_reading() {
        let dir = tempfile::tempdir().unwrap();
        let content = format!("INFO a\n{}\n", "q".repeat(5 * BLOCK_BYTES));
        let path = write_file(&dir, "s.log", content.as_bytes());
        let spec = LogSpec::new(&path);
        let facts = read_tail_within(&spec, 2 * BLOCK_BYTES as u64).unwrap();
        assert!(facts.scan_limited);
        assert_eq!(facts.bytes_scanned, 2 * BLOCK_BYTES as u64);
        assert_eq!(facts.entries_read, 0);
        let facts = read_tail(&spec).unwrap();
        assert!(!facts.scan_limited);
        assert_eq!(facts.entries_read, 2);
    }

    /// The scanner against the obvious reader, on many small inputs with tiny blocks and line caps.
    #[test]
    fn scanner_agrees_with_splitting_the_whole_input() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..3000 {
            let len = (next() % 40) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| match next() % 5 {
                    0 => b'\n',
                    1 => b'\r',
                    _ => b'a' + (next() % 26) as u8,
                })
                .collect();
            let limits = Limits {
                block: 1 + (next() % 9) as usize,
                max_line: 1 + (next() % 12) as usize,
                max_scan: u64::MAX,
            };
            let mut at = 0u64;
            let mut want: Vec<(Vec<u8>, bool, u64)> = Vec::new();
            for l in data.split(|b| *b == b'\n') {
                want.push((
                    l[..l.len().min(limits.max_line)].to_vec(),
                    l.len() > limits.max_line,
                    at,
                ));
                at += l.len() as u64 + 1;
            }
            want.reverse();
            let mut got = Vec::new();
            let scanned = scan_backwards(
                &mut Cursor::new(&data),
                data.len() as u64,
                limits,
                |l, t, at| {
                    got.push((l.to_vec(), t, at));
                    true
                },
            )
            .unwrap();
            assert_eq!(got, want, "case {case}: {data:?} {limits:?}");
            assert_eq!(scanned.last_byte, data.last().copied());
            // Stopping early hands over exactly a prefix.
            let stop = (next() % (want.len() as u64)) as usize + 1;
            let mut some = Vec::new();
            scan_backwards(
                &mut Cursor::new(&data),
                data.len() as u64,
                limits,
                |l, t, at| {
                    some.push((l.to_vec(), t, at));
                    some.len() < stop
                },
            )
            .unwrap();
            assert_eq!(some, want[..stop], "case {case} stop {stop}");
        }
    }

    #[test]
    fn bytes_appended_after_opening_are_ignored_and_a_shrunk_file_is_noticed() {
        let limits = Limits {
            block: 4,
            max_line: 100,
            max_scan: u64::MAX,
        };
        let data = b"one\ntwo\nthr".to_vec();
        let mut got = Vec::new();
        let scanned = scan_backwards(&mut Cursor::new(&data), 8, limits, |l, _, _| {
            got.push(String::from_utf8_lossy(l).into_owned());
            true
        })
        .unwrap();
        assert_eq!(got, ["", "two", "one"]);
        assert_eq!(scanned.last_byte, Some(b'\n'));
        let err = scan_backwards(&mut Cursor::new(&data), 20, limits, |_, _, _| true).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    }

    #[test]
    fn growth_first_look_grew_unchanged_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "g.log", b"INFO one\n");
        let first = tail(&path, 100).mark();
        assert_eq!(growth(None, &first), Growth::FirstLook);
        assert_eq!(growth(Some(&first), &first), Growth::Unchanged);

        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"INFO two\n").unwrap();
        drop(f);
        let grown = tail(&path, 100).mark();
        assert_eq!(growth(Some(&first), &grown), Growth::Grew { bytes: 9 });
        assert_eq!(growth(Some(&grown), &grown), Growth::Unchanged);

        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(4).unwrap();
        drop(f);
        let cut = tail(&path, 100).mark();
        assert_eq!(cut.file_id, grown.file_id, "same inode");
        assert_eq!(
            growth(Some(&grown), &cut),
            Growth::Truncated { from: 18, to: 4 }
        );
    }

    #[cfg(unix)]
    #[test]
    fn growth_rotated_when_the_path_names_another_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "r.log", b"INFO old file, longer than the new one\n");
        let before = tail(&path, 100).mark();
        std::fs::rename(&path, dir.path().join("r.log.1")).unwrap();
        std::fs::write(&path, b"INFO new file, much longer than the old one was\n").unwrap();
        let after = tail(&path, 100).mark();
        assert_ne!(before.file_id, after.file_id);
        assert_eq!(growth(Some(&before), &after), Growth::Rotated);
    }

    fn judged_spec(path: &Path, entries: usize) -> LogSpec {
        let mut spec = LogSpec::new(path).with_patterns(vec![Pattern::regex(
            "unauthorized",
            regex::Regex::new("UNAUTHORIZED|FAILED").unwrap(),
            Some(1),
            Some(5),
        )]);
        spec.entries = entries;
        spec
    }

    fn hits(facts: &LogFacts) -> (usize, Option<&str>) {
        let h = &facts.hits[0];
        assert_eq!(h.name, "unauthorized");
        (h.count, h.newest.as_deref())
    }

    #[test]
    fn judged_patterns_count_the_lines_after_the_mark_even_past_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "n.log", b"ERROR FAILED old\nINFO old\n");
        let mut spec = judged_spec(&path, 2);
        let first = read_tail(&spec).unwrap();
        assert_eq!(first.window, Counted::FirstLook);
        assert_eq!(hits(&first), (1, Some("ERROR FAILED old")));
        assert!(!first.patterns.contains_key("unauthorized"), "judged apart");
        // ten new lines, more than the 2-entry tail: all of them counted, the tail still 2 entries
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        for i in 0..10 {
            let level = if i % 3 == 0 {
                "WARN UNAUTHORIZED"
            } else {
                "INFO"
            };
            writeln!(f, "{level} request {i}").unwrap();
        }
        drop(f);
        spec.since = Some(first.mark());
        let next = read_tail(&spec).unwrap();
        assert_eq!(
            next.window,
            Counted::New {
                lines: 10,
                rotated: false,
                limited: false
            }
        );
        assert_eq!(hits(&next), (4, Some("WARN UNAUTHORIZED request 9")));
        assert_eq!(next.entries_read, 2);
        assert!(next.patterns.contains_key("healthy"), "defaults kept");
        // the same mark again: nothing new
        spec.since = Some(next.mark());
        let again = read_tail(&spec).unwrap();
        assert_eq!(hits(&again), (0, None));
        // the tail window ignores the mark
        spec.window = LogWindow::Tail;
        assert_eq!(read_tail(&spec).unwrap().window, Counted::Tail);
    }

    #[test]
    fn a_partial_last_line_is_left_for_the_next_look() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "p.log", b"INFO a\n");
        let mut spec = judged_spec(&path, 100);
        spec.since = Some(read_tail(&spec).unwrap().mark());
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"ERROR FAILED\nERROR FAI").unwrap();
        let facts = read_tail(&spec).unwrap();
        assert_eq!(hits(&facts), (1, Some("ERROR FAILED")));
        assert_eq!(facts.partial_line_at, Some(20));
        assert_eq!(facts.mark().lines_end(), 20);
        f.write_all(b"LED again\n").unwrap();
        spec.since = Some(facts.mark());
        let facts = read_tail(&spec).unwrap();
        assert_eq!(hits(&facts), (1, Some("ERROR FAILED again")));
        assert_eq!(facts.partial_line_at, None);
    }

    #[test]
    fn a_shrunk_or_replaced_file_is_counted_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(&dir, "t.log", b"INFO a long first line\nINFO b\n");
        let mut spec = judged_spec(&path, 100);
        spec.since = Some(read_tail(&spec).unwrap().mark());
        std::fs::write(&path, b"FAILED\n").unwrap();
        let facts = read_tail(&spec).unwrap();
        assert_eq!(
            facts.window,
            Counted::New {
                lines: 1,
                rotated: true,
                limited: false
            }
        );
        assert_eq!(hits(&facts).0, 1);
    }

    #[test]
    fn output_is_counted_whole_with_its_last_unterminated_line() {
        let spec = judged_spec(Path::new("-"), 100);
        let facts = count_output(
            b"FAILED one\nINFO two\nUNAUTHORIZED three".to_vec(),
            &spec,
            OutputFacts::default(),
        );
        assert_eq!(facts.window, Counted::Output { lines: 3 });
        assert_eq!(hits(&facts), (2, Some("UNAUTHORIZED three")));
        assert_eq!(facts.entries_read, 3);
        assert!(facts.output.is_some());
    }

    #[test]
    fn credentials_in_quoted_lines_are_masked() {
        let cases = [
            (
                "auth failed: Bearer abc.def-123 for x",
                "auth failed: Bearer *** for x",
            ),
            ("token=s3cr3t&user=a", "token=***&user=a"),
            (
                r#"{"api_key": "k-123", "ok": 1}"#,
                r#"{"api_key": "***", "ok": 1}"#,
            ),
            ("password: hunter2 next", "password: *** next"),
            ("GITHUB_TOKEN=ghp_xyz rest", "GITHUB_TOKEN=*** rest"),
            ("nothing secret here", "nothing secret here"),
        ];
        for (line, want) in cases {
            assert_eq!(mask_credentials(line), want, "{line}");
        }
    }

    #[test]
    fn growth_without_identity_falls_back_to_sizes() {
        let mark = |size, id| LogMark {
            size_bytes: size,
            file_id: id,
            modified_unix_ms: Some(1),
            complete_bytes: None,
        };
        assert_eq!(
            growth(Some(&mark(10, None)), &mark(15, Some((1, 2)))),
            Growth::Grew { bytes: 5 }
        );
        assert_eq!(
            growth(Some(&mark(10, Some((1, 2)))), &mark(3, None)),
            Growth::Truncated { from: 10, to: 3 }
        );
        assert_eq!(
            growth(Some(&mark(10, Some((1, 2)))), &mark(10, Some((1, 3)))),
            Growth::Rotated
        );
    }

    #[test]
    fn a_mark_survives_a_round_trip_through_json() {
        let facts = LogFacts {
            size_bytes: 42,
            modified: Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)),
            file_id: Some((2049, 77)),
            ..LogFacts::default()
        };
        let mark = facts.mark();
        assert_eq!(mark.modified_unix_ms, Some(1_700_000_000_123));
        let json = serde_json::to_string(&mark).unwrap();
        assert_eq!(
            json,
            r#"{"size_bytes":42,"file_id":[2049,77],"modified_unix_ms":1700000000123}"#
        );
        assert_eq!(serde_json::from_str::<LogMark>(&json).unwrap(), mark);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_millis(5)), -5);
    }

    fn ensure_bench_file(path: &Path, size: u64) -> PathBuf {
        if std::fs::metadata(path).is_ok_and(|m| m.len() >= size) {
            return path.to_path_buf();
        }
        let file = File::create(path).unwrap();
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut written = 0u64;
        let mut i = 0u64;
        while written < size {
            let level = match i % 20 {
                0 => "error",
                1 | 2 => "warn",
                3..=5 => "debug",
                _ => "info",
            };
            let line = format!(
                "{{\"level\":\"{level}\",\"time\":\"2026-11-22T{:02}:{:02}:{:02}.{:03}Z\",\"pid\":4242,\"server\":\"github\",\"msg\":\"request {i} handled in {} ms\"}}\n",
                (i / 3_600_000) % 24,
                (i / 60_000) % 60,
                (i / 1000) % 60,
                i % 1000,
                i % 997
            );
            w.write_all(line.as_bytes()).unwrap();
            written += line.len() as u64;
            i += 1;
        }
        w.flush().unwrap();
        path.to_path_buf()
    }

    fn median_ms(path: &Path, runs: usize) -> (f64, LogFacts) {
        let spec = LogSpec::new(path);
        let mut times = Vec::with_capacity(runs);
        let mut facts = read_tail(&spec).unwrap();
        for _ in 0..runs {
            let t0 = Instant::now();
            facts = read_tail(&spec).unwrap();
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        (times[runs / 2], facts)
    }

    /// A benchmark, not a test: prints figures and asserts nothing about time. Run by scripts/bench-logs.sh.
    #[test]
    #[ignore = "benchmark: writes 1 GB; run scripts/bench-logs.sh"]
    fn bench_tail_is_independent_of_size() {
        let Some(dir) = std::env::var_os("MCPMON_BENCH_DIR") else {
            eprintln!("bench_tail_is_independent_of_size: MCPMON_BENCH_DIR is unset, skipping");
            return;
        };
        let dir = PathBuf::from(dir);
        let small = ensure_bench_file(&dir.join("logs-10MB.jsonl"), 10_000_000);
        let big = ensure_bench_file(&dir.join("logs-1GB.jsonl"), 1_000_000_000);
        let (small_ms, small_facts) = median_ms(&small, 20);
        let (big_ms, big_facts) = median_ms(&big, 20);
        for (name, ms, facts) in [
            ("10MB", small_ms, &small_facts),
            ("1GB", big_ms, &big_facts),
        ] {
            println!(
                "bench-logs: file={name} size_bytes={} median_ms={ms:.3} entries={} errors={} bytes_scanned={}",
                facts.size_bytes, facts.entries_read, facts.levels["error"], facts.bytes_scanned
            );
        }
        println!("bench-logs: ratio_1GB_over_10MB={:.2}", big_ms / small_ms);
    }
}
