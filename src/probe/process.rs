//! The process probe: find an MCP server's process (by pid, pid file, listening TCP port or a substring of
//! its command line) and read what it costs the machine: CPU over a short sample, resident memory, threads,
//! open file descriptors and the TCP ports it listens on. Also `port_listening`, the cheap "is anything
//! listening on this port" check.
//!
//! Owns: selecting processes, sampling them (sysinfo for CPU, memory, names and command lines; `/proc` for
//! threads, descriptors and sockets, which sysinfo does not give), parsing `/proc/net/tcp{,6}` and pid files.
//! Must not: decide a verdict (thresholds are `rules`), signal or otherwise touch the processes it looks at,
//! read the environment or the clock, print, or scan every process when the selector names its pids (only
//! `Pattern` and `Port` look at the whole process table). A `Pattern` never matches mcpmon itself nor its
//! ancestors (the `sh -c "mcpmon … --pattern X"` wrapper of a cron job has X in its own command line).
//! Blocking and synchronous on purpose (it sleeps for the CPU sample): callers run it on tokio's blocking
//! pool. Linux is the target; elsewhere the `/proc`-only figures are `None` or empty, never a panic.

use crate::model::Failure;
use crate::model::Reason;
use crate::model::{ProcessFacts, ProcessInfo, ProcessSpec, Selector};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;
use sysinfo::{
    MemoryRefreshKind, Pid, Process, ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System,
    UpdateKind,
};

/// `port_listening` falls back to a connect this long when `/proc/net/tcp{,6}` cannot be read.
pub const CONNECT_FALLBACK: Duration = Duration::from_millis(200);
/// A pid file is read up to this many bytes (a pid file is a number and a newline).
const MAX_PID_FILE_BYTES: u64 = 4096;
/// The TCP state number of LISTEN in `/proc/net/tcp`.
const TCP_LISTEN: &str = "0A";

/// Finds the process(es) of `spec.selector` and samples them.
///
/// Blocking (it sleeps for the CPU sample); the caller runs it on tokio's blocking pool. Nothing found is a
/// `Failure` with `Reason::ProcessNotFound` naming what was looked for (a zombie counts as not running), except
/// a `Port` on which nothing listens at all, which is `Reason::PortClosed`.
pub fn probe(spec: &ProcessSpec) -> Result<ProcessFacts, Failure> {
    let mut facts = select_and_sample(spec)?;
    facts.cpu_window = (!spec.cpu_sample.is_zero())
        .then(|| spec.cpu_sample.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL));
    Ok(facts)
}

fn select_and_sample(spec: &ProcessSpec) -> Result<ProcessFacts, Failure> {
    match &spec.selector {
        Selector::Pid(pid) => {
            let processes = sample_named(*pid, spec.cpu_sample)
                .map_err(|why| not_found(format!("pid {pid} {why}")))?;
            Ok(ProcessFacts {
                selector: format!("pid {pid}"),
                processes,
                cpu_window: None,
            })
        }
        Selector::PidFile(path) => {
            let pid = read_pid_file(path)?;
            let processes = sample_named(pid, spec.cpu_sample).map_err(|why| {
                not_found(format!(
                    "pid file {} names pid {pid}, which {why} (a stale pid file?)",
                    path.display()
                ))
            })?;
            Ok(ProcessFacts {
                selector: format!("pid file {} (pid {pid})", path.display()),
                processes,
                cpu_window: None,
            })
        }
        Selector::Port(port) => {
            let (owners, own_table) = port_owners(*port)?;
            let pids: Vec<Pid> = owners.iter().map(|p| Pid::from_u32(*p)).collect();
            let mut sys = System::new();
            let net = NetTables::with_own(own_table);
            let processes = measure(&mut sys, &pids, spec.cpu_sample, false, net);
            if processes.is_empty() {
                return Err(not_found(format!(
                    "the owner of TCP port {port} ({}) exited while it was sampled",
                    pid_list(&owners)
                )));
            }
            Ok(ProcessFacts {
                selector: format!("TCP port {port} ({})", pid_list_of(&processes)),
                processes,
                cpu_window: None,
            })
        }
        Selector::Pattern(pattern) => probe_pattern(pattern, spec.cpu_sample),
    }
}

/// The resources of known pids (stdio servers mcpmon spawned itself), sampled as `probe` does. Pids that are
/// not running (or are zombies) are left out; the rest are sorted by pid.
pub fn sample_pids(pids: &[u32], cpu_sample: Duration) -> Vec<ProcessInfo> {
    let wanted: BTreeSet<u32> = pids.iter().copied().collect();
    let pids: Vec<Pid> = wanted.into_iter().map(Pid::from_u32).collect();
    if pids.is_empty() {
        return Vec::new();
    }
    let mut sys = System::new();
    measure(&mut sys, &pids, cpu_sample, false, NetTables::default())
}

/// What mcpmon itself uses, for an exporter's `process_*` metrics.
#[derive(Debug, Clone, Default)]
pub struct OwnUsage {
    /// CPU time used since start (user and system), in seconds.
    pub cpu_seconds: Option<f64>,
    pub rss_bytes: Option<u64>,
    /// Unix time the process started, in seconds.
    pub start_time_s: Option<f64>,
    pub open_fds: Option<u64>,
}

/// mcpmon's own CPU time, memory, start time and descriptors (one process refreshed, no sampling wait).
pub fn own_usage() -> OwnUsage {
    let pid = Pid::from_u32(std::process::id());
    let mut sys = System::new();
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        true,
        ProcessRefreshKind::nothing().with_cpu().with_memory(),
    );
    let Some(p) = sys.process(pid) else {
        return OwnUsage::default();
    };
    OwnUsage {
        cpu_seconds: Some(p.accumulated_cpu_time() as f64 / 1000.0),
        rss_bytes: Some(p.memory()),
        start_time_s: Some(p.start_time() as f64),
        open_fds: scan_fds(std::process::id()).map(|f| f.count),
    }
}

/// Whether something listens on TCP `port` on this host (in mcpmon's network namespace): a LISTEN entry in
/// `/proc/net/tcp` or `/proc/net/tcp6`, whatever address it is bound to. Where neither can be read (not
/// Linux), a connect to `127.0.0.1:port` within `CONNECT_FALLBACK` decides.
pub fn port_listening(port: u16) -> bool {
    match own_listeners() {
        Some(listeners) => listeners.iter().any(|l| l.port == port),
        None => TcpStream::connect_timeout(
            &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            CONNECT_FALLBACK,
        )
        .is_ok(),
    }
}

fn not_found(message: String) -> Failure {
    Failure::new(Reason::ProcessNotFound, message)
}

fn pid_list(pids: &[u32]) -> String {
    match pids {
        [one] => format!("pid {one}"),
        many => format!(
            "pids {}",
            many.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn pid_list_of(processes: &[ProcessInfo]) -> String {
    pid_list(&processes.iter().map(|p| p.pid).collect::<Vec<_>>())
}

/// What to read of a process at each look. Tasks (threads) are never listed as processes of their own.
fn refresh_kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing()
        .without_tasks()
        .with_cpu()
        .with_memory()
        .with_cmd(UpdateKind::OnlyIfNotSet)
}

fn refresh(sys: &mut System, pids: &[Pid]) {
    sys.refresh_processes_specifics(ProcessesToUpdate::Some(pids), true, refresh_kind());
}

/// Why a looked-at pid does not count as running, or `None` when it does.
fn absence(sys: &System, pid: Pid) -> Option<&'static str> {
    match sys.process(pid) {
        None => Some("is not running"),
        Some(p) if is_zombie(p) => {
            Some("is a zombie (it has exited; its parent has not reaped it)")
        }
        Some(_) => None,
    }
}

fn is_zombie(p: &Process) -> bool {
    matches!(p.status(), ProcessStatus::Zombie | ProcessStatus::Dead)
}

/// Samples one named pid; `Err` says why it does not count as running.
fn sample_named(pid: u32, cpu_sample: Duration) -> Result<Vec<ProcessInfo>, &'static str> {
    let pid = Pid::from_u32(pid);
    let mut sys = System::new();
    refresh(&mut sys, &[pid]);
    if let Some(why) = absence(&sys, pid) {
        return Err(why);
    }
    let found = measure(&mut sys, &[pid], cpu_sample, true, NetTables::default());
    if found.is_empty() {
        return Err("exited while it was sampled");
    }
    Ok(found)
}

/// Takes the looks (the first one unless `first_done`, then the second after `cpu_sample`) and reads the
/// processes that are still running, sorted by pid.
fn measure(
    sys: &mut System,
    pids: &[Pid],
    cpu_sample: Duration,
    first_done: bool,
    mut net: NetTables,
) -> Vec<ProcessInfo> {
    if !first_done {
        refresh(sys, pids);
    }
    let mut alive: Vec<Pid> = pids
        .iter()
        .copied()
        .filter(|p| absence(sys, *p).is_none())
        .collect();
    alive.sort_unstable();
    alive.dedup();
    if alive.is_empty() {
        return Vec::new();
    }
    let cpu_measured = !cpu_sample.is_zero();
    if cpu_measured {
        std::thread::sleep(cpu_sample.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL));
        refresh(sys, &alive);
    }
    sys.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
    let total_memory = sys.total_memory();
    alive
        .iter()
        .filter_map(|pid| sys.process(*pid).filter(|p| !is_zombie(p)))
        .map(|p| read_info(p, total_memory, cpu_measured, &mut net))
        .collect()
}

fn read_info(
    p: &Process,
    total_memory: u64,
    cpu_measured: bool,
    net: &mut NetTables,
) -> ProcessInfo {
    let pid = p.pid().as_u32();
    let supported = sysinfo::IS_SUPPORTED_SYSTEM;
    let rss = supported.then(|| p.memory());
    let fds = scan_fds(pid);
    let listening_ports = match &fds {
        Some(fds) if !fds.sockets.is_empty() => net.ports_of(pid, &fds.sockets),
        _ => Vec::new(),
    };
    ProcessInfo {
        pid,
        name: p.name().to_string_lossy().into_owned(),
        cmdline: p
            .cmd()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        uptime_s: supported.then(|| p.run_time() as f64),
        cpu_percent: (cpu_measured && supported).then(|| f64::from(p.cpu_usage())),
        rss_bytes: rss,
        memory_percent: rss
            .filter(|_| total_memory > 0)
            .map(|r| r as f64 * 100.0 / total_memory as f64),
        threads: count_entries(&proc_path(pid, "task")),
        open_fds: fds.as_ref().map(|f| f.count),
        listening_ports,
    }
}

fn probe_pattern(pattern: &str, cpu_sample: Duration) -> Result<ProcessFacts, Failure> {
    let described = Selector::Pattern(pattern.to_string()).to_string();
    if pattern.is_empty() {
        return Err(not_found(
            "an empty pattern would match every process; name a distinctive part of the server's command line"
                .to_string(),
        ));
    }
    let mut sys = System::new();
    // The one full scan; it is also the first CPU look of whatever matches.
    sys.refresh_processes_specifics(ProcessesToUpdate::All, true, refresh_kind());
    let own = std::process::id();
    let excluded = self_and_ancestors(own, |pid| {
        sys.process(Pid::from_u32(pid))
            .and_then(Process::parent)
            .map(Pid::as_u32)
    });
    let mut matched: Vec<Pid> = sys
        .processes()
        .iter()
        .filter(|(pid, p)| {
            !excluded.contains(&pid.as_u32())
                && p.thread_kind().is_none()
                && !is_zombie(p)
                && command_line(p).contains(pattern)
        })
        .map(|(pid, _)| *pid)
        .collect();
    matched.sort_unstable();
    if matched.is_empty() {
        return Err(not_found(format!(
            "no running process has a {described} (mcpmon and its parent processes are not counted)"
        )));
    }
    let processes = measure(&mut sys, &matched, cpu_sample, true, NetTables::default());
    if processes.is_empty() {
        return Err(not_found(format!(
            "every process with a {described} exited while it was sampled"
        )));
    }
    Ok(ProcessFacts {
        selector: format!("{described} ({})", pid_list_of(&processes)),
        processes,
        cpu_window: None,
    })
}

fn command_line(p: &Process) -> String {
    p.cmd()
        .iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `own` and every ancestor of it, following `parent_of` (cycles and self-parenting are cut).
fn self_and_ancestors(own: u32, parent_of: impl Fn(u32) -> Option<u32>) -> HashSet<u32> {
    let mut set = HashSet::new();
    let mut current = Some(own);
    while let Some(pid) = current {
        if !set.insert(pid) {
            break;
        }
        current = parent_of(pid);
    }
    set
}

/// The pid a pid file names, or the `ProcessNotFound` failure that says why there is none.
fn read_pid_file(path: &Path) -> Result<u32, Failure> {
    let shown = path.display();
    let mut content = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_PID_FILE_BYTES).read_to_end(&mut content))
        .map_err(|e| {
            not_found(if e.kind() == std::io::ErrorKind::NotFound {
                format!("pid file {shown} does not exist")
            } else {
                format!("pid file {shown} cannot be read: {e}")
            })
        })?;
    parse_pid_file(&content).ok_or_else(|| not_found(format!("pid file {shown} holds no pid")))
}

/// The first token of the first non-empty line, when it is a pid (a positive decimal number).
fn parse_pid_file(content: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(content).ok()?;
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let token = first.split_whitespace().next()?;
    token.parse::<u32>().ok().filter(|pid| *pid > 0)
}

fn proc_path(pid: u32, leaf: &str) -> PathBuf {
    Path::new("/proc").join(pid.to_string()).join(leaf)
}

fn count_entries(dir: &Path) -> Option<u64> {
    fs::read_dir(dir).ok().map(|entries| entries.count() as u64)
}

/// A process's descriptors: how many, and the inodes of its sockets.
struct Fds {
    count: u64,
    sockets: HashSet<u64>,
}

fn scan_fds(pid: u32) -> Option<Fds> {
    let entries = fs::read_dir(proc_path(pid, "fd")).ok()?;
    let mut fds = Fds {
        count: 0,
        sockets: HashSet::new(),
    };
    for entry in entries.flatten() {
        fds.count += 1;
        if let Some(inode) = fs::read_link(entry.path())
            .ok()
            .and_then(|target| socket_inode(&target))
        {
            fds.sockets.insert(inode);
        }
    }
    Some(fds)
}

/// The inode of a `/proc/<pid>/fd/N` link target `socket:[12345]`.
fn socket_inode(target: &Path) -> Option<u64> {
    target
        .to_str()?
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// One LISTEN entry of `/proc/net/tcp{,6}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Listener {
    port: u16,
    inode: u64,
}

/// The LISTEN entries of one `/proc/net/tcp` or `/proc/net/tcp6` document (other states are skipped).
fn parse_listeners(content: &str) -> Vec<Listener> {
    content
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
            if fields.len() < 10 || fields[3] != TCP_LISTEN {
                return None;
            }
            let (_, port) = fields[1].rsplit_once(':')?;
            Some(Listener {
                port: u16::from_str_radix(port, 16).ok()?,
                inode: fields[9].parse().ok()?,
            })
        })
        .collect()
}

/// The LISTEN entries of the namespace whose `net` directory this is; `None` when neither table can be read.
fn read_listeners(net_dir: &Path) -> Option<Vec<Listener>> {
    let v4 = fs::read_to_string(net_dir.join("tcp")).ok();
    let v6 = fs::read_to_string(net_dir.join("tcp6")).ok();
    if v4.is_none() && v6.is_none() {
        return None;
    }
    let mut all = parse_listeners(v4.as_deref().unwrap_or(""));
    all.extend(parse_listeners(v6.as_deref().unwrap_or("")));
    Some(all)
}

/// The LISTEN entries of mcpmon's own network namespace.
fn own_listeners() -> Option<Vec<Listener>> {
    read_listeners(Path::new("/proc/net"))
}

/// LISTEN tables by network namespace, each read at most once per probe: reading `/proc/net/tcp{,6}` costs the
/// kernel a walk of its whole connection hash (milliseconds, whatever the number of sockets). A container's
/// server lives in its own namespace: its sockets are in `/proc/<pid>/net/tcp`, not in mcpmon's.
#[derive(Default)]
struct NetTables {
    by_namespace: HashMap<String, HashMap<u64, u16>>,
}

fn namespace_key(proc_dir: &Path) -> Option<String> {
    fs::read_link(proc_dir.join("ns/net"))
        .ok()
        .map(|t| t.to_string_lossy().into_owned())
}

fn inode_ports(listeners: Vec<Listener>) -> HashMap<u64, u16> {
    listeners.into_iter().map(|l| (l.inode, l.port)).collect()
}

impl NetTables {
    /// Tables that already hold mcpmon's own namespace (read to find a port's owner).
    fn with_own(own: Vec<Listener>) -> Self {
        let mut tables = NetTables::default();
        if let Some(key) = namespace_key(Path::new("/proc/self")) {
            tables.by_namespace.insert(key, inode_ports(own));
        }
        tables
    }

    fn ports_of(&mut self, pid: u32, sockets: &HashSet<u64>) -> Vec<u16> {
        let dir = Path::new("/proc").join(pid.to_string());
        let key = namespace_key(&dir).unwrap_or_else(|| format!("pid {pid}"));
        let table = self
            .by_namespace
            .entry(key)
            .or_insert_with(|| inode_ports(read_listeners(&dir.join("net")).unwrap_or_default()));
        let ports: BTreeSet<u16> = sockets
            .iter()
            .filter_map(|inode| table.get(inode).copied())
            .collect();
        ports.into_iter().collect()
    }
}

/// The pids owning a socket that listens on `port`, ascending: the LISTEN inodes of mcpmon's namespace matched
/// against every readable `/proc/<pid>/fd`. Also returns that namespace's LISTEN entries, for reuse.
fn port_owners(port: u16) -> Result<(Vec<u32>, Vec<Listener>), Failure> {
    let listeners = own_listeners().ok_or_else(|| {
        not_found(format!(
            "cannot find the process behind TCP port {port}: /proc/net/tcp is not readable (Linux only)"
        ))
    })?;
    let inodes: HashSet<u64> = listeners
        .iter()
        .filter(|l| l.port == port && l.inode != 0)
        .map(|l| l.inode)
        .collect();
    if inodes.is_empty() {
        return Err(Failure::new(
            Reason::PortClosed,
            format!("nothing listens on TCP port {port}"),
        ));
    }
    let mut owners = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if scan_fds(pid).is_some_and(|fds| !fds.sockets.is_disjoint(&inodes)) {
                owners.push(pid);
            }
        }
    }
    owners.sort_unstable();
    if owners.is_empty() {
        return Err(not_found(format!(
            "TCP port {port} is listening, but no process whose descriptors this user can read owns it \
             (run mcpmon as the server's user or as root)"
        )));
    }
    Ok((owners, listeners))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DEFAULT_CPU_SAMPLE;
    use crate::model::{ProcessFacts, ProcessInfo, ProcessSpec, Selector};
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Child, Command, Stdio};
    use std::time::Instant;

    /// A spawned child, killed and reaped when the test ends, whatever the test's outcome.
    struct Reaped(Child);

    impl Reaped {
        fn pid(&self) -> u32 {
            self.0.id()
        }
    }

    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn sleeper() -> Reaped {
        Reaped(
            Command::new("sleep")
                .arg("30")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        )
    }

    /// A python child that listens on 127.0.0.1:<free port>, carries `marker` as an argument and sleeps;
    /// returns once the port is printed (the listener exists from then on).
    fn listener(marker: &str) -> (Reaped, u16) {
        let code = "import socket, sys, time\n\
                    s = socket.socket()\n\
                    s.bind(('127.0.0.1', 0))\n\
                    s.listen()\n\
                    print(s.getsockname()[1], flush=True)\n\
                    time.sleep(30)\n";
        let mut child = Reaped(
            Command::new("python3")
                .arg("-c")
                .arg(code)
                .arg(marker)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut line = String::new();
        BufReader::new(child.0.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap();
        (child, port)
    }

    fn marker(what: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!("mcpmon-test-{what}-{}-{nanos}", std::process::id())
    }

    fn fast(selector: Selector) -> ProcessSpec {
        ProcessSpec {
            selector,
            cpu_sample: sysinfo::MINIMUM_CPU_UPDATE_INTERVAL,
        }
    }

    fn only(facts: &ProcessFacts) -> &ProcessInfo {
        assert_eq!(facts.processes.len(), 1, "{facts:?}");
        &facts.processes[0]
    }

    #[test]
    fn finds_a_child_by_pid_with_its_resources() {
        let child = sleeper();
        let facts = probe(&fast(Selector::Pid(child.pid()))).unwrap();
        assert_eq!(facts.selector, format!("pid {}", child.pid()));
        let p = only(&facts);
        assert_eq!(p.pid, child.pid());
        assert_eq!(p.name, "sleep");
        assert_eq!(p.cmdline, vec!["sleep", "30"]);
        assert!(p.rss_bytes.unwrap() > 0, "{p:?}");
        let mem = p.memory_percent.unwrap();
        assert!(mem > 0.0 && mem < 100.0, "{p:?}");
        assert!(p.threads.unwrap() >= 1, "{p:?}");
        assert!(p.open_fds.unwrap() >= 3, "{p:?}");
        assert!(p.cpu_percent.unwrap() >= 0.0, "{p:?}");
        assert!(p.uptime_s.is_some(), "{p:?}");
        assert!(p.listening_ports.is_empty(), "{p:?}");
    }

    #[test]
    fn a_zero_cpu_sample_skips_the_cpu_figure() {
        let child = sleeper();
        let spec = ProcessSpec {
            selector: Selector::Pid(child.pid()),
            cpu_sample: Duration::ZERO,
        };
        let facts = probe(&spec).unwrap();
        let p = only(&facts);
        assert_eq!(p.cpu_percent, None);
        assert!(p.rss_bytes.unwrap() > 0);
    }

    #[test]
    fn a_busy_child_shows_cpu_use() {
        // Spins 50 ms of CPU before saying so (a first look needs some ticks to compare with), then spins on.
        let code = "import time\n\
                    t = time.process_time()\n\
                    while time.process_time() - t < 0.05: pass\n\
                    print('ready', flush=True)\n\
                    while True: pass\n";
        let mut child = Reaped(
            Command::new("python3")
                .arg("-c")
                .arg(code)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut line = String::new();
        BufReader::new(child.0.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
        let facts = probe(&ProcessSpec::new(Selector::Pid(child.pid()))).unwrap();
        let cpu = only(&facts).cpu_percent.unwrap();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(cpu > 0.0 && cpu <= 100.0 * cores as f64 + 1.0, "{cpu}");
    }

    #[test]
    fn finds_a_child_by_pid_file() {
        let child = sleeper();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.pid");
        fs::write(&path, format!("{}\n", child.pid())).unwrap();
        let facts = probe(&fast(Selector::PidFile(path.clone()))).unwrap();
        assert_eq!(only(&facts).pid, child.pid());
        assert_eq!(
            facts.selector,
            format!("pid file {} (pid {})", path.display(), child.pid())
        );
    }

    #[test]
    fn a_missing_or_garbage_pid_file_is_process_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pid");
        let f = probe(&fast(Selector::PidFile(missing))).unwrap_err();
        assert_eq!(f.reason, Reason::ProcessNotFound);
        assert!(f.message.contains("does not exist"), "{f}");

        for (name, content) in [
            ("garbage.pid", &b"not a pid\n"[..]),
            ("empty.pid", b""),
            ("zero.pid", b"0\n"),
            ("binary.pid", b"\xff\xfe\x00"),
        ] {
            let path = dir.path().join(name);
            fs::write(&path, content).unwrap();
            let f = probe(&fast(Selector::PidFile(path.clone()))).unwrap_err();
            assert_eq!(f.reason, Reason::ProcessNotFound, "{name}");
            assert_eq!(
                f.message,
                format!("pid file {} holds no pid", path.display())
            );
        }
    }

    #[test]
    fn a_stale_pid_file_names_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stale.pid");
        // Above any pid_max (at most 2^22 on Linux): never a running process.
        fs::write(&path, "2147483000\n").unwrap();
        let f = probe(&fast(Selector::PidFile(path))).unwrap_err();
        assert_eq!(f.reason, Reason::ProcessNotFound);
        assert!(f.message.contains("names pid 2147483000"), "{f}");
    }

    #[test]
    fn parses_pid_files_like_daemons_write_them() {
        assert_eq!(parse_pid_file(b"1234\n"), Some(1234));
        assert_eq!(parse_pid_file(b"  1234  "), Some(1234));
        assert_eq!(parse_pid_file(b"\n\n42\n/var/lib/data\n5432\n"), Some(42));
        assert_eq!(parse_pid_file(b"77 extra words"), Some(77));
        assert_eq!(parse_pid_file(b"-5\n"), None);
        assert_eq!(parse_pid_file(b"12abc\n"), None);
        assert_eq!(parse_pid_file(b"99999999999\n"), None);
    }

    #[test]
    fn a_missing_pid_is_process_not_found() {
        let f = probe(&fast(Selector::Pid(2_147_483_000))).unwrap_err();
        assert_eq!(f.reason, Reason::ProcessNotFound);
        assert_eq!(f.message, "pid 2147483000 is not running");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_zombie_counts_as_not_running() {
        use nix::sys::wait::{Id, WaitPidFlag, waitid};
        let mut child = sleeper();
        child.0.kill().unwrap();
        // Waits for the exit but leaves the child unreaped: a zombie until the guard reaps it.
        waitid(
            Id::Pid(nix::unistd::Pid::from_raw(child.pid() as i32)),
            WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT,
        )
        .unwrap();
        let f = probe(&fast(Selector::Pid(child.pid()))).unwrap_err();
        assert_eq!(f.reason, Reason::ProcessNotFound);
        assert!(f.message.contains("zombie"), "{f}");
        assert!(sample_pids(&[child.pid()], Duration::ZERO).is_empty());
    }

    #[test]
    fn finds_a_child_by_pattern() {
        let mark = marker("pattern");
        let (child, port) = listener(&mark);
        let facts = probe(&fast(Selector::Pattern(mark.clone()))).unwrap();
        let p = only(&facts);
        assert_eq!(p.pid, child.pid());
        assert!(p.cmdline.contains(&mark), "{p:?}");
        assert_eq!(p.listening_ports, vec![port]);
        assert!(facts.selector.contains(&mark), "{}", facts.selector);
    }

    #[test]
    fn a_pattern_nobody_has_is_process_not_found() {
        let f = probe(&fast(Selector::Pattern(marker("nobody")))).unwrap_err();
        assert_eq!(f.reason, Reason::ProcessNotFound);
        assert!(f.message.contains("mcpmon-test-nobody"), "{f}");
        let f = probe(&fast(Selector::Pattern(String::new()))).unwrap_err();
        assert_eq!(f.reason, Reason::ProcessNotFound);
    }

    #[test]
    fn a_pattern_never_returns_mcpmon_itself() {
        // The test binary's own path is in its command line and in the child's: only the child may match.
        let own_path = std::env::args().next().unwrap();
        let (child, _) = listener(&own_path);
        let facts = probe(&fast(Selector::Pattern(own_path))).unwrap();
        let pids: Vec<u32> = facts.processes.iter().map(|p| p.pid).collect();
        assert!(pids.contains(&child.pid()), "{pids:?}");
        assert!(!pids.contains(&std::process::id()), "{pids:?}");
    }

    #[test]
    fn ancestors_are_followed_to_the_top_and_cycles_stop() {
        let parents: HashMap<u32, u32> = [(50, 40), (40, 1), (7, 8), (8, 7)].into_iter().collect();
        let parent_of = |pid: u32| parents.get(&pid).copied();
        let chain = self_and_ancestors(50, parent_of);
        assert_eq!(chain, [50, 40, 1].into_iter().collect());
        assert_eq!(
            self_and_ancestors(7, parent_of),
            [7, 8].into_iter().collect()
        );
        assert_eq!(self_and_ancestors(9, parent_of), [9].into_iter().collect());
    }

    #[test]
    fn finds_the_listener_by_port() {
        let (child, port) = listener(&marker("port"));
        assert!(port_listening(port));
        let facts = probe(&fast(Selector::Port(port))).unwrap();
        let p = only(&facts);
        assert_eq!(p.pid, child.pid());
        assert!(p.listening_ports.contains(&port), "{p:?}");
        assert_eq!(
            facts.selector,
            format!("TCP port {port} (pid {})", child.pid())
        );
    }

    #[test]
    fn a_closed_port_is_not_listening() {
        // A port freed a moment ago; other programs on this machine (concurrent test suites) may take one
        // in between, so a few candidates are tried: a check that always answers "listening" fails them all.
        let freed = || {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let port = (0..5)
            .map(|_| freed())
            .find(|p| !port_listening(*p))
            .expect("every freed port reads as listening");
        let f = probe(&fast(Selector::Port(port))).unwrap_err();
        assert_eq!(f.reason, Reason::PortClosed);
        assert_eq!(f.message, format!("nothing listens on TCP port {port}"));
    }

    #[test]
    fn sample_pids_keeps_the_running_ones_sorted() {
        let a = sleeper();
        let b = sleeper();
        let infos = sample_pids(&[b.pid(), 2_147_483_000, a.pid(), b.pid()], Duration::ZERO);
        let mut want = vec![a.pid(), b.pid()];
        want.sort_unstable();
        assert_eq!(infos.iter().map(|p| p.pid).collect::<Vec<_>>(), want);
        assert!(infos.iter().all(|p| p.name == "sleep"));
    }

    #[test]
    fn parses_listen_entries_of_proc_net_tcp() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
            0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n   \
            1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1\n   \
            2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0000000000000000 100 0 0 10 0\n";
        let tcp6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
            0: 00000000000000000000000001000000:9C40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5151 1 0000000000000000 100 0 0 10 0\n";
        assert_eq!(
            parse_listeners(tcp),
            vec![
                Listener {
                    port: 8080,
                    inode: 4242
                },
                Listener {
                    port: 22,
                    inode: 17
                }
            ]
        );
        assert_eq!(
            parse_listeners(tcp6),
            vec![Listener {
                port: 40000,
                inode: 5151
            }]
        );
        assert!(parse_listeners("garbage\n\n").is_empty());
    }

    #[test]
    fn socket_links_name_their_inode() {
        assert_eq!(socket_inode(Path::new("socket:[12345]")), Some(12345));
        assert_eq!(socket_inode(Path::new("pipe:[12345]")), None);
        assert_eq!(socket_inode(Path::new("/dev/null")), None);
    }

    /// CPU time of the calling thread: `/proc/thread-self/schedstat` (ns), else `stat` ticks (10 ms).
    fn thread_cpu() -> Duration {
        if let Some(ns) = fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        {
            return Duration::from_nanos(ns);
        }
        let stat = fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
        let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<u64> = after
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        Duration::from_millis((f.get(10).unwrap_or(&0) + f.get(11).unwrap_or(&0)) * 10)
    }

    /// Runs `f` `runs` times and prints the mean wall and CPU time of one run (the thread's CPU clock is
    /// updated at scheduler ticks, so single runs are coarse; the mean over many is not).
    fn cost(label: &str, runs: u32, mut f: impl FnMut()) {
        let (wall, cpu) = (Instant::now(), thread_cpu());
        for _ in 0..runs {
            f();
        }
        let per_run = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(runs);
        writeln!(
            std::io::stdout().lock(),
            "{label:<28} wall {:7.2} ms  cpu {:6.2} ms  (mean of {runs})",
            per_run(wall.elapsed()),
            per_run(thread_cpu() - cpu)
        )
        .unwrap();
    }

    /// Prints the cost of one probe: `cargo test --lib probe::process::tests::cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn cost_of_one_probe() {
        let mark = marker("cost");
        let (child, port) = listener(&mark);
        let quiet = sleeper();
        let processes = fs::read_dir("/proc")
            .map(|d| {
                d.flatten()
                    .filter(|e| {
                        e.file_name()
                            .to_str()
                            .is_some_and(|n| n.parse::<u32>().is_ok())
                    })
                    .count()
            })
            .unwrap_or(0);
        println!("processes on this host: {processes}");
        for (sample, runs) in [(DEFAULT_CPU_SAMPLE, 8), (Duration::ZERO, 50)] {
            let ms = sample.as_millis();
            let with = |selector| ProcessSpec {
                selector,
                cpu_sample: sample,
            };
            cost(&format!("pid, no sockets ({ms} ms)"), runs, || {
                probe(&with(Selector::Pid(quiet.pid()))).unwrap();
            });
            cost(&format!("pid, a listener ({ms} ms)"), runs, || {
                probe(&with(Selector::Pid(child.pid()))).unwrap();
            });
            cost(&format!("pattern ({ms} ms)"), runs, || {
                probe(&with(Selector::Pattern(mark.clone()))).unwrap();
            });
            cost(&format!("port ({ms} ms)"), runs, || {
                probe(&with(Selector::Port(port))).unwrap();
            });
        }
        cost("port_listening", 50, || {
            assert!(port_listening(port));
        });
    }
}
