//! History: one compact JSON line per observation, one file per UTC day under
//! `<state dir>/history/YYYY-MM-DD.jsonl`.
//!
//! Writers append a whole round with one `write` under an exclusive `flock` of the day's file, so
//! concurrent `record --once` runs from cron never interleave or tear a line. Readers take no lock,
//! touch only the files of the window asked for, stream line by line (memory does not grow with the
//! history), and skip a torn or corrupt line with a note instead of failing. Retention removes whole
//! days by their file name. The line format is documented in the README (`jq` reads it as it is).

use crate::model::Record;
use crate::model::Status;
use crate::model::{HistoryLine, parse_at};
use chrono::{DateTime, NaiveDate, Utc};
use nix::fcntl::Flock;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long an append waits for another writer holding the day's lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// At most this many corrupt lines are described (all are counted).
const MAX_NOTES: usize = 20;

/// `<state dir>/history`.
pub fn dir(state_dir: &Path) -> PathBuf {
    state_dir.join("history")
}

fn day_file(dir: &Path, day: NaiveDate) -> PathBuf {
    dir.join(format!("{}.jsonl", day.format("%Y-%m-%d")))
}

fn day_of(path: &Path) -> Option<NaiveDate> {
    let name = path.file_name()?.to_str()?;
    NaiveDate::parse_from_str(name.strip_suffix(".jsonl")?, "%Y-%m-%d").ok()
}

/// Appends records, each day's lines in one write under that day's lock. Returns how many were written.
pub fn append(dir: &Path, records: &[Record]) -> std::io::Result<usize> {
    append_in(dir, records, |r| r.at)
}

/// `<history>/actions`: the remediation log, one file per UTC day like the observations beside it
/// (no reader of observations looks there; `retain` ages it with them).
pub fn actions_dir(dir: &Path) -> PathBuf {
    dir.join("actions")
}

/// Appends remediation events (`alerts`' `on_fire` outcomes) to `<history>/actions/YYYY-MM-DD.jsonl`,
/// as `append` does observations.
pub fn append_actions(dir: &Path, lines: &[crate::model::ActionRecord]) -> std::io::Result<usize> {
    append_in(&actions_dir(dir), lines, |r| r.at)
}

/// One JSON line per item into the day file of its time (`at`), each day's lines in one write under
/// that day's lock.
fn append_in<T: serde::Serialize>(
    dir: &Path,
    items: &[T],
    at: impl Fn(&T) -> DateTime<Utc>,
) -> std::io::Result<usize> {
    let mut by_day: BTreeMap<NaiveDate, Vec<u8>> = BTreeMap::new();
    for r in items {
        let buf = by_day.entry(at(r).date_naive()).or_default();
        serde_json::to_writer(&mut *buf, r).map_err(std::io::Error::other)?;
        buf.push(b'\n');
    }
    if by_day.is_empty() {
        return Ok(0);
    }
    std::fs::create_dir_all(dir)?;
    for (day, bytes) in by_day {
        let path = day_file(dir, day);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        let mut locked = lock(file, &path)?;
        locked.write_all(&bytes)?;
        locked.flush()?;
    }
    Ok(items.len())
}

fn lock(file: std::fs::File, path: &Path) -> std::io::Result<Flock<std::fs::File>> {
    super::lock_exclusive(file, path, LOCK_WAIT)
}

/// What a read saw besides the records.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReadReport {
    pub files: usize,
    pub records: usize,
    pub corrupt: usize,
    /// `FILE:LINE: problem`, for the first few corrupt lines.
    pub notes: Vec<String>,
}

/// Folds the lines of `[from, to]` into an accumulator, the older and the newer half of the window's
/// days side by side on two threads (each day file is read by one of them, split at the midnight
/// nearest the middle), then joins the halves with `merge(older, newer)`. Windows under two days are
/// read in one pass.
pub fn fold_window<A: Default + Send>(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    add: impl Fn(&mut A, &HistoryLine<'_>, DateTime<Utc>) + Sync,
    merge: impl FnOnce(A, A) -> A,
) -> std::io::Result<(A, ReadReport)> {
    let fold = |a: DateTime<Utc>, b: DateTime<Utc>| {
        let mut acc = A::default();
        scan(dir, a, b, |line, at| add(&mut acc, line, at)).map(|r| (acc, r))
    };
    let middle = from + (to - from) / 2;
    let mid = middle
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    if mid <= from || (to - from) < chrono::Duration::days(2) {
        return fold(from, to);
    }
    let (older, newer) = std::thread::scope(|s| {
        let older = s.spawn(|| fold(from, mid - chrono::Duration::milliseconds(1)));
        let newer = fold(mid, to);
        (older.join(), newer)
    });
    let (older, r1) = older.map_err(|_| std::io::Error::other("reading history failed"))??;
    let (newer, r2) = newer?;
    let mut notes = r1.notes;
    notes.extend(r2.notes);
    let report = ReadReport {
        files: r1.files + r2.files,
        records: r1.records + r2.records,
        corrupt: r1.corrupt + r2.corrupt,
        notes,
    };
    Ok((merge(older, newer), report))
}

/// Calls `visit` with every line whose `at` lies in `[from, to]`, oldest file first; only the files
/// of those days are opened. A line that does not parse is skipped and noted.
pub fn scan(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    visit: impl FnMut(&HistoryLine<'_>, DateTime<Utc>),
) -> std::io::Result<ReadReport> {
    scan_with(dir, from, to, parse_line(from, to, visit))
}

/// How `scan` reads one line: a `HistoryLine` whose `at` parses, handed to `visit` when it lies in
/// `[from, to]`; anything else is noted.
fn parse_line(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    mut visit: impl FnMut(&HistoryLine<'_>, DateTime<Utc>),
) -> impl FnMut(&[u8], &mut ReadReport, &mut dyn FnMut(String)) {
    move |text, report, note| match serde_json::from_slice::<HistoryLine>(text) {
        Ok(l) => match parse_at(&l.at) {
            Some(at) if at >= from && at <= to => {
                report.records += 1;
                visit(&l, at);
            }
            Some(_) => {}
            None => note(format!("bad time {:?}", l.at)),
        },
        Err(e) => note(e.to_string()),
    }
}

/// Fuzzing entry point (`fuzz/`, target `history`), not an API: `data` read as one day file by `scan`
/// (same line splitting, parsing and notes), then thinned as `compact` thins a day with `every`.
#[doc(hidden)]
pub fn fuzz_day(
    data: &[u8],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    every: Duration,
    visit: impl FnMut(&HistoryLine<'_>, DateTime<Utc>),
) -> (ReadReport, Vec<u8>) {
    let mut report = ReadReport::default();
    let mut each = parse_line(from, to, visit);
    // reading from memory cannot fail
    let _ = scan_lines(data, Path::new("fuzz.jsonl"), &mut report, &mut each);
    let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
    let (kept, _, _) = compact_day(data, every);
    (report, kept)
}

/// Calls `visit` with every whole record whose `at` lies in `[from, to]` (as `scan`, owned; the
/// tests read back what was written with it).
#[cfg(test)]
pub fn read(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    mut visit: impl FnMut(Record),
) -> std::io::Result<ReadReport> {
    scan_with(
        dir,
        from,
        to,
        |text, report, note| match serde_json::from_slice::<Record>(text) {
            Ok(r) if r.at >= from && r.at <= to => {
                report.records += 1;
                visit(r);
            }
            Ok(_) => {}
            Err(e) => note(e.to_string()),
        },
    )
}

/// The day-file walk under `scan` and `read`: `each(line, report, note)` parses one line and calls
/// `note` when it is corrupt.
fn scan_with(
    dir: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    mut each: impl FnMut(&[u8], &mut ReadReport, &mut dyn FnMut(String)),
) -> std::io::Result<ReadReport> {
    let mut report = ReadReport::default();
    let mut day = from.date_naive();
    let last = to.date_naive();
    while day <= last {
        let path = day_file(dir, day);
        day = day.succ_opt().unwrap_or(last + chrono::Days::new(1));
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        report.files += 1;
        let reader = std::io::BufReader::with_capacity(256 * 1024, file);
        scan_lines(reader, &path, &mut report, &mut each)?;
    }
    Ok(report)
}

/// The lines of one day file (`path` names it in the notes) through `each`, as `scan_with` reads them.
fn scan_lines(
    mut reader: impl BufRead,
    path: &Path,
    report: &mut ReadReport,
    each: &mut impl FnMut(&[u8], &mut ReadReport, &mut dyn FnMut(String)),
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut n = 0usize;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        n += 1;
        let complete = line.last() == Some(&b'\n');
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut problem = None;
        each(text, report, &mut |e| problem = Some(e));
        if let Some(e) = problem {
            report.corrupt += 1;
            if report.notes.len() < MAX_NOTES {
                let what = if complete {
                    "corrupt line"
                } else {
                    "torn last line"
                };
                report
                    .notes
                    .push(format!("{}:{n}: {what} skipped ({e})", path.display()));
            }
        }
    }
    Ok(())
}

/// A series of history: (target, probe kind).
type SeriesKey = (String, String);

/// What a compaction did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Compacted {
    pub files: usize,
    pub before: usize,
    pub after: usize,
}

/// Thins the day files older than `after` before `now`: every full round, every non-OK record and
/// every record whose status differs from its series' previous one is kept; of the OK light rounds
/// in between, one per `every` per target and probe. Idempotent (a compacted day compacts to itself);
/// each file is rewritten atomically under its day's lock, and a line that does not parse is kept as
/// it is, so nothing is lost that a reader could still use.
pub fn compact(
    dir: &Path,
    after: Duration,
    every: Duration,
    now: DateTime<Utc>,
) -> std::io::Result<Compacted> {
    let cutoff =
        (now - chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX)).date_naive();
    let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
    let mut done = Compacted::default();
    let mut days: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(e) => e
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| day_of(p).is_some_and(|d| d < cutoff))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(done),
        Err(e) => return Err(e),
    };
    days.sort();
    for path in days {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)?;
        let _lock = lock(file, &path)?;
        let text = std::fs::read(&path)?;
        let (kept, before, after_n) = compact_day(&text, every);
        if after_n < before {
            let tmp = path.with_extension(format!("compact.{}.tmp", std::process::id()));
            let res = (|| {
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(&kept)?;
                f.sync_all()?;
                std::fs::rename(&tmp, &path)
            })();
            if res.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            res?;
            done.files += 1;
        }
        done.before += before;
        done.after += after_n;
    }
    Ok(done)
}

/// One day file's text thinned as `compact` says: the lines kept, how many there were, how many are kept.
fn compact_day(text: &[u8], every: chrono::Duration) -> (Vec<u8>, usize, usize) {
    let mut kept = Vec::with_capacity(text.len() / 2);
    // (target, kind) → (when a record was last kept, the last status)
    let mut last: BTreeMap<SeriesKey, (Option<DateTime<Utc>>, Status)> = BTreeMap::new();
    let (mut before, mut after_n) = (0usize, 0usize);
    for line in text.split_inclusive(|b| *b == b'\n') {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        if body.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        before += 1;
        let keep = match serde_json::from_slice::<HistoryLine>(body) {
            Err(_) => true,
            Ok(l) => {
                let at = parse_at(&l.at);
                let key = (l.target.to_string(), l.kind.to_string());
                let prev = last.get(&key).cloned();
                let changed = prev.as_ref().is_none_or(|(_, st)| *st != l.status);
                let light_ok =
                    l.status == Status::Ok && body.windows(14).any(|w| w == b"\"record:light\"");
                let due = match (prev.as_ref().and_then(|(t, _)| *t), at) {
                    (Some(t), Some(a)) => a - t >= every,
                    _ => true,
                };
                let keep = changed || !light_ok || due;
                let kept_at = if keep { at } else { prev.and_then(|(t, _)| t) };
                last.insert(key, (kept_at, l.status));
                keep
            }
        };
        if keep {
            after_n += 1;
            kept.extend_from_slice(body);
            kept.push(b'\n');
        }
    }
    (kept, before, after_n)
}

/// Removes the day files older than `keep` before `now`; returns them.
pub fn retain(dir: &Path, keep: Duration, now: DateTime<Utc>) -> std::io::Result<Vec<PathBuf>> {
    let cutoff =
        (now - chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX)).date_naive();
    let mut removed = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if day_of(&path).is_some_and(|d| d < cutoff) {
            std::fs::remove_file(&path)?;
            removed.push(path);
        }
    }
    if dir.file_name().is_none_or(|n| n != "actions") {
        removed.extend(retain(&actions_dir(dir), keep, now)?);
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::model::HISTORY_VERSION;
    use crate::model::Record;
    use crate::model::parse_at;

    fn rec(at: &str, target: &str) -> Record {
        Record {
            v: HISTORY_VERSION,
            at: at.parse().unwrap(),
            source: "record:full".into(),
            target: target.into(),
            kind: "mcp".into(),
            status: Status::Ok,
            reason: None,
            duration_ms: 1.5,
            metrics: BTreeMap::from([("liveness".to_string(), 2.25)]),
            tools: None,
            servers: None,
            uptime_s: BTreeMap::new(),
        }
    }

    #[test]
    fn append_splits_by_day_and_read_touches_only_the_window() {
        let d = tempfile::tempdir().unwrap();
        let recs = vec![
            rec("2026-11-20T23:59:59Z", "a"),
            rec("2026-11-21T00:00:00Z", "a"),
            rec("2026-11-21T12:00:00Z", "b"),
            rec("2026-11-22T08:00:00Z", "a"),
        ];
        assert_eq!(append(d.path(), &recs).unwrap(), 4);
        let mut names: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["2026-11-20.jsonl", "2026-11-21.jsonl", "2026-11-22.jsonl"]
        );
        let mut seen = Vec::new();
        let rep = read(
            d.path(),
            "2026-11-21T00:00:00Z".parse().unwrap(),
            "2026-11-21T23:59:59Z".parse().unwrap(),
            |r| seen.push(r),
        )
        .unwrap();
        assert_eq!(rep.files, 1, "only the window's day is opened");
        assert_eq!(seen, recs[1..3].to_vec());
    }

    #[test]
    fn corrupt_and_torn_lines_are_skipped_and_reported() {
        let d = tempfile::tempdir().unwrap();
        append(d.path(), &[rec("2026-11-21T01:00:00Z", "a")]).unwrap();
        let path = d.path().join("2026-11-21.jsonl");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"v\":1,\"at\":\"garbage\n").unwrap();
        drop(f);
        append(d.path(), &[rec("2026-11-21T02:00:00Z", "b")]).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"v\":1,\"at\":\"2026-11-21T03:00").unwrap();
        drop(f);
        let mut seen = Vec::new();
        let rep = read(
            d.path(),
            "2026-11-21T00:00:00Z".parse().unwrap(),
            "2026-11-21T23:00:00Z".parse().unwrap(),
            |r| seen.push(r.target),
        )
        .unwrap();
        assert_eq!(seen, ["a", "b"]);
        assert_eq!(rep.corrupt, 2);
        assert!(
            rep.notes[0].contains(":2: corrupt line skipped"),
            "{:?}",
            rep.notes
        );
        assert!(
            rep.notes[1].contains(":4: torn last line"),
            "{:?}",
            rep.notes
        );
    }

    #[test]
    fn times_parse_fast_and_exactly_as_chrono() {
        for s in [
            "2026-11-22T01:02:03Z",
            "2026-11-22T01:02:03.5Z",
            "2026-11-22T01:02:03.123Z",
            "2026-11-22T01:02:03.123456789Z",
            "2026-11-22T01:02:03+02:00",
        ] {
            let want = DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
            assert_eq!(parse_at(s), Some(want), "{s}");
        }
        for bad in [
            "2026-13-22T01:02:03Z",
            "yesterday",
            "2026-11-22T01:02:03.Z",
            "",
        ] {
            assert_eq!(parse_at(bad), None, "{bad}");
        }
    }

    #[test]
    fn scan_borrows_what_readers_use() {
        let d = tempfile::tempdir().unwrap();
        let mut r = rec("2026-11-21T01:00:00.250Z", "a");
        r.tools = Some(BTreeMap::from([("echo".to_string(), "00ff".to_string())]));
        r.uptime_s.insert("process".into(), 12.0);
        append(d.path(), &[r]).unwrap();
        let mut seen = Vec::new();
        let rep = scan(
            d.path(),
            "2026-11-21T00:00:00Z".parse().unwrap(),
            "2026-11-21T23:00:00Z".parse().unwrap(),
            |l, at| {
                seen.push((
                    at,
                    l.target.to_string(),
                    l.metrics.get("liveness"),
                    l.uptime_s.get("process"),
                    l.tools.as_ref().map(|t| t.len()),
                ))
            },
        )
        .unwrap();
        assert_eq!(rep.records, 1);
        assert_eq!(
            seen,
            [(
                "2026-11-21T01:00:00.250Z".parse().unwrap(),
                "a".to_string(),
                Some(2.25),
                Some(12.0),
                Some(1)
            )]
        );
    }

    #[test]
    fn compaction_thins_old_light_rounds_and_keeps_what_matters() {
        let d = tempfile::tempdir().unwrap();
        let mut recs = Vec::new();
        for m in 0..60 {
            let mut r = rec(&format!("2026-11-01T10:{m:02}:00Z"), "a");
            r.source = if m % 30 == 0 {
                "record:full"
            } else {
                "record:light"
            }
            .into();
            if m == 42 {
                r.status = Status::Crit;
            }
            recs.push(r);
        }
        recs.push(rec("2026-11-22T10:00:00Z", "a")); // recent: untouched
        append(d.path(), &recs).unwrap();
        let now: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
        let c = compact(
            d.path(),
            Duration::from_secs(7 * 86400),
            Duration::from_secs(600),
            now,
        )
        .unwrap();
        assert_eq!(c.files, 1);
        assert_eq!(c.before, 60);
        let mut kept = Vec::new();
        read(
            d.path(),
            "2026-11-01T00:00:00Z".parse().unwrap(),
            now,
            |r| kept.push((r.at.format("%M").to_string(), r.status)),
        )
        .unwrap();
        let minutes: Vec<&str> = kept.iter().map(|(m, _)| m.as_str()).collect();
        // full rounds (00, 30), one light OK round per 10 min, the crit one and the recovery after it
        assert_eq!(
            minutes,
            ["00", "10", "20", "30", "40", "42", "43", "53", "00"],
            "{kept:?}"
        );
        assert_eq!(c.after, 8);
        // compacting again changes nothing
        let again = compact(
            d.path(),
            Duration::from_secs(7 * 86400),
            Duration::from_secs(600),
            now,
        )
        .unwrap();
        assert_eq!((again.files, again.before, again.after), (0, 8, 8));
    }

    #[test]
    fn retention_removes_whole_old_days() {
        let d = tempfile::tempdir().unwrap();
        append(
            d.path(),
            &[
                rec("2026-10-01T10:00:00Z", "a"),
                rec("2026-10-23T10:00:00Z", "a"),
                rec("2026-11-22T10:00:00Z", "a"),
            ],
        )
        .unwrap();
        std::fs::write(d.path().join("notes.txt"), "kept").unwrap();
        let removed = retain(
            d.path(),
            Duration::from_secs(30 * 86400),
            "2026-11-22T12:00:00Z".parse().unwrap(),
        )
        .unwrap();
        let names: Vec<String> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["2026-10-01.jsonl"]);
        assert!(d.path().join("2026-10-23.jsonl").exists());
        assert!(d.path().join("notes.txt").exists());
    }

    #[test]
    fn the_remediation_log_is_a_day_file_of_its_own_aged_with_the_rest() {
        let d = tempfile::tempdir().unwrap();
        let line = |at: &str| crate::model::ActionRecord {
            v: HISTORY_VERSION,
            at: at.parse().unwrap(),
            target: "hub".into(),
            probe: "mcp".into(),
            check: "connect".into(),
            event: "action".into(),
            status: "crit".into(),
            message: "restart hub: exit 0 in 1.2 s; 1 of 3 allowed this hour".into(),
        };
        let n = append_actions(
            d.path(),
            &[line("2026-10-01T10:00:00Z"), line("2026-11-22T10:00:00Z")],
        )
        .unwrap();
        assert_eq!(n, 2);
        // not among the observations: readers of history never see it
        let mut seen = 0;
        read(
            d.path(),
            "2026-10-01T00:00:00Z".parse().unwrap(),
            "2026-11-23T00:00:00Z".parse().unwrap(),
            |_| seen += 1,
        )
        .unwrap();
        assert_eq!(seen, 0);
        let removed = retain(
            d.path(),
            Duration::from_secs(30 * 86400),
            "2026-11-22T12:00:00Z".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(removed, [actions_dir(d.path()).join("2026-10-01.jsonl")]);
        assert!(actions_dir(d.path()).join("2026-11-22.jsonl").exists());
    }
}
