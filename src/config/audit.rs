//! What `validate` says about a config file and its entries (replacing `validate-environment.ps1`): the
//! file parses, each entry is usable, every stdio command can be found, required env vars are set and
//! placeholders resolve, no literal secret sits in a file others can read, `npx -y`-style packages are
//! pinned. Pure: the file's text and mode, the environment and a PATH lookup come in as values.

use super::EntryProblem;
use super::file::Document;
use crate::model::CheckId;
use crate::model::EndpointSpec;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::Reason;
use crate::model::Registry;
use crate::model::Status;
use crate::model::Target;

use serde_json::{Map, Value};

/// One config file as read from disk.
pub struct FileFacts<'a> {
    /// The path as the user gave it.
    pub shown: &'a str,
    pub text: &'a str,
    /// Unix permission bits, when known.
    pub mode: Option<u32>,
}

fn finding(
    target: &str,
    check: impl Into<CheckId>,
    status: Status,
    reason: Option<Reason>,
    msg: String,
) -> Finding {
    Finding::new(target, Kind::Config, check, status, reason, msg)
}

/// An env value mcpmon must never show: the value of a secret-looking name (`API_KEY`, `…_TOKEN`), or
/// a token-looking value under any name (`model::secret::token_like`). `PORT=3000` or
/// `NODE_ENV=production` are not secrets.
pub fn secret_env(name: &str, value: &str) -> bool {
    secret_name(name) || crate::model::secret::token_like(value)
}

/// Header names and env names whose literal values are secrets.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "authorization",
        "token",
        "secret",
        "password",
        "passwd",
        "api-key",
        "api_key",
        "apikey",
        "cookie",
        "credential",
        "private",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("_key")
        || n.ends_with("-key")
}

/// Literal (not `${VAR}`) secret values in an entry: the places, never the values.
fn literal_secrets(place: &str, obj: &Map<String, Value>) -> Vec<String> {
    let mut found = Vec::new();
    for key in ["headers", "env"] {
        let Some(m) = obj.get(key).and_then(Value::as_object) else {
            continue;
        };
        for (name, v) in m {
            let Some(v) = v.as_str() else { continue };
            if secret_name(name) && !v.contains("${") && !v.trim().is_empty() {
                found.push(format!("{place}.{key}.{name}"));
            }
        }
    }
    found
}

/// A package runner's package argument without a version: `npx -y pkg`, `uvx pkg`, `bunx pkg` (the
/// runners `model::package_runner` knows).
pub fn unpinned_package(program: &str, args: &[String]) -> Option<String> {
    let runner = crate::model::package_runner(program, args)?;
    let pkg = runner.package?;
    let pinned = match runner.registry {
        Registry::PyPi => pkg.contains("==") || pkg.contains('@'),
        Registry::Npm => {
            // `@scope/name@1.2.3` or `name@1.2.3`; a bare `@scope/name` is not pinned
            let rest = pkg.strip_prefix('@').unwrap_or(pkg);
            rest.contains('@') && !rest.ends_with("@latest")
        }
    };
    (!pinned).then(|| pkg.to_string())
}

/// The findings for one config file: the file itself, then each entry in file order.
pub fn audit(
    file: &FileFacts,
    targets: &[Target],
    problems: &[EntryProblem],
    env: &dyn Fn(&str) -> Option<String>,
    find_program: &dyn Fn(&str) -> Option<String>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // the lenient parse already refused a file that cannot be read: validate never gets here with one
    let Some(section) = super::de::parse_json(file.text, file.shown)
        .ok()
        .and_then(|root| super::de::read::<_, Document>(root, "").ok())
        .and_then(Document::section)
    else {
        return out;
    };
    let Some(entries) = section.entries.as_object() else {
        return out;
    };
    let section = section.name;
    let disabled = entries
        .values()
        .filter(|e| e.get("disabled").and_then(Value::as_bool) == Some(true))
        .count();
    out.push(finding(
        file.shown,
        "config_file",
        if problems.is_empty() {
            Status::Ok
        } else {
            Status::Crit
        },
        (!problems.is_empty()).then_some(Reason::ConfigInvalid),
        format!(
            "parses: {} usable entr{} in `{section}`{}{}",
            targets.len(),
            if targets.len() == 1 { "y" } else { "ies" },
            if disabled > 0 {
                format!(", {disabled} disabled")
            } else {
                String::new()
            },
            if problems.is_empty() {
                String::new()
            } else {
                format!(", {} unusable", problems.len())
            },
        ),
    ));
    // daily-summary's goals, when the file sets any: read as daily-summary reads them
    let has_goals =
        super::de::parse_json(file.text, file.shown).is_ok_and(|root| root.get("goals").is_some());
    if has_goals {
        let mut goals = crate::model::Goals::default();
        out.push(
            match super::goals::parse(file.text, file.shown, &mut goals) {
                Ok(()) => finding(
                    file.shown,
                    "config_goals",
                    Status::Ok,
                    None,
                    format!(
                        "daily-summary goals: {}",
                        goals
                            .iter()
                            .map(|g| format!("{} {}", g.name.as_str(), g.target()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                Err(e) => finding(
                    file.shown,
                    "config_goals",
                    Status::Crit,
                    Some(Reason::ConfigInvalid),
                    e.0,
                ),
            },
        );
    }
    let mut secrets = Vec::new();
    for (name, entry) in entries {
        if let Some(obj) = entry.as_object() {
            secrets.extend(literal_secrets(&format!("{section}.{name}"), obj));
        }
    }
    let world_readable = file.mode.is_some_and(|m| m & 0o004 != 0);
    out.push(match (secrets.is_empty(), world_readable) {
        (true, _) => finding(
            file.shown,
            "config_secrets",
            Status::Ok,
            None,
            "no literal secrets (header and env values use ${VAR} or are not secret)".into(),
        ),
        (false, true) => finding(
            file.shown,
            "config_secrets",
            Status::Warn,
            Some(Reason::SecretExposed),
            format!(
                "literal secret{} at {} in a world-readable file (mode {:o}): `chmod 600` it or use ${{VAR}}",
                if secrets.len() == 1 { "" } else { "s" },
                secrets.join(", "),
                file.mode.unwrap_or(0) & 0o777
            ),
        ),
        (false, false) => finding(
            file.shown,
            "config_secrets",
            Status::Ok,
            None,
            format!(
                "literal secrets at {}, but only the owner can read the file (mode {:o})",
                secrets.join(", "),
                file.mode.unwrap_or(0) & 0o777
            ),
        ),
    });
    for (name, entry) in entries {
        if let Some(p) = problems.iter().find(|p| &p.name == name) {
            out.push(finding(
                name,
                "entry",
                Status::Crit,
                Some(Reason::ConfigInvalid),
                p.message.clone(),
            ));
            continue;
        }
        let Some(t) = targets.iter().find(|t| &t.name == name) else {
            continue; // disabled
        };
        out.extend(entry_findings(t, entry.as_object(), env, find_program));
    }
    out
}

fn entry_findings(
    t: &Target,
    raw: Option<&Map<String, Value>>,
    env: &dyn Fn(&str) -> Option<String>,
    find_program: &dyn Fn(&str) -> Option<String>,
) -> Vec<Finding> {
    let mut out = vec![finding(
        &t.name,
        "entry",
        Status::Ok,
        None,
        format!("usable ({})", what(t)),
    )];
    if let Some(EndpointSpec::Stdio(s)) = t.mcp() {
        if !s.program.contains("${") {
            out.push(match find_program(&s.program) {
                Some(path) => finding(
                    &t.name,
                    "command",
                    Status::Ok,
                    None,
                    format!("{} → {path}", s.program),
                ),
                None => finding(
                    &t.name,
                    "command",
                    Status::Crit,
                    Some(Reason::CommandNotFound),
                    format!("{} is not on PATH and not an executable file", s.program),
                ),
            });
        }
        if let Some(pkg) = unpinned_package(&s.program, &s.args) {
            out.push(finding(
                &t.name,
                "package_pinned",
                Status::Warn,
                Some(Reason::Unpinned),
                format!(
                    "{} runs {pkg} unpinned: every start may fetch a new version; pin it ({pkg}@x.y.z)",
                    s.program
                ),
            ));
        }
    }
    let required: Vec<String> = raw
        .and_then(|o| o.get("required_env"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let missing_required: Vec<&String> = required
        .iter()
        .filter(|n| env(n).is_none_or(|v| v.is_empty()))
        .collect();
    if !t.unresolved.is_empty() || !missing_required.is_empty() {
        let mut parts: Vec<String> = t.unresolved.clone();
        parts.extend(
            missing_required
                .iter()
                .map(|n| format!("required_env: {n} is not set")),
        );
        out.push(finding(
            &t.name,
            "env",
            Status::Crit,
            Some(Reason::UnresolvedPlaceholder),
            parts.join("; "),
        ));
    } else if !required.is_empty() {
        out.push(finding(
            &t.name,
            "env",
            Status::Ok,
            None,
            format!("set: {}", required.join(", ")),
        ));
    }
    out
}

fn what(t: &Target) -> String {
    let mut parts = Vec::new();
    match t.mcp() {
        Some(EndpointSpec::Stdio(_)) => parts.push("stdio server"),
        Some(EndpointSpec::Url { .. }) => parts.push("MCP URL"),
        None => {}
    }
    if t.has(Kind::Hub) {
        parts.push("hub");
    }
    if t.has(Kind::Http) {
        parts.push("health_url");
    }
    if t.has(Kind::Tcp) {
        parts.push("TCP port");
    }
    if t.has(Kind::Cert) {
        parts.push("cert_file");
    }
    if t.has(Kind::Log) {
        parts.push("log");
    }
    if t.has(Kind::Process) {
        parts.push("process");
    }
    parts.join(" + ")
}

/// Finds a program the way a shell would: a path with a slash must be an executable file; a bare
/// name is searched in `path_var`.
pub fn find_program(
    program: &str,
    path_var: Option<&str>,
    cwd: &std::path::Path,
) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let p = cwd.join(program);
        return executable(&p).then(|| p.display().to_string());
    }
    path_var?
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| std::path::Path::new(d).join(program))
        .find(|p| executable(p))
        .map(|p| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_goals_of_a_file_are_checked_as_daily_summary_reads_them() {
        let goals = |text: &str| -> Vec<(Status, String)> {
            let file = FileFacts {
                shown: "m.json",
                text,
                mode: None,
            };
            audit(&file, &[], &[], &|_| None, &|_| None)
                .into_iter()
                .filter(|f| f.check == "config_goals")
                .map(|f| (f.status, f.message))
                .collect()
        };
        let targets = r#""targets": {"a": {"url": "http://127.0.0.1:1/mcp"}}"#;
        assert_eq!(
            goals(&format!("{{{targets}}}")),
            [],
            "no goals key, no finding"
        );
        let ok = goals(&format!(
            r#"{{"goals": {{"uptime": 99.5, "reconnects": null}}, {targets}}}"#
        ));
        assert_eq!(
            ok,
            [(
                Status::Ok,
                "daily-summary goals: uptime > 99.5 %, success_rate > 95 %, response_time_p95 < 500 ms, error_rate < 1 %".to_string()
            )]
        );
        let bad = goals(&format!(r#"{{"goals": {{"uptim": 99.5}}, {targets}}}"#));
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, Status::Crit);
        assert!(
            bad[0]
                .1
                .starts_with("m.json: goals.uptim: unknown goal \"uptim\" (did you mean uptime?)"),
            "{bad:?}"
        );
    }

    #[test]
    fn unpinned_packages_are_found() {
        assert_eq!(
            unpinned_package("npx", &args(&["-y", "@modelcontextprotocol/server-memory"]))
                .as_deref(),
            Some("@modelcontextprotocol/server-memory")
        );
        assert_eq!(
            unpinned_package(
                "npx",
                &args(&["-y", "@modelcontextprotocol/server-memory@2025.8.4"])
            ),
            None
        );
        assert_eq!(
            unpinned_package("/usr/bin/npx", &args(&["pkg@latest"])).as_deref(),
            Some("pkg@latest")
        );
        assert_eq!(
            unpinned_package("uvx", &args(&["mcp-server-time"])).as_deref(),
            Some("mcp-server-time")
        );
        assert_eq!(
            unpinned_package("uvx", &args(&["mcp-server-time==2025.9.25"])),
            None
        );
        assert_eq!(
            unpinned_package("pnpm", &args(&["dlx", "@scope/srv"])).as_deref(),
            Some("@scope/srv")
        );
        assert_eq!(
            unpinned_package("uv", &args(&["tool", "run", "mcp-server-git"])).as_deref(),
            Some("mcp-server-git")
        );
        assert_eq!(
            unpinned_package("pipx", &args(&["run", "mcp-server-git==1.0"])),
            None
        );
        assert_eq!(unpinned_package("pnpm", &args(&["install"])), None);
        assert_eq!(unpinned_package("uv", &args(&["run", "server.py"])), None);
        assert_eq!(unpinned_package("node", &args(&["server.js"])), None);
    }

    #[test]
    fn secret_names() {
        for s in [
            "Authorization",
            "X-API-Key",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "OPENAI_API_KEY",
            "Cookie",
        ] {
            assert!(secret_name(s), "{s}");
        }
        for s in ["Accept", "LOG_LEVEL", "HOME", "MCP_PORT"] {
            assert!(!secret_name(s), "{s}");
        }
    }
}
