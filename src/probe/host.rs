//! The host probe: the machine mcpmon runs on, what `df -h`, `free -h` and `uptime` tell — whole-machine CPU over
//! a short sample, load average, memory and swap, the filesystems holding the paths of interest (state dir, log
//! dir), uptime.
//!
//! Owns: reading those figures (sysinfo for CPU, memory, swap and uptime; `/proc/loadavg`, `/proc/self/mountinfo`
//! and `statvfs(3)` on the requested paths only). Must not: decide a verdict (thresholds are `rules`), fail
//! (an unknown figure is `None`, or a documented 0), read the environment or the clock, print, or look at any
//! filesystem but the ones holding the requested paths (a hung network mount elsewhere cannot stall it).
//! Blocking and synchronous on purpose (it sleeps for the CPU sample): callers run it on tokio's blocking pool.

use crate::model::{DiskUsage, HostFacts, HostSpec};
use std::path::{Path, PathBuf};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, System};

/// Looks at the machine. Blocking (it sleeps for the CPU sample); never fails.
pub fn probe(spec: &HostSpec) -> HostFacts {
    let mut sys = System::new();
    let cpu_kind = CpuRefreshKind::nothing().with_cpu_usage();
    sys.refresh_cpu_specifics(cpu_kind);
    let cpu_percent = if spec.cpu_sample.is_zero() || !sysinfo::IS_SUPPORTED_SYSTEM {
        None
    } else {
        std::thread::sleep(spec.cpu_sample.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL));
        sys.refresh_cpu_specifics(cpu_kind);
        Some(f64::from(sys.global_cpu_usage()).clamp(0.0, 100.0))
    };
    let cpus = match sys.cpus().len() {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    sys.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram().with_swap());
    let total = sys.total_memory();
    let available = sys.available_memory().min(total);
    let mounts = std::fs::read_to_string("/proc/self/mountinfo")
        .map(|m| parse_mountinfo(&m))
        .ok();
    HostFacts {
        cpu_percent,
        cpus,
        load_average: load_average(),
        memory_total_bytes: total,
        memory_available_bytes: available,
        memory_used_percent: percent(total - available, total),
        swap_total_bytes: sys.total_swap(),
        swap_used_bytes: sys.used_swap().min(sys.total_swap()),
        disks: spec
            .paths
            .iter()
            .filter_map(|p| disk_usage(p, mounts.as_deref()))
            .collect(),
        uptime_s: Some(System::uptime()).filter(|u| *u > 0),
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// `/proc/loadavg` on Linux (so an unreadable file is `None`, not zeros); sysinfo on the other unixes.
fn load_average() -> Option<(f64, f64, f64)> {
    if cfg!(target_os = "linux") {
        return std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| parse_loadavg(&s));
    }
    if cfg!(unix) && sysinfo::IS_SUPPORTED_SYSTEM {
        let l = System::load_average();
        return Some((l.one, l.five, l.fifteen));
    }
    None
}

fn parse_loadavg(content: &str) -> Option<(f64, f64, f64)> {
    let mut f = content.split_whitespace().map(str::parse::<f64>);
    match (f.next()?, f.next()?, f.next()?) {
        (Ok(a), Ok(b), Ok(c)) => Some((a, b, c)),
        _ => None,
    }
}

/// The filesystem holding `path`, or `None` when the path does not exist or its filesystem cannot be measured.
/// The figures come from `statvfs` on the path itself, so they are right even where the mount table is not.
// The statvfs field types are u64 on 64-bit Linux but narrower elsewhere: the conversions are portable, not useless.
#[allow(clippy::useless_conversion)]
fn disk_usage(path: &Path, mounts: Option<&[PathBuf]>) -> Option<DiskUsage> {
    let resolved = std::fs::canonicalize(path).ok()?;
    let st = nix::sys::statvfs::statvfs(&resolved).ok()?;
    let unit = u64::from(st.fragment_size());
    let total = u64::from(st.blocks()).saturating_mul(unit);
    let free = u64::from(st.blocks_free()).saturating_mul(unit);
    let available = u64::from(st.blocks_available()).saturating_mul(unit);
    let used = total.saturating_sub(free);
    let mount_point = mounts
        .and_then(|m| holding_mount(&resolved, m))
        .unwrap_or_else(|| mount_by_device(&resolved));
    Some(DiskUsage {
        path: path.to_path_buf(),
        mount_point,
        total_bytes: total,
        available_bytes: available,
        used_percent: percent(used, used.saturating_add(available)),
    })
}

/// The mount points of a `/proc/self/mountinfo` document, in mount order, with the kernel's octal escapes
/// (`\040` for a space, …) undone.
fn parse_mountinfo(content: &str) -> Vec<PathBuf> {
    content
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape_octal(field)))
        .collect()
}

fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)))
            .map(|d| d.iter().fold(0u32, |v, b| v * 8 + u32::from(b - b'0')))
            .and_then(|v| u8::try_from(v).ok());
        if let Some(value) = octal {
            out.push(value);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The longest mount point containing `resolved` (component-wise); of equal ones the later-mounted, which
/// hides the earlier.
fn holding_mount(resolved: &Path, mounts: &[PathBuf]) -> Option<PathBuf> {
    mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| resolved.starts_with(m))
        .max_by_key(|(i, m)| (m.components().count(), *i))
        .map(|(_, m)| m.clone())
}

/// Without a mount table: the topmost ancestor on the same device as `resolved`.
fn mount_by_device(resolved: &Path) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    let Some(own) = dev(resolved) else {
        return resolved.to_path_buf();
    };
    let mut top = resolved;
    while let Some(parent) = top.parent() {
        if dev(parent) != Some(own) {
            break;
        }
        top = parent;
    }
    top.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DEFAULT_CPU_SAMPLE;
    use crate::model::HostSpec;
    use std::io::Write;
    use std::time::Duration;
    use std::time::Instant;

    #[test]
    fn reports_cpus_memory_and_swap() {
        let facts = probe(&HostSpec::default());
        assert!(facts.cpus >= 1);
        assert!(facts.memory_total_bytes > 0);
        assert!(facts.memory_available_bytes <= facts.memory_total_bytes);
        assert!(
            (0.0..=100.0).contains(&facts.memory_used_percent),
            "{facts:?}"
        );
        assert!(facts.memory_used_percent > 0.0, "{facts:?}");
        assert!(facts.swap_used_bytes <= facts.swap_total_bytes);
        let cpu = facts.cpu_percent.unwrap();
        assert!((0.0..=100.0).contains(&cpu), "{cpu}");
        assert!(facts.uptime_s.unwrap() > 0);
    }

    #[test]
    fn a_zero_cpu_sample_skips_the_cpu_figure() {
        let spec = HostSpec {
            paths: Vec::new(),
            cpu_sample: Duration::ZERO,
        };
        let facts = probe(&spec);
        assert_eq!(facts.cpu_percent, None);
        assert!(facts.cpus >= 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn load_average_is_known_on_linux() {
        let (one, five, fifteen) = probe(&HostSpec::default()).load_average.unwrap();
        assert!(one >= 0.0 && five >= 0.0 && fifteen >= 0.0);
    }

    #[test]
    fn measures_the_filesystem_of_each_existing_path_and_skips_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("does-not-exist");
        let spec = HostSpec {
            paths: vec![missing, dir.path().to_path_buf()],
            cpu_sample: Duration::ZERO,
        };
        let facts = probe(&spec);
        assert_eq!(facts.disks.len(), 1, "{:?}", facts.disks);
        let d = &facts.disks[0];
        assert_eq!(d.path, dir.path());
        assert!(d.total_bytes > 0, "{d:?}");
        assert!(d.total_bytes >= d.available_bytes, "{d:?}");
        assert!((0.0..=100.0).contains(&d.used_percent), "{d:?}");
        let resolved = std::fs::canonicalize(dir.path()).unwrap();
        assert!(resolved.starts_with(&d.mount_point), "{d:?}");
    }

    #[test]
    fn the_mount_point_is_the_longest_containing_one() {
        let info = "22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n\
                    25 22 0:22 / /run rw,nosuid shared:5 - tmpfs tmpfs rw\n\
                    40 25 0:35 / /run/user/1000 rw,nosuid shared:20 - tmpfs tmpfs rw\n\
                    41 22 0:36 / /mnt/my\\040disk rw shared:21 - ext4 /dev/vdb rw\n\
                    42 22 0:37 / /run/user/1000 rw shared:22 - tmpfs tmpfs rw\n";
        let mounts = parse_mountinfo(info);
        assert_eq!(mounts[3], PathBuf::from("/mnt/my disk"));
        assert_eq!(unescape_octal(r"a\011b\134c\9d\"), "a\tb\\c\\9d\\");
        let at = |p: &str| holding_mount(Path::new(p), &mounts).unwrap();
        assert_eq!(at("/run/user/1000/mcpmon"), PathBuf::from("/run/user/1000"));
        assert_eq!(at("/run/user/10000"), PathBuf::from("/run"));
        assert_eq!(at("/var/lib"), PathBuf::from("/"));
        assert_eq!(at("/mnt/my disk/state"), PathBuf::from("/mnt/my disk"));
    }

    #[test]
    fn the_mount_point_without_a_table_is_found_by_device() {
        let dir = tempfile::tempdir().unwrap();
        let resolved = std::fs::canonicalize(dir.path()).unwrap();
        let top = mount_by_device(&resolved);
        assert!(resolved.starts_with(&top));
        let with_table = std::fs::read_to_string("/proc/self/mountinfo")
            .ok()
            .map(|m| parse_mountinfo(&m))
            .and_then(|m| holding_mount(&resolved, &m));
        if let Some(expected) = with_table {
            assert_eq!(top, expected);
        }
    }

    #[test]
    fn parses_loadavg() {
        assert_eq!(
            parse_loadavg("0.52 0.58 0.59 2/611 12345\n"),
            Some((0.52, 0.58, 0.59))
        );
        assert_eq!(parse_loadavg("0.52 x 0.59"), None);
        assert_eq!(parse_loadavg(""), None);
    }

    /// Prints the cost of one probe: `cargo test --lib probe::host::tests::cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn cost_of_one_probe() {
        let thread_cpu = || {
            std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .map_or(Duration::ZERO, Duration::from_nanos)
        };
        let dir = tempfile::tempdir().unwrap();
        let mut out = std::io::stdout().lock();
        for (sample, runs) in [(DEFAULT_CPU_SAMPLE, 8u32), (Duration::ZERO, 50)] {
            let spec = HostSpec {
                paths: vec![dir.path().to_path_buf(), PathBuf::from("/")],
                cpu_sample: sample,
            };
            let (wall, cpu) = (Instant::now(), thread_cpu());
            for _ in 0..runs {
                assert_eq!(probe(&spec).disks.len(), 2);
            }
            let per_run = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(runs);
            writeln!(
                out,
                "host, 2 paths ({} ms)   wall {:7.2} ms  cpu {:6.2} ms  (mean of {runs})",
                sample.as_millis(),
                per_run(wall.elapsed()),
                per_run(thread_cpu() - cpu)
            )
            .unwrap();
        }
    }
}
