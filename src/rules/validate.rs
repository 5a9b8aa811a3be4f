//! `validate`'s grouping: which report section a finding belongs to, and which probes a target keeps
//! when only some sections (or only liveness) are asked for. Pure.

use crate::model::{CheckId, Finding, Kind, Section, Target};

/// The section a finding belongs to.
pub fn section_of(f: &Finding) -> Section {
    match f.probe {
        Kind::Config => Section::Config,
        Kind::Conformance => Section::Conformance,
        Kind::Process => {
            let c = &f.check;
            let resources = [
                CheckId::PROCESS_CPU,
                CheckId::PROCESS_MEMORY,
                CheckId::PROCESS_RSS,
            ];
            if resources.contains(c) {
                Section::Resources
            } else if *c == CheckId::PORT {
                Section::Network
            } else {
                Section::Process
            }
        }
        Kind::Http | Kind::Tcp | Kind::Cert => Section::Network,
        Kind::Hub => Section::Api,
        Kind::Mcp | Kind::Load => Section::Mcp,
        Kind::Log => Section::Logs,
        Kind::Host => Section::Resources,
    }
}

/// Drops the probes whose sections are not wanted (and, for liveness, the expensive ones). A process
/// serves three sections (its own, its port's, its resources).
pub fn narrow(t: &mut Target, want: &dyn Fn(Section) -> bool, liveness: bool) {
    if liveness {
        t.liveness_only();
    }
    t.retain_kinds(|k| match k {
        Kind::Mcp => want(Section::Mcp),
        Kind::Hub => want(Section::Api),
        Kind::Http | Kind::Tcp | Kind::Cert => want(Section::Network),
        Kind::Log => want(Section::Logs),
        Kind::Process => {
            want(Section::Process) || want(Section::Network) || want(Section::Resources)
        }
        Kind::Host => want(Section::Resources),
        Kind::Load | Kind::Config | Kind::Conformance => true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HostSpec, LogSpec, ProbeSpec, ProcessSpec, Selector, Status};
    use std::time::Duration;

    fn target() -> Target {
        let mut t = Target::empty("t".into(), "test".into(), Duration::from_secs(1));
        t.set(ProbeSpec::Log(LogSpec::new("/tmp/x.log")));
        t.set(ProbeSpec::Process(ProcessSpec::new(Selector::Pid(1))));
        t.set(ProbeSpec::Host(HostSpec::new(Vec::new())));
        t
    }

    fn kinds(t: &Target) -> Vec<Kind> {
        t.probes().iter().map(|p| p.kind()).collect()
    }

    #[test]
    fn a_process_stays_for_any_of_its_three_sections() {
        let mut t = target();
        narrow(&mut t, &|s| s == Section::Network, false);
        assert_eq!(kinds(&t), [Kind::Process]);
        let mut t = target();
        narrow(&mut t, &|s| s == Section::Logs, false);
        assert_eq!(kinds(&t), [Kind::Log]);
    }

    #[test]
    fn liveness_drops_the_log_and_the_host_whatever_is_wanted() {
        let mut t = target();
        narrow(&mut t, &|_| true, true);
        assert_eq!(kinds(&t), [Kind::Process]);
        assert!(t.checks.skip_lists);
    }

    #[test]
    fn process_resources_and_ports_have_their_own_sections() {
        let f = |check: CheckId| {
            Finding::new("t", Kind::Process, check, Status::Ok, None, String::new())
        };
        assert_eq!(section_of(&f(CheckId::PROCESS_CPU)), Section::Resources);
        assert_eq!(section_of(&f(CheckId::PORT)), Section::Network);
        assert_eq!(section_of(&f(CheckId::PROCESS)), Section::Process);
    }
}
