//! Log lines that are not a file: the standard output of a program (`journalctl -u mcp -n 500 -o cat`,
//! `docker logs --tail 500 app`, `railway logs`) or mcpmon's own standard input (`--log -`), then
//! counted as a file's tail is (`logs::count_output`).
//!
//! Owns: running the program without a shell in its own process group under the target's deadline,
//! keeping only the end of what it prints (`KEEP_BYTES`) and stopping it past `READ_LIMIT` (memory and
//! work stay bounded whatever it prints), the tail of its stderr for the message, and reaping it
//! (`crate::child`) whatever happens. Must not: use a shell, remember anything between looks (a
//! command's output has no position: its counts are over what it printed this time), decide a verdict,
//! or print.

use super::logs;
use crate::child::Group;
use crate::model::{Failure, LogFacts, LogSpec, OutputFacts, Reason};
use nix::sys::signal::Signal;
use std::os::unix::process::ExitStatusExt as _;
use std::process::Stdio;
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

/// Only the last this many bytes of the output are kept and read as lines.
pub const KEEP_BYTES: usize = 4 * 1024 * 1024;
/// Past this many bytes the program is stopped (killed and reaped) and what was kept is counted: a
/// program that prints without end (`-f`, `--follow`) costs this much reading, not the deadline.
pub const READ_LIMIT: u64 = 256 * 1024 * 1024;
/// How much of the end of stderr is kept for the message.
const STDERR_TAIL_BYTES: usize = 8 * 1024;
/// The stderr line in a message is cut to this many characters.
const STDERR_LINE_CHARS: usize = 200;
/// After stdout ends, how long the program may take to exit and its stderr to end (within the deadline).
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// How long to wait for a killed program to be reaped.
const REAP_GRACE: Duration = Duration::from_secs(2);

/// The limits of one read (tests use small ones).
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub keep: usize,
    pub read_limit: u64,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            keep: KEEP_BYTES,
            read_limit: READ_LIMIT,
        }
    }
}

/// The end of a stream, bounded: at most `keep` bytes held (twice that while appending).
struct Kept {
    buf: Vec<u8>,
    keep: usize,
    total: u64,
}

impl Kept {
    fn new(keep: usize) -> Self {
        Kept {
            buf: Vec::new(),
            keep: keep.max(1),
            total: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        self.buf.extend_from_slice(bytes);
        if self.buf.len() > 2 * self.keep {
            let cut = self.buf.len() - self.keep;
            self.buf.drain(..cut);
        }
    }

    /// What was kept, whole lines only (a line cut by the cap, or by stopping the reading, is
    /// dropped), and the facts.
    fn finish(mut self, cut: bool) -> (Vec<u8>, OutputFacts) {
        if self.buf.len() > self.keep {
            let cut = self.buf.len() - self.keep;
            self.buf.drain(..cut);
        }
        let capped = self.total > self.buf.len() as u64;
        if capped {
            let start = self
                .buf
                .iter()
                .position(|b| *b == b'\n')
                .map_or(self.buf.len(), |i| i + 1);
            self.buf.drain(..start);
        }
        if cut {
            // stopped mid-stream: the last line may be half written
            let end = self
                .buf
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            self.buf.truncate(end);
        }
        let facts = OutputFacts {
            bytes: self.total,
            capped,
            cut,
            kept: self.buf.len() as u64,
            stdin: false,
        };
        (self.buf, facts)
    }
}

/// The program as shown in messages: its words joined by spaces.
pub fn shown(argv: &[String]) -> String {
    argv.join(" ")
}

/// Runs `argv` (no shell) and counts what it printed on stdout. A program that cannot start is
/// `command_not_found` / `spawn_error`; a non-zero exit `log_command_failed` with its last stderr line;
/// one still running at `until` is killed, reaped and `timeout`.
pub async fn command(
    argv: &[String],
    spec: &LogSpec,
    until: Instant,
    caps: Caps,
) -> Result<LogFacts, Failure> {
    let (data, output) = run(argv, until, caps).await?;
    Ok(logs::count_output(data, spec, output))
}

/// Reads mcpmon's standard input to its end (bounded as a command's output) and counts it. Read once:
/// a second look (`serve`, `dashboard`) finds it at its end. The read runs on a thread of its own, left
/// behind at the deadline (a blocking read cannot be cancelled; a detached thread does not hold up exit).
pub async fn stdin(spec: &LogSpec, until: Instant, caps: Caps) -> Result<LogFacts, Failure> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("mcpmon-stdin".into())
        .spawn(move || {
            let mut kept = Kept::new(caps.keep);
            let mut input = std::io::stdin().lock();
            let mut buf = vec![0u8; 64 * 1024];
            let read = loop {
                if kept.total >= caps.read_limit {
                    break Ok(true);
                }
                match std::io::Read::read(&mut input, &mut buf) {
                    Ok(0) => break Ok(false),
                    Ok(n) => kept.push(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            let _ = tx.send(read.map(|cut| kept.finish(cut)));
        });
    if let Err(e) = spawned {
        return Err(Failure::new(
            Reason::InternalError,
            format!("reading standard input: {e}"),
        ));
    }
    match timeout_at(until, rx).await {
        Ok(Ok(Ok((data, output)))) => Ok(logs::count_output(
            data,
            spec,
            OutputFacts {
                stdin: true,
                ..output
            },
        )),
        Ok(Ok(Err(e))) => Err(Failure::new(
            Reason::FileUnreadable,
            format!("reading standard input: {e}"),
        )),
        Ok(Err(_)) => Err(Failure::new(
            Reason::InternalError,
            "internal error: reading standard input stopped",
        )),
        Err(_) => Err(Failure::new(
            Reason::Timeout,
            "standard input did not end before the deadline; pipe a log into `--log -`, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`",
        )),
    }
}

async fn run(
    argv: &[String],
    until: Instant,
    caps: Caps,
) -> Result<(Vec<u8>, OutputFacts), Failure> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Failure::new(Reason::SpawnError, "no program to run"));
    };
    let name = shown(argv);
    let (mut child, mut group) = crate::child::spawn(
        tokio::process::Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
    .map_err(|e| spawn_failure(program, &e))?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let mut out = Kept::new(caps.keep);
    let mut err = Kept::new(STDERR_TAIL_BYTES);

    // stdout to its end (or the read limit), stderr alongside
    let reading = async {
        let mut ob = vec![0u8; 64 * 1024];
        let mut eb = vec![0u8; 4096];
        let mut err_open = stderr.is_some();
        loop {
            if out.total >= caps.read_limit {
                return Ok(true);
            }
            tokio::select! {
                r = crate::child::read_pipe(&mut stdout, &mut ob) => match r? {
                    0 => return Ok::<bool, std::io::Error>(false),
                    n => out.push(&ob[..n]),
                },
                r = crate::child::read_pipe(&mut stderr, &mut eb), if err_open => match r {
                    Ok(0) | Err(_) => err_open = false,
                    Ok(n) => err.push(&eb[..n]),
                },
            }
        }
    };
    let result = match timeout_at(until, reading).await {
        Ok(Ok(true)) => {
            // it printed past the read limit: stopped, what was kept is counted
            let reaped = group.kill_and_reap(&mut child, REAP_GRACE).await;
            group.forget();
            if !reaped {
                return Err(Failure::new(
                    Reason::Timeout,
                    format!(
                        "`{name}` printed more than {} bytes and, killed, was not reaped",
                        caps.read_limit
                    ),
                ));
            }
            return Ok(out.finish(true));
        }
        Ok(Ok(false)) => {
            // stdout ended: the exit status, and the rest of stderr
            let grace = until.min(Instant::now() + EXIT_GRACE);
            let waited = timeout_at(grace, async {
                let mut eb = vec![0u8; 4096];
                while let Ok(n @ 1..) = crate::child::read_pipe(&mut stderr, &mut eb).await {
                    err.push(&eb[..n]);
                }
                child.wait().await
            })
            .await;
            match waited {
                Ok(Ok(status)) => Ok(status),
                Ok(Err(e)) => Err(Failure::new(
                    Reason::InternalError,
                    format!("waiting for `{name}`: {e}"),
                )),
                Err(_) => Err(deadline(&name, &out, &mut child, group).await),
            }
        }
        Ok(Err(e)) => Err(Failure::new(
            Reason::FileUnreadable,
            format!("reading the output of `{name}`: {e}"),
        )),
        Err(_) => Err(deadline(&name, &out, &mut child, group).await),
    };
    // what the program left running in its group goes too (it was reaped or killed above)
    if group.alive() {
        group.signal(Signal::SIGKILL);
    }
    group.forget();
    let status = match result {
        Ok(s) => s,
        Err(mut f) => {
            f.message.push_str(&stderr_note(err));
            return Err(f);
        }
    };
    if !status.success() {
        let how = match (status.code(), status.signal()) {
            (Some(c), _) => format!("exited with status {c}"),
            (None, Some(s)) => format!("was killed by signal {s}"),
            (None, None) => "ended abnormally".into(),
        };
        return Err(Failure::new(
            Reason::LogCommandFailed,
            format!("`{name}` {how}{}", stderr_note(err)),
        ));
    }
    Ok(out.finish(false))
}

/// The program outlived the deadline: its group killed, it reaped, and the failure says so.
async fn deadline(
    name: &str,
    out: &Kept,
    child: &mut tokio::process::Child,
    group: Group,
) -> Failure {
    let reaped = group.kill_and_reap_said(child, REAP_GRACE).await;
    Failure::new(
        Reason::Timeout,
        format!(
            "`{name}` did not finish before the deadline ({} bytes printed); {reaped} — does it follow the log? Give it a bound (`-n 500`, `--tail 500`), not `-f`",
            out.total
        ),
    )
}

/// `: <the last non-blank line of stderr>`, one line, cut; nothing when it wrote nothing.
fn stderr_note(err: Kept) -> String {
    let (bytes, _) = err.finish(false);
    let text = String::from_utf8_lossy(&bytes);
    match text.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(l) => {
            let l = l.trim();
            let cut: String = l.chars().take(STDERR_LINE_CHARS).collect();
            format!(": {cut}{}", if cut.len() < l.len() { "…" } else { "" })
        }
        None => String::new(),
    }
}

fn spawn_failure(program: &str, e: &std::io::Error) -> Failure {
    match e.kind() {
        std::io::ErrorKind::NotFound => Failure::new(
            Reason::CommandNotFound,
            format!("cannot start `{program}`: not found"),
        ),
        std::io::ErrorKind::PermissionDenied => Failure::new(
            Reason::SpawnError,
            format!("cannot start `{program}`: permission denied (not executable?)"),
        ),
        _ => Failure::new(Reason::SpawnError, format!("cannot start `{program}`: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Counted, LogSpec, Pattern};

    fn spec() -> LogSpec {
        LogSpec::of(crate::model::LogSource::Stdin).with_patterns(vec![Pattern::regex(
            "failed",
            regex::Regex::new("FAILED").unwrap(),
            Some(1),
            None,
        )])
    }

    fn python(code: &str) -> Vec<String> {
        vec!["python3".into(), "-c".into(), code.into()]
    }

    #[test]
    fn kept_holds_at_most_twice_the_cap_whatever_is_pushed() {
        let mut kept = Kept::new(1000);
        let chunk = b"FAILED 0123456789\n".repeat(200);
        for _ in 0..5000 {
            kept.push(&chunk);
            assert!(kept.buf.len() <= 2 * 1000 + chunk.len());
        }
        assert!(kept.buf.capacity() <= 4 * (2 * 1000 + chunk.len()));
        let (data, facts) = kept.finish(true);
        assert_eq!(facts.bytes, 5000 * chunk.len() as u64);
        assert!(facts.capped && facts.cut);
        assert!(data.len() <= 1000);
        assert!(
            data.starts_with(b"FAILED") && data.ends_with(b"\n"),
            "whole lines"
        );
    }

    #[tokio::test]
    async fn an_endless_command_is_stopped_at_the_read_limit() {
        let caps = Caps {
            keep: 64 * 1024,
            read_limit: 4 * 1024 * 1024,
        };
        let argv = python(
            "import sys\nb = b'INFO FAILED x\\n' * 4096\nwhile True: sys.stdout.buffer.write(b)",
        );
        let until = Instant::now() + Duration::from_secs(60);
        let facts = command(&argv, &spec(), until, caps).await.unwrap();
        let out = facts.output.unwrap();
        assert!(out.cut && out.capped, "{out:?}");
        assert!(out.bytes >= caps.read_limit);
        assert!(out.kept <= caps.keep as u64);
        let Counted::Output { lines } = facts.window else {
            panic!("{:?}", facts.window)
        };
        assert_eq!(facts.hits[0].count, lines);
    }

    #[tokio::test]
    async fn a_hanging_command_times_out_and_a_failing_one_says_why() {
        let argv = python("import time; time.sleep(300)");
        let until = Instant::now() + Duration::from_millis(300);
        let f = command(&argv, &spec(), until, Caps::default())
            .await
            .unwrap_err();
        assert_eq!(f.reason, Reason::Timeout);
        assert!(f.message.contains("killed and reaped"), "{}", f.message);

        let argv =
            python("import sys; sys.stderr.write('boom\\n' * 3 + 'last words\\n'); sys.exit(4)");
        let until = Instant::now() + Duration::from_secs(60);
        let f = command(&argv, &spec(), until, Caps::default())
            .await
            .unwrap_err();
        assert_eq!(f.reason, Reason::LogCommandFailed);
        assert!(
            f.message.ends_with("exited with status 4: last words"),
            "{}",
            f.message
        );
    }
}
