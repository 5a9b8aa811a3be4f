//! Reading numbers out of the documents health endpoints serve: a JSON body (by a name whatever its
//! nesting and casing, or every numeric leaf) and Prometheus text exposition. Pure: the `health_url`
//! probe reads metrics with them, `measure --observe` compares two samples with them.

use serde_json::Value;

pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The value whose key path, with separators and case dropped, ends with `name` the same way
/// (`llm_success_rate` → `llmsuccessrate`); the shallowest match wins.
pub fn find_named<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    let want = normalise(name);
    let mut level: Vec<(String, &Value)> = vec![(String::new(), doc)];
    for _ in 0..8 {
        let mut next = Vec::new();
        for (path, v) in level {
            if let Value::Object(map) = v {
                for (k, child) in map {
                    let p = format!("{path}{}", normalise(k));
                    if !matches!(child, Value::Object(_)) && p.ends_with(&want) {
                        return Some(child);
                    }
                    next.push((p, child));
                }
            }
        }
        if next.is_empty() {
            return None;
        }
        level = next;
    }
    None
}

/// A JSON number, or a string holding one ("97.5", "97.5%").
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// The value of the first sample of `name` whose labels include `labels`, from Prometheus text format.
pub fn prometheus_value(text: &str, name: &str, labels: &[(String, String)]) -> Option<f64> {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, rest) = match line.find('{') {
            Some(i) if line[..i].trim() == name => {
                let close = line[i..].find('}')? + i;
                (&line[i + 1..close], line[close + 1..].trim())
            }
            Some(_) => continue,
            None => {
                let mut parts = line.split_whitespace();
                if parts.next() != Some(name) {
                    continue;
                }
                ("", line[name.len()..].trim())
            }
        };
        let got = parse_labels(series);
        if labels
            .iter()
            .all(|(k, v)| got.iter().any(|(gk, gv)| gk == k && gv == v))
        {
            let value = rest.split_whitespace().next()?;
            return match value {
                "+Inf" => Some(f64::INFINITY),
                "-Inf" => Some(f64::NEG_INFINITY),
                v => v.parse().ok(),
            };
        }
    }
    None
}

/// Every sample of a Prometheus text exposition, as `name` or `name{labels}` (as written) and its value,
/// in order; at most `limit` of them.
pub fn prometheus_samples(text: &str, limit: usize) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        if out.len() >= limit {
            break;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, rest) = match (line.find('{'), line.find('}')) {
            (Some(open), Some(close)) if open < close => {
                (&line[..=close], line[close + 1..].trim_start())
            }
            _ => match line.split_once(char::is_whitespace) {
                Some((name, rest)) => (name, rest.trim_start()),
                None => continue,
            },
        };
        let value = match rest.split_whitespace().next() {
            Some("+Inf") => f64::INFINITY,
            Some("-Inf") => f64::NEG_INFINITY,
            Some(v) => match v.parse() {
                Ok(v) => v,
                Err(_) => continue,
            },
            None => continue,
        };
        out.push((series.to_string(), value));
    }
    out
}

/// A timestamp as seconds since the epoch: an RFC 3339 string (`2026-12-01T18:30:00Z`), or a number
/// (or numeric string) of epoch seconds, read as milliseconds when it is too large for seconds
/// (beyond the year 5000).
pub fn timestamp(v: &Value) -> Option<f64> {
    const MS_FROM: f64 = 1e11;
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s.trim()) {
            Ok(t) => return Some(t.timestamp_millis() as f64 / 1000.0),
            Err(_) => s.trim().parse::<f64>().ok(),
        },
        _ => None,
    }?;
    let n = if n.abs() >= MS_FROM { n / 1000.0 } else { n };
    n.is_finite().then_some(n)
}

pub fn parse_labels(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_string();
        let after = &rest[eq + 1..];
        let Some(after) = after.strip_prefix('"') else {
            break;
        };
        let mut val = String::new();
        let mut chars = after.char_indices();
        let mut end = after.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        val.push(match n {
                            'n' => '\n',
                            other => other,
                        });
                    }
                }
                '"' => {
                    end = i + 1;
                    break;
                }
                c => val.push(c),
            }
        }
        out.push((key, val));
        rest = &after[end..];
    }
    out
}

/// Every numeric leaf of a JSON document by its dotted path (`llm.totalRequests`), in document order.
pub fn numeric_leaves(doc: &Value) -> Vec<(String, f64)> {
    fn walk(v: &Value, path: &str, out: &mut Vec<(String, f64)>) {
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(c, &p, out);
                }
            }
            Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    out.push((path.to_string(), x));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_in_rfc3339_seconds_or_milliseconds() {
        assert_eq!(
            timestamp(&json!("2026-12-01T00:00:00Z")),
            Some(1_796_083_200.0)
        );
        assert_eq!(
            timestamp(&json!("2026-12-01T01:00:00+01:00")),
            Some(1_796_083_200.0)
        );
        assert_eq!(timestamp(&json!(1_796_083_200)), Some(1_796_083_200.0));
        assert_eq!(
            timestamp(&json!(1_796_083_200_500u64)),
            Some(1_796_083_200.5)
        );
        assert_eq!(timestamp(&json!("1796083200")), Some(1_796_083_200.0));
        assert_eq!(timestamp(&json!("yesterday")), None);
        assert_eq!(timestamp(&json!(null)), None);
    }

    #[test]
    fn every_prometheus_sample_up_to_a_limit() {
        let text = "# TYPE a counter\na_total{x=\"1\",y=\"a b\"} 3\nb 2.5 1700000000000\nbad\nc NaNx\nd +Inf\n";
        assert_eq!(
            prometheus_samples(text, 10),
            vec![
                ("a_total{x=\"1\",y=\"a b\"}".to_string(), 3.0),
                ("b".to_string(), 2.5),
                ("d".to_string(), f64::INFINITY)
            ]
        );
        assert_eq!(prometheus_samples(text, 1).len(), 1);
    }
}
