//! The command channel: run PROGRAM with ARGS (no shell) in its own process group, the payload JSON on
//! its stdin, `MCPMON_STATUS` and `MCPMON_EXIT_CODE` in its environment, stdout discarded (it must not mix
//! into mcpmon's own output) and the tail of stderr kept for the error message. Exit 0 is delivered.
//! Past the deadline the whole group is killed with SIGKILL and the program is reaped before returning.
//! `run` is the same for a remediation command (`notify::remedy`), which keeps its stdout's tail too.

use super::{Delivered, human, one_line};
use nix::sys::signal::Signal;
use std::os::unix::process::ExitStatusExt as _;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;
use tokio::time::{Instant, timeout_at};

/// How much of the end of stderr is kept.
const STDERR_TAIL_BYTES: usize = 8 * 1024;
/// The last stderr line in a message is cut to this many characters.
const STDERR_LINE_CHARS: usize = 200;
/// After the program exits, how long its stderr may take to reach end of file.
const STDERR_GRACE: Duration = Duration::from_millis(100);
/// How long to wait for a killed program to be reaped.
const REAP_GRACE: Duration = Duration::from_secs(2);

pub(super) async fn deliver(
    argv: &[String],
    body: &[u8],
    status: &str,
    exit_code: u8,
    until: Instant,
    budget: Duration,
) -> Result<Delivered, String> {
    let env = [
        ("MCPMON_STATUS".to_string(), status.to_string()),
        ("MCPMON_EXIT_CODE".to_string(), exit_code.to_string()),
    ];
    run(argv, body, &env, false, until, budget).await
}

/// Runs PROGRAM with ARGS (no shell) in its own process group, `body` on its stdin and `env` added to
/// its environment, until it exits or `until`; the tail of its stderr (and of its stdout with
/// `keep_stdout`, else discarded) is kept, bounded, for the message. Exit 0 is `Ok("exit 0")`; past
/// the deadline the group is killed and the program reaped before this returns.
pub(super) async fn run(
    argv: &[String],
    body: &[u8],
    env: &[(String, String)],
    keep_stdout: bool,
    until: Instant,
    budget: Duration,
) -> Result<Delivered, String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("no program to run".into());
    };
    let (mut child, mut group) = crate::child::spawn(
        Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(if keep_stdout {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::piped()),
    )
    .map_err(|e| spawn_message(program, &e))?;
    let mut stdin = child.stdin.take();
    let mut stderr = child.stderr.take();
    let mut stdout = child.stdout.take();
    let mut reading = stderr.is_some();
    let mut reading_out = stdout.is_some();
    let mut tail = Tail::default();

    let run = async {
        // A hook need not read its stdin: a broken pipe is not an error, and once the program has
        // exited an unfinished write is abandoned.
        let write = async {
            if let Some(mut w) = stdin.take() {
                let _ = w.write_all(body).await;
                let _ = w.shutdown().await;
            }
        };
        let mut write = std::pin::pin!(write);
        let mut writing = true;
        let mut wait = std::pin::pin!(child.wait());
        let mut buf = [0u8; 4096];
        let mut buf_out = [0u8; 4096];
        loop {
            tokio::select! {
                () = &mut write, if writing => writing = false,
                r = crate::child::read_pipe(&mut stderr, &mut buf), if reading => match r {
                    Ok(0) | Err(_) => reading = false,
                    Ok(n) => tail.push(&buf[..n]),
                },
                r = crate::child::read_pipe(&mut stdout, &mut buf_out), if reading_out => match r {
                    Ok(0) | Err(_) => reading_out = false,
                    Ok(n) => tail.push(&buf_out[..n]),
                },
                st = &mut wait => break st,
            }
        }
    };
    let result = match timeout_at(until, run).await {
        Ok(Ok(st)) => {
            // What the program wrote last may still be in the pipe.
            let grace = until.min(Instant::now() + STDERR_GRACE);
            let _ = timeout_at(grace, async {
                let mut buf = [0u8; 4096];
                while reading || reading_out {
                    let (r, open) = if reading {
                        (
                            crate::child::read_pipe(&mut stderr, &mut buf).await,
                            &mut reading,
                        )
                    } else {
                        (
                            crate::child::read_pipe(&mut stdout, &mut buf).await,
                            &mut reading_out,
                        )
                    };
                    match r {
                        Ok(0) | Err(_) => *open = false,
                        Ok(n) => tail.push(&buf[..n]),
                    }
                }
            })
            .await;
            judge(st, &tail)
        }
        Ok(Err(e)) => {
            let reaped = group.kill_and_reap_said(&mut child, REAP_GRACE).await;
            Err(format!("waiting for the program failed ({e}); {reaped}"))
        }
        Err(_) => {
            let reaped = group.kill_and_reap_said(&mut child, REAP_GRACE).await;
            Err(format!(
                "did not finish within the {} deadline; {reaped}{}",
                human(budget),
                tail.note()
            ))
        }
    };
    // the leader is reaped (or given up on): it no longer counts as one of mcpmon's running children
    group.forget();
    result
}

fn judge(st: ExitStatus, tail: &Tail) -> Result<Delivered, String> {
    if st.success() {
        return Ok(Delivered {
            attempts: 1,
            detail: "exit 0".into(),
        });
    }
    let how = match (st.code(), st.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => match Signal::try_from(s) {
            Ok(sig) => format!("killed by {sig}"),
            Err(_) => format!("killed by signal {s}"),
        },
        (None, None) => "ended abnormally".into(),
    };
    Err(format!("{how}{}", tail.note()))
}

fn spawn_message(program: &str, e: &std::io::Error) -> String {
    let program = one_line(program, 200);
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("cannot start `{program}`: not found"),
        std::io::ErrorKind::PermissionDenied => {
            format!("cannot start `{program}`: permission denied (not executable?)")
        }
        _ => format!("cannot start `{program}`: {e}"),
    }
}

/// The end of the program's stderr, bounded.
#[derive(Default)]
struct Tail(Vec<u8>);

impl Tail {
    fn push(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
        if self.0.len() > STDERR_TAIL_BYTES {
            let cut = self.0.len() - STDERR_TAIL_BYTES;
            self.0.drain(..cut);
        }
    }

    /// The last non-blank line, one line of at most `STDERR_LINE_CHARS` characters.
    fn last_line(&self) -> Option<String> {
        let text = String::from_utf8_lossy(&self.0);
        let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
        Some(crate::term::sanitize(&one_line(line, STDERR_LINE_CHARS)))
    }

    /// `: <last stderr line>`, or nothing.
    fn note(&self) -> String {
        match self.last_line() {
            Some(l) => format!(": {l}"),
            None => String::new(),
        }
    }
}
