//! Every string of what was seen and judged, reachable in one walk (`Texts::each_text`), so that
//! one function (`secret::tidy`) can make all of it safe before any output, history line or state
//! file is written. A new string field in a facts struct is added to its walk here.

use super::facts::*;
use super::failure::Failure;
use super::finding::Finding;
use super::observation::{Facts, Observation};
use serde_json::Value;
use std::collections::BTreeMap;

/// A value whose strings can be rewritten in place.
pub trait Texts {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String));
}

impl Texts for String {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(self)
    }
}

impl<T: Texts> Texts for Option<T> {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        if let Some(t) = self {
            t.each_text(f)
        }
    }
}

impl<T: Texts> Texts for Vec<T> {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        for t in self {
            t.each_text(f)
        }
    }
}

impl<T: Texts> Texts for Box<T> {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        (**self).each_text(f)
    }
}

impl<T: Texts, E: Texts> Texts for Result<T, E> {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        match self {
            Ok(t) => t.each_text(f),
            Err(e) => e.each_text(f),
        }
    }
}

/// Values carry nothing to rewrite.
macro_rules! no_text {
    ($($t:ty),*) => {$(
        impl Texts for $t {
            fn each_text(&mut self, _: &mut dyn FnMut(&mut String)) {}
        }
    )*};
}
no_text!(usize, std::time::Duration);

/// Keys are rewritten too (a map is rebuilt only when one changes).
impl<V: Texts> Texts for BTreeMap<String, V> {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let mut renamed = Vec::new();
        for (k, v) in self.iter_mut() {
            v.each_text(f);
            let mut nk = k.clone();
            f(&mut nk);
            if nk != *k {
                renamed.push((k.clone(), nk));
            }
        }
        for (old, new) in renamed {
            if let Some(v) = self.remove(&old) {
                self.insert(new, v);
            }
        }
    }
}

impl Texts for Value {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        match self {
            Value::String(s) => f(s),
            Value::Array(a) => a.iter_mut().for_each(|v| v.each_text(f)),
            Value::Object(m) => {
                let old = std::mem::take(m);
                for (mut k, mut v) in old {
                    f(&mut k);
                    v.each_text(f);
                    m.insert(k, v);
                }
            }
            _ => {}
        }
    }
}

impl Texts for Failure {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.message);
        if let Some(c) = &mut self.auth_challenge {
            f(&mut c.scheme);
            c.params.each_text(f);
        }
    }
}

impl Texts for Finding {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.target);
        f(&mut self.message);
    }
}

impl Texts for Observation {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.target);
        f(&mut self.endpoint);
        self.failure.each_text(f);
        match &mut self.facts {
            Facts::Mcp(m) => m.each_text(f),
            Facts::Hub(h) => h.each_text(f),
            Facts::Http(h) => h.each_text(f),
            Facts::Tcp(t) => {
                t.address.each_text(f);
                t.expect.each_text(f);
                t.received.each_text(f);
                if let Some(s) = &mut t.tls {
                    s.version.each_text(f);
                }
            }
            Facts::Cert(_) => {}
            Facts::Log(l) => l.each_text(f),
            Facts::Process(p) => p.each_text(f),
            Facts::Host(_) => {}
            Facts::Load(l) => {
                f(&mut l.method);
                l.revision.each_text(f);
            }
        }
    }
}

impl Texts for McpFacts {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.revision.each_text(f);
        if let Some(s) = &mut self.server {
            f(&mut s.name);
            f(&mut s.version);
            s.title.each_text(f);
        }
        self.capabilities.each_text(f);
        if let Some((method, result)) = &mut self.liveness {
            f(method);
            if let Err(e) = result {
                e.each_text(f);
            }
        }
        self.tools.each_text(f);
        self.tool_schemas.each_text(f);
        for l in [&mut self.prompts, &mut self.resources] {
            l.each_text(f);
        }
        for r in &mut self.requests {
            f(&mut r.method);
            if let Some(h) = &mut r.http {
                f(&mut h.content_type);
            }
        }
        self.detection.each_text(f);
        self.intolerance.each_text(f);
        self.faults.each_text(f);
        self.server_requests.each_text(f);
        self.stderr_tail.each_text(f);
        self.close.each_text(f);
        self.redirect.each_text(f);
        self.child.each_text(f);
        for c in &mut self.calls {
            c.each_text(f);
        }
    }
}

impl Texts for super::call::CallFacts {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        use super::call::CallOutcome;
        match &mut self.outcome {
            CallOutcome::NotCalled(e) | CallOutcome::Failed(e) => e.each_text(f),
            CallOutcome::Answered(r) => {
                f(&mut r.text);
                for (_, v) in &mut r.structured {
                    v.each_text(f);
                }
            }
        }
    }
}

impl Texts for HubFacts {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        for s in [
            &mut self.state,
            &mut self.status,
            &mut self.version,
            &mut self.server_id,
            &mut self.started_at,
            &mut self.config_source,
        ] {
            s.each_text(f);
        }
        for (a, b, _) in &mut self.workspace_states {
            f(a);
            f(b);
        }
        for s in &mut self.servers {
            f(&mut s.name);
            for o in [
                &mut s.status,
                &mut s.error,
                &mut s.transport,
                &mut s.server_name,
                &mut s.server_version,
                &mut s.last_started,
            ] {
                o.each_text(f);
            }
        }
        self.missing.each_text(f);
        if let Some(m) = &mut self.filtering {
            let mut v = Value::Object(std::mem::take(m));
            v.each_text(f);
            if let Value::Object(back) = v {
                *m = back;
            }
        }
    }
}

impl Texts for HealthFacts {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.content_type.each_text(f);
        for a in &mut self.asserts {
            a.actual.each_text(f);
        }
        for (_, value) in &mut self.states {
            value.each_text(f);
        }
    }
}

impl Texts for LogFacts {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.levels.each_text(f);
        self.patterns.each_text(f);
        self.last_error.each_text(f);
        self.newest_timestamp.each_text(f);
        if let Some((line, _)) = &mut self.storm {
            f(line);
        }
        for h in &mut self.hits {
            f(&mut h.name);
            f(&mut h.shown);
            h.newest.each_text(f);
        }
    }
}

impl Texts for ProcessInfo {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.name);
        self.cmdline.each_text(f);
    }
}

impl Texts for ProcessFacts {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.selector);
        self.processes.each_text(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Reason, Status};

    #[test]
    fn the_walk_reaches_nested_strings_and_map_keys() {
        let mut m = McpFacts {
            server: Some(ServerInfo {
                name: "srv-XX".into(),
                version: "1".into(),
                title: None,
            }),
            tools: Some(Ok(vec!["tool-XX".into()])),
            stderr_tail: vec!["line XX".into()],
            ..Default::default()
        };
        m.tool_schemas.insert("XX-key".into(), "schema XX".into());
        let mut o = Observation {
            target: "t".into(),
            endpoint: "e".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration: std::time::Duration::ZERO,
            failure: Some(Failure::new(Reason::RpcError, "echo XX")),
            facts: Facts::Mcp(Box::new(m)),
        };
        o.each_text(&mut |s| *s = s.replace("XX", "**"));
        let dbg = format!("{o:?}");
        assert!(!dbg.contains("XX"), "{dbg}");
        let mut fnd = Finding::new(
            "t",
            Kind::Mcp,
            "connect",
            Status::Crit,
            None,
            "said XX".into(),
        );
        fnd.each_text(&mut |s| *s = s.replace("XX", "**"));
        assert_eq!(fnd.message, "said **");
    }

    #[test]
    fn values_are_walked_keys_and_all() {
        let mut v = serde_json::json!({"aXX": ["bXX", {"c": "XX"}], "n": 1});
        v.each_text(&mut |s| *s = s.replace("XX", ""));
        assert_eq!(v, serde_json::json!({"a": ["b", {"c": ""}], "n": 1}));
    }
}
