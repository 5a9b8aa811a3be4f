//! Text that leaves the process: known secrets replaced, the secret parts of a URL removed from a
//! message, untrusted text cut to one short line.
//!
//! Pure string functions: no I/O, nothing parsed but the URL it is given.

use reqwest::Url;

/// Replaces every secret value in `s` by `***` (for messages and stderr shown to people).
pub fn scrub(s: &str, secrets: &[String]) -> String {
    let mut out = s.to_string();
    for sec in secrets {
        if !sec.is_empty() && out.contains(sec.as_str()) {
            out = out.replace(sec.as_str(), "***");
        }
    }
    out
}

/// Removes anything of `url` that may be a secret (path, query, credentials) from a message: the URL
/// itself becomes its origin, its path, query, userinfo, longer path segments and query values `…`.
pub fn scrub_url(msg: &str, url: &Url) -> String {
    let mut out = msg.replace(url.as_str(), &super::url::origin_only(url));
    let mut secrets: Vec<String> = Vec::new();
    if url.path().len() > 1 {
        secrets.push(url.path().to_string());
    }
    if let Some(q) = url.query().filter(|q| !q.is_empty()) {
        secrets.push(q.to_string());
    }
    if !url.username().is_empty() {
        secrets.push(url.username().to_string());
    }
    if let Some(p) = url.password().filter(|p| !p.is_empty()) {
        secrets.push(p.to_string());
    }
    // Path segments and query values on their own (a server may echo just the token).
    if let Some(segs) = url.path_segments() {
        secrets.extend(segs.filter(|s| s.len() >= 6).map(str::to_string));
    }
    secrets.extend(
        url.query_pairs()
            .map(|(_, v)| v.into_owned())
            .filter(|v| v.len() >= 4),
    );
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        out = out.replace(&s, "…");
    }
    out
}

/// One line of untrusted text: known secrets (`model::secret`) replaced, control characters as spaces,
/// trimmed, at most `max` characters (a cut one ends in "…").
pub fn excerpt(s: &str, max: usize) -> String {
    // known secrets go before the cut: a secret cut in two would leave its prefix
    let one_line: String = crate::model::secret::clean(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() <= max {
        trimmed.to_string()
    } else {
        let mut out: String = trimmed.chars().take(max).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_hides_secrets() {
        assert_eq!(
            scrub("token=s3cr3t-token!", &["s3cr3t-token".into()]),
            "token=***!"
        );
        assert_eq!(scrub("nothing", &[String::new()]), "nothing");
    }

    #[test]
    fn scrub_url_leaves_only_the_origin() {
        let url =
            Url::parse("https://u:pw@hooks.example/services/T000/XXXXXXXX?token=abcd").unwrap();
        let msg = format!("error sending request for url ({url}); echoed XXXXXXXX and abcd");
        let out = scrub_url(&msg, &url);
        for secret in ["XXXXXXXX", "abcd", "services", "pw"] {
            assert!(!out.contains(secret), "{out:?} shows {secret}");
        }
        assert!(out.contains("https://hooks.example/…"), "{out}");
    }

    #[test]
    fn excerpt_is_single_line_and_bounded() {
        assert_eq!(excerpt("a\nb\x1b[31m", 100), "a b [31m");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
