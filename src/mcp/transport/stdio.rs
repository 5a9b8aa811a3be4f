//! The stdio transport: an MCP server as a child process speaking newline-delimited JSON.
//!
//! Owns the child's whole life: spawn in its own process group, a bounded line reader on stdout, a
//! bounded ring of stderr lines kept as context (never treated as failure), and reaping on close:
//! stdin closed → SIGTERM to the group and the whole tree → SIGKILL, each step bounded, then whatever
//! escaped the group swept (`child::Group::sweep`). If the transport is
//! dropped without `close()` (Ctrl-C, a cancelled task), the group is SIGKILLed from `Drop`.
//!
//! Start-up: a server may get a start-up phase of its own (`startup_timeout`; a package runner gets
//! one by default), from spawn to its first byte on stdout (or stdout's end). While it lasts, a request
//! waits until the start-up deadline, not its own; once it is over, every request deadline is moved
//! later by the time start-up took, so a slow download does not eat the request budget. A start-up
//! deadline that passes is `startup_timeout`, saying what was stopped and which flag to raise.

use super::{Exchange, OutRequest, Step, WireLog, handle_incoming};
use crate::model::Failure;
use crate::model::Reason;
use crate::model::StdioSpec;
use crate::model::stderr_gap;
use crate::net::http::MAX_RESPONSE_BYTES;

use crate::child::Group;
use crate::mcp::jsonrpc;
use nix::sys::signal::Signal;
use serde_json::Value;
use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};

/// How long a server gets to exit by itself after its stdin is closed (the spec's first shutdown step),
/// before SIGTERM. Short on purpose: a monitor's check must not wait for a server's leisurely timers
/// (server-everything keeps its event loop alive ~350 ms after stdin closes); an idle server exits on
/// EOF within a few ms, anything else gets a normal SIGTERM.
const EXIT_GRACE: Duration = Duration::from_millis(10);
/// How long after SIGTERM before SIGKILL.
const TERM_GRACE: Duration = Duration::from_millis(500);
/// How long the kernel gets to finish a SIGKILLed leader before mcpmon stops waiting.
const KILL_GRACE: Duration = Duration::from_millis(200);
/// How long what is left of the tree once the leader is gone gets after SIGTERM, before SIGKILL.
const LEFTOVER_GRACE: Duration = Duration::from_millis(100);
const STDERR_LINES: usize = 20;
const STDERR_LINE_CHARS: usize = 400;
/// How many of the first error-looking stderr lines are kept beside the tail (the cause of a crash
/// is often followed by pages of usage text).
const STDERR_CAUSE_LINES: usize = 3;

/// The child's stderr as context: its first error-looking lines and its last lines, both bounded.
#[derive(Default)]
struct StderrLog {
    /// `(line number, text)` of the first lines that look like a cause.
    causes: Vec<(usize, String)>,
    /// `(line number, text)` of the last `STDERR_LINES` lines.
    tail: VecDeque<(usize, String)>,
    /// Lines seen so far.
    seen: usize,
}

impl StderrLog {
    fn push(&mut self, line: String) {
        let n = self.seen;
        self.seen += 1;
        if self.causes.len() < STDERR_CAUSE_LINES && crate::model::looks_like_a_cause(&line) {
            self.causes.push((n, line.clone()));
        }
        if self.tail.len() == STDERR_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back((n, line));
    }

    /// The kept cause lines that fell out of the tail, a gap line saying how many were skipped, then
    /// the tail; just the tail when the causes are still in it.
    fn lines(&self) -> Vec<String> {
        let first_in_tail = self.tail.front().map_or(self.seen, |(n, _)| *n);
        let early: Vec<&(usize, String)> = self
            .causes
            .iter()
            .filter(|(n, _)| *n < first_in_tail)
            .collect();
        let mut out = Vec::with_capacity(early.len() + 1 + self.tail.len());
        let mut next = 0;
        for (n, l) in early {
            if *n > next {
                out.push(stderr_gap(n - next));
            }
            out.push(l.clone());
            next = n + 1;
        }
        if next > 0 && first_in_tail > next {
            out.push(stderr_gap(first_in_tail - next));
        }
        out.extend(self.tail.iter().map(|(_, l)| l.clone()));
        out
    }
}

/// What woke a waiting request: some bytes written to stdin, a line from stdout, or the deadline.
enum Event {
    Wrote(std::io::Result<usize>),
    Read(Option<Line>),
    Deadline,
}

/// The failure of a write to stdin that did not finish before the deadline.
fn unwritten(method: &str, log: &WireLog) -> Failure {
    let mut msg = format!(
        "could not write {method} to the server's stdin before the deadline: the server is not reading its input"
    );
    if let Some(f) = log.faults.last() {
        msg.push_str("; ");
        msg.push_str(f);
    }
    Failure::new(Reason::Timeout, msg)
}

pub(super) enum Line {
    Message(Value),
    Stray(String),
    TooLarge(usize),
    Eof,
    ReadError(String),
}

pub struct StdioTransport {
    child: Child,
    group: Group,
    stdin: Option<ChildStdin>,
    /// Bytes queued for stdin, not yet written.
    out: Vec<u8>,
    /// Bytes ever queued / written, to tell whether a request's own line went out.
    queued: u64,
    written: u64,
    rx: mpsc::Receiver<Line>,
    stderr: Arc<Mutex<StderrLog>>,
    tasks: Vec<JoinHandle<()>>,
    next_id: u64,
    eof: bool,
    reaped: bool,
    pub log: WireLog,
    /// When the child was started.
    spawned: Instant,
    /// The start-up phase's own limit; None: start-up counts within the request deadlines.
    startup: Option<Duration>,
    /// Start-up time already spent by an earlier process of the same check (a restart).
    carried: Duration,
    /// When the first byte (or the end) of stdout arrived: the end of start-up.
    first_out: Arc<OnceLock<Instant>>,
    /// The package runner the command is (`npx`), for the start-up failure's words.
    runner: Option<&'static str>,
    /// The program's file name, for the start-up failure's words.
    program: String,
}

/// How long to wait for one request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// Until the request's deadline, moved by start-up (see the module doc).
    Full,
    /// Until the given deadline as it is (or start-up's, when that is sooner): a probe whose silence
    /// is itself an answer (the stdio era probe).
    Probe,
}

impl StdioTransport {
    /// Spawns the server, with a start-up phase of its own when `startup` is given (see the module
    /// doc). Failure to start is `spawn_error`.
    pub fn spawn(spec: &StdioSpec, startup: Option<Duration>) -> Result<Self, Failure> {
        let mut cmd = Command::new(&spec.program);
        cmd.args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &spec.cwd {
            cmd.current_dir(dir);
        }
        let spawned = Instant::now();
        let (mut child, group) = crate::child::spawn(&mut cmd)
            .map_err(|e| Failure::new(Reason::SpawnError, spawn_message(spec, &e)))?;
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel(256);
        let stderr = Arc::new(Mutex::new(StderrLog::default()));
        let mut tasks = Vec::new();
        let first_out = Arc::new(OnceLock::new());
        if let Some(out) = child.stdout.take() {
            tasks.push(tokio::spawn(read_stdout(out, tx, Arc::clone(&first_out))));
        }
        if let Some(err) = child.stderr.take() {
            tasks.push(tokio::spawn(read_stderr(err, Arc::clone(&stderr))));
        }
        Ok(StdioTransport {
            child,
            group,
            stdin,
            out: Vec::new(),
            queued: 0,
            written: 0,
            rx,
            stderr,
            tasks,
            next_id: 0,
            eof: false,
            reaped: false,
            log: WireLog::default(),
            spawned,
            startup,
            carried: Duration::ZERO,
            first_out,
            runner: spec.package_runner().map(|r| r.name),
            program: spec
                .program
                .rsplit('/')
                .next()
                .unwrap_or(&spec.program)
                .to_string(),
        })
    }

    /// How long start-up took (or has taken so far), with what earlier processes of this check spent.
    pub fn startup_took(&self) -> Duration {
        let own = match self.first_out.get() {
            Some(up) => up.saturating_duration_since(self.spawned),
            None => self.spawned.elapsed(),
        };
        self.carried + own
    }

    /// Counts `earlier` start-up time (a process this one replaces) against this one's start-up.
    pub fn carry(&mut self, earlier: Duration) {
        self.carried = earlier;
    }

    /// When a wait for `deadline` ends, and whether it is the start-up deadline.
    fn due(&self, deadline: Instant, wait: Wait) -> (Instant, bool) {
        let Some(limit) = self.startup else {
            return (deadline, false);
        };
        match (self.first_out.get(), wait) {
            (Some(_), Wait::Probe) => (deadline, false),
            (Some(up), Wait::Full) => {
                let took = self.carried + up.saturating_duration_since(self.spawned);
                (crate::model::checked::after(deadline, took), false)
            }
            (None, _) => {
                let left = limit.saturating_sub(self.carried);
                let startup = crate::model::checked::after(self.spawned, left);
                match wait {
                    // a probe still ends at its own deadline, or at start-up's when that is sooner
                    Wait::Probe if deadline < startup => (deadline, false),
                    _ => (startup, true),
                }
            }
        }
    }

    /// The failure of a start-up that did not end by its deadline: what was stopped, and what to raise.
    fn startup_failure(&self) -> Failure {
        let limit = self.startup.unwrap_or_default();
        let msg = match self.runner {
            Some(runner) => format!(
                "`{runner}` did not start the server within {}: nothing on its stdout yet (a package runner may still be downloading the package: it was stopped mid-install); raise --startup-timeout or `startup_timeout`, or install the package first",
                show(limit)
            ),
            None => format!(
                "`{}` wrote nothing on stdout within its start-up deadline of {} and was stopped; raise --startup-timeout or `startup_timeout` if it is slow to start",
                self.program,
                show(limit)
            ),
        };
        Failure::new(Reason::StartupTimeout, msg)
    }

    /// The child's pid while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr
            .lock()
            .map(|log| log.lines())
            .unwrap_or_default()
    }

    /// Queues one line for the child's stdin. Nothing is written here: bytes go out while a request
    /// waits (never blocking the reading of stdout) or in `notify`, always bounded by a deadline.
    fn enqueue(&mut self, body: &[u8]) -> Result<(), Failure> {
        if self.stdin.is_none() {
            return Err(Failure::new(
                Reason::ServerDisconnected,
                "stdin already closed",
            ));
        }
        self.out.extend_from_slice(body);
        self.out.push(b'\n');
        self.queued += body.len() as u64 + 1;
        Ok(())
    }

    /// Sends a notification: queued, then written until everything queued is out or `deadline` passes.
    pub(crate) async fn notify(
        &mut self,
        method: &str,
        body: &[u8],
        deadline: Instant,
    ) -> Result<(), Failure> {
        self.enqueue(body)?;
        let (deadline, _) = self.due(deadline, Wait::Full);
        while !self.out.is_empty() {
            let Some(stdin) = self.stdin.as_mut() else {
                break;
            };
            match timeout_at(deadline, stdin.write(&self.out)).await {
                Err(_) => return Err(unwritten(method, &self.log)),
                Ok(Ok(n)) => self.wrote(n),
                Ok(Err(e)) => {
                    return Err(self
                        .disconnected(&format!("writing to the server's stdin failed: {e}"))
                        .await);
                }
            }
        }
        Ok(())
    }

    /// Drops the first `n` queued bytes, which were written.
    fn wrote(&mut self, n: usize) {
        let n = n.min(self.out.len());
        self.out.drain(..n);
        self.written += n as u64;
    }

    /// Sends a request and waits for its response. `also` lists earlier ids whose late *result* is
    /// accepted too (the stdio era probe: a slow `server/discover` result arriving during `initialize`);
    /// a late error to them is ignored.
    pub async fn request(
        &mut self,
        req: &OutRequest<'_>,
        also: &[u64],
        deadline: Instant,
    ) -> Result<Exchange, Failure> {
        self.exchange(req, also, deadline, Wait::Full).await
    }

    /// As `request`, but waits until `deadline` as it is, even during start-up: for a probe whose
    /// silence is an answer too (the next request is queued behind it and waits for start-up).
    pub async fn probe(
        &mut self,
        req: &OutRequest<'_>,
        deadline: Instant,
    ) -> Result<Exchange, Failure> {
        self.exchange(req, &[], deadline, Wait::Probe).await
    }

    async fn exchange(
        &mut self,
        req: &OutRequest<'_>,
        also: &[u64],
        deadline: Instant,
        wait: Wait,
    ) -> Result<Exchange, Failure> {
        self.next_id += 1;
        let id = self.next_id;
        let body = jsonrpc::request(id, req.method, req.params.as_ref());
        let started = Instant::now();
        self.enqueue(&body)?;
        let request_end = self.queued;
        let mut want = vec![id];
        want.extend_from_slice(also);
        loop {
            if self.eof {
                return Err(self
                    .disconnected(&format!(
                        "the server closed stdout before answering {}",
                        req.method
                    ))
                    .await);
            }
            // Writing stdin and reading stdout are raced, so a server that stops reading its stdin
            // cannot stop mcpmon from reading its output; both end at the deadline (moved by
            // start-up, so computed again after every event).
            let (due, starting) = self.due(deadline, wait);
            let event = {
                let out = &self.out;
                let stdin = &mut self.stdin;
                let rx = &mut self.rx;
                tokio::select! {
                    biased;
                    // First, so a server writing without end cannot starve the deadline.
                    _ = tokio::time::sleep_until(due) => Event::Deadline,
                    r = async {
                        match stdin.as_mut() {
                            Some(s) => s.write(out).await,
                            None => std::future::pending().await,
                        }
                    }, if !out.is_empty() => Event::Wrote(r),
                    l = rx.recv() => Event::Read(l),
                }
            };
            let line = match event {
                Event::Wrote(Ok(n)) => {
                    self.wrote(n);
                    continue;
                }
                Event::Wrote(Err(e)) => {
                    return Err(self
                        .disconnected(&format!("writing to the server's stdin failed: {e}"))
                        .await);
                }
                Event::Deadline => {
                    self.log.abandoned.push(id);
                    if starting {
                        return Err(self.startup_failure());
                    }
                    if self.written < request_end {
                        return Err(unwritten(req.method, &self.log));
                    }
                    let mut f = self.log.timeout_failure(req.method);
                    if wait == Wait::Full && self.first_out.get().is_none() {
                        f.message.push_str(&format!(
                            " (`{}` wrote nothing on stdout since it was started; if it is slow to start, give it --startup-timeout or `startup_timeout`)",
                            self.program
                        ));
                    }
                    return Err(f);
                }
                Event::Read(None) => Line::Eof,
                Event::Read(Some(l)) => l,
            };
            match line {
                Line::Message(v) => {
                    let (step, matched) = handle_incoming(&v, &want, &mut self.log);
                    match step {
                        // A late error to an earlier probe (`also`) is the legacy answer we
                        // already assumed: keep waiting for our own response.
                        Step::Done(Err(_)) if matched != Some(id) => {}
                        Step::Done(outcome) => {
                            if matched != Some(id) {
                                self.log.abandoned.push(id);
                            }
                            return Ok(Exchange {
                                id: matched.unwrap_or(id),
                                outcome,
                                latency: started.elapsed(),
                                http: None,
                            });
                        }
                        Step::Reply(bytes) => self.enqueue(&bytes)?,
                        Step::Continue => {}
                    }
                }
                Line::Stray(s) => self
                    .log
                    .fault(format!("non-JSON output on stdout: \"{s}\"")),
                Line::TooLarge(n) => {
                    return Err(Failure::new(
                        Reason::ResponseTooLarge,
                        format!(
                            "a stdout line exceeded {} bytes (read {n}) and was refused",
                            MAX_RESPONSE_BYTES
                        ),
                    ));
                }
                Line::ReadError(e) => {
                    return Err(self
                        .disconnected(&format!("reading stdout failed: {e}"))
                        .await);
                }
                Line::Eof => self.eof = true,
            }
        }
    }

    /// A `server_disconnected` failure, with the exit status when the child exits (stdout can close a
    /// moment before the process is gone, so its exit is awaited briefly).
    async fn disconnected(&mut self, what: &str) -> Failure {
        let status = match tokio::time::timeout(Duration::from_millis(500), self.child.wait()).await
        {
            Ok(Ok(st)) => format!("; the server exited ({})", describe_exit(st)),
            _ => String::new(),
        };
        Failure::new(Reason::ServerDisconnected, format!("{what}{status}"))
    }

    /// Reaps the child: close stdin and wait; then SIGTERM the group and every descendant and wait;
    /// then SIGKILL. Whatever is left of the tree — group members, a grandchild that called `setsid()`,
    /// a daemon that double-forked away — is then killed and reaped (`Group::sweep`). At most about
    /// `EXIT_GRACE + TERM_GRACE + KILL_GRACE + LEFTOVER_GRACE` (0.75 s) after it is called.
    pub async fn close(mut self) -> super::CloseReport {
        // the tree before anything exits: once the leader is gone its children are re-parented
        let mut tree = self.group.tree();
        // A server that is already gone exited on its own: nothing mcpmon does next caused it.
        let exited_before = matches!(self.child.try_wait(), Ok(Some(_)));
        drop(self.stdin.take());
        let mut summary;
        match tokio::time::timeout(EXIT_GRACE, self.child.wait()).await {
            Ok(Ok(st)) if exited_before => {
                summary = format!("exited ({}) before mcpmon closed it", describe_exit(st))
            }
            Ok(Ok(st)) => {
                summary = format!("exited ({}) after stdin was closed", describe_exit(st))
            }
            _ => {
                merge(&mut tree, self.group.tree());
                self.signal_group(Signal::SIGTERM);
                Group::signal_tree(&tree, Signal::SIGTERM);
                match tokio::time::timeout(TERM_GRACE, self.child.wait()).await {
                    Ok(Ok(st)) => summary = format!("stopped by SIGTERM ({})", describe_exit(st)),
                    _ => {
                        merge(&mut tree, self.group.tree());
                        self.signal_group(Signal::SIGKILL);
                        Group::signal_tree(&tree, Signal::SIGKILL);
                        let st = tokio::time::timeout(KILL_GRACE, self.child.wait()).await;
                        summary = match st {
                            Ok(Ok(st)) => format!(
                                "killed with SIGKILL after ignoring SIGTERM ({})",
                                describe_exit(st)
                            ),
                            _ => "did not exit even after SIGKILL".to_string(),
                        };
                    }
                }
            }
        }
        self.reaped = true;
        // Anything left of the tree (a wrapper's children, a grandchild in its own session) gets a
        // short SIGTERM grace, then SIGKILL.
        if self.group_alive() || tree.iter().any(|&p| Group::alive_pid(p)) {
            self.signal_group(Signal::SIGTERM);
            Group::signal_tree(&tree, Signal::SIGTERM);
            let until = Instant::now() + LEFTOVER_GRACE;
            while (self.group_alive() || tree.iter().any(|&p| Group::alive_pid(p)))
                && Instant::now() < until
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let swept = self.group.sweep(&tree).await;
        merge(&mut tree, swept);
        if !tree.is_empty() {
            let n = tree.len();
            summary.push_str(&format!(
                "; {n} leftover process{} stopped (its children, in its process group or not)",
                if n == 1 { "" } else { "es" }
            ));
        }
        // Let the stderr reader drain what the exited server wrote last (bounded), then stop the readers.
        for t in &mut self.tasks {
            let _ = tokio::time::timeout(Duration::from_millis(100), t).await;
        }
        for t in &self.tasks {
            t.abort();
        }
        self.group.forget();
        super::CloseReport {
            summary,
            stderr_tail: self.stderr_tail(),
        }
    }

    fn signal_group(&self, sig: Signal) {
        self.group.signal(sig);
    }

    fn group_alive(&self) -> bool {
        self.group.alive()
    }
}

impl Drop for StdioTransport {
    fn drop(&mut self) {
        // Not closed through `close()` (cancelled, interrupted): make sure nothing outlives us.
        if self.group.is_known() {
            Group::signal_tree(&self.group.tree(), Signal::SIGKILL);
            self.signal_group(Signal::SIGKILL);
            if !self.reaped {
                let _ = self.child.start_kill();
                let _ = self.child.try_wait();
            }
            self.group.forget();
        }
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Says which part of the spec a spawn failure is about: the program, its directory, or permissions.
fn spawn_message(spec: &StdioSpec, e: &std::io::Error) -> String {
    let p = &spec.program;
    if let Some(dir) = spec.cwd.as_ref().filter(|d| !d.is_dir()) {
        return format!(
            "cannot start `{p}`: the working directory {} does not exist",
            dir.display()
        );
    }
    match e.kind() {
        std::io::ErrorKind::NotFound if !p.contains('/') => {
            format!("cannot start `{p}`: not found on PATH")
        }
        std::io::ErrorKind::NotFound => format!("cannot start `{p}`: no such file"),
        std::io::ErrorKind::PermissionDenied => {
            format!("cannot start `{p}`: permission denied (not executable?)")
        }
        _ => format!("cannot start `{p}`: {e}"),
    }
}

fn describe_exit(st: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (st.code(), st.signal()) {
        (Some(c), _) => format!("exit code {c}"),
        (None, Some(s)) => match Signal::try_from(s) {
            Ok(sig) => format!("signal {}", sig.as_str()),
            Err(_) => format!("signal {s}"),
        },
        _ => "unknown status".into(),
    }
}

/// A start-up deadline in words: `800 ms`, `5 s`, `2.5 s`.
fn show(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Reads newline-delimited JSON from the child's stdout, one bounded line at a time; the first byte
/// (or the end) marks `first_out`, the end of start-up.
async fn read_stdout<R: AsyncRead + Unpin>(
    out: R,
    tx: mpsc::Sender<Line>,
    first_out: Arc<OnceLock<Instant>>,
) {
    let mut reader = BufReader::with_capacity(64 * 1024, out);
    let mut line: Vec<u8> = Vec::new();
    let mut discarding = false;
    loop {
        let buf = match reader.fill_buf().await {
            Ok(b) => b,
            Err(e) => {
                let _ = tx.send(Line::ReadError(e.to_string())).await;
                return;
            }
        };
        // the first byte (or the end) of stdout ends start-up
        let _ = first_out.set(Instant::now());
        if buf.is_empty() {
            if !line.is_empty() && !discarding {
                let l = std::mem::take(&mut line);
                let _ = tx.send(decode(&l)).await;
            }
            let _ = tx.send(Line::Eof).await;
            return;
        }
        let (chunk, found_newline) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !discarding {
            if line.len() + chunk.len() > MAX_RESPONSE_BYTES {
                let n = line.len() + chunk.len();
                line = Vec::new();
                discarding = true;
                if tx.send(Line::TooLarge(n)).await.is_err() {
                    return;
                }
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let consumed = found_newline.unwrap_or(buf.len());
        reader.consume(consumed);
        if found_newline.is_some() {
            if discarding {
                discarding = false;
            } else {
                let l = std::mem::take(&mut line);
                if l.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if tx.send(decode(&l)).await.is_err() {
                    return;
                }
            }
        }
    }
}

pub(super) fn decode(line: &[u8]) -> Line {
    match serde_json::from_slice::<Value>(line) {
        Ok(v) => Line::Message(v),
        Err(_) => Line::Stray(crate::net::redact::excerpt(
            &String::from_utf8_lossy(&line[..line.len().min(400)]),
            120,
        )),
    }
}

/// Keeps the first error-looking lines and the last lines of the child's stderr as context for failures.
async fn read_stderr<R: AsyncRead + Unpin>(err: R, ring: Arc<Mutex<StderrLog>>) {
    let mut reader = BufReader::with_capacity(8 * 1024, err);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        // Lines are read whole but capped by `take` so a server spewing one endless line stays bounded.
        match AsyncReadExt::take(&mut reader, 64 * 1024)
            .read_until(b'\n', &mut buf)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                let text = text.trim_end();
                if text.is_empty() {
                    continue;
                }
                let mut line: String = text.chars().take(STDERR_LINE_CHARS).collect();
                if text.chars().count() > STDERR_LINE_CHARS {
                    line.push('…');
                }
                if let Ok(mut log) = ring.lock() {
                    log.push(line);
                }
            }
        }
    }
}

/// Adds to `tree` the pids of `more` it does not hold yet.
fn merge(tree: &mut Vec<i32>, more: Vec<i32>) {
    for p in more {
        if !tree.contains(&p) {
            tree.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(lines: &[&str]) -> StderrLog {
        let mut log = StderrLog::default();
        for l in lines {
            log.push(l.to_string());
        }
        log
    }

    #[test]
    fn a_short_stderr_is_kept_whole() {
        let log = log_of(&["starting", "Error: no config", "usage: x"]);
        assert_eq!(log.lines(), ["starting", "Error: no config", "usage: x"]);
    }

    #[test]
    fn the_cause_before_pages_of_usage_is_kept_beside_the_tail() {
        let mut lines = vec!["stub started", "Error: unable to create /x"];
        let usage: Vec<String> = (0..30).map(|i| format!("  --opt-{i}")).collect();
        lines.extend(usage.iter().map(String::as_str));
        let kept = log_of(&lines).lines();
        assert_eq!(kept[0], "… 1 lines skipped …");
        assert_eq!(kept[1], "Error: unable to create /x");
        assert_eq!(kept[2], "… 10 lines skipped …");
        assert_eq!(kept[3..], usage[10..]);
        assert_eq!(kept.len(), 3 + STDERR_LINES);
    }

    #[test]
    fn cause_lines_are_bounded_in_count() {
        let mut lines: Vec<String> = (0..10).map(|i| format!("PANIC number {i}")).collect();
        lines.extend((0..40).map(|i| format!("noise {i}")));
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let kept = log_of(&lines).lines();
        let causes: Vec<&String> = kept.iter().filter(|l| l.starts_with("PANIC")).collect();
        assert_eq!(
            causes,
            ["PANIC number 0", "PANIC number 1", "PANIC number 2"]
        );
        assert_eq!(kept[3], "… 27 lines skipped …");
        assert_eq!(kept.len(), STDERR_CAUSE_LINES + 1 + STDERR_LINES);
    }
}
