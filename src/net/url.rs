//! URLs given by people: parsing (`http`/`https`, and `tcp://host:port` for plain TCP targets) and the
//! forms in which one may be shown.
//!
//! Owns what of a URL is safe to print: userinfo and query values are secrets. It does no I/O and
//! never resolves or contacts a host.

use reqwest::Url;

/// Parses an `http(s)://` URL given by a user.
pub fn parse_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| not_a_url(s, &e.to_string()))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        // `localhost:3000/mcp` parses with the scheme `localhost`
        _ if !s.contains("://") && !s.contains(char::is_whitespace) => Err(format!(
            "{s:?} is not a valid URL: it has no scheme; did you mean \"http://{s}\"?"
        )),
        other => Err(format!(
            "unsupported URL scheme {other:?} (use http or https)"
        )),
    }
}

/// Whether `s` is a `tcp://` address (a plain TCP target, not an HTTP URL).
pub fn is_tcp(s: &str) -> bool {
    s.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("tcp://"))
}

/// Parses `tcp://host:port` into the host (an IPv6 address without its brackets) and the port. No
/// path, query or credentials: there is nothing to send them to.
pub fn parse_tcp(s: &str) -> Result<(String, u16), String> {
    let url =
        Url::parse(s).map_err(|e| format!("{s:?} is not a valid tcp://host:port address: {e}"))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("{s:?} has no host: write tcp://host:port"))?;
    let port = url.port().ok_or_else(|| {
        format!("{s:?} has no port: write tcp://host:port (e.g. tcp://127.0.0.1:5432)")
    })?;
    if port == 0 {
        return Err(format!("{s:?}: port 0 cannot be connected to"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("tcp://…: a TCP address takes no user or password".to_string());
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{s:?}: a TCP address is tcp://host:port, without a path or query"
        ));
    }
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Ok((host, port))
}

/// Why `s` is not a URL, and what the user most likely meant: a missing `http://`, or a scheme
/// without its colon (`http//host`).
fn not_a_url(s: &str, why: &str) -> String {
    let lower = s.to_ascii_lowercase();
    for scheme in ["https", "http"] {
        if let Some(rest) = lower.strip_prefix(&format!("{scheme}//")) {
            return format!(
                "{s:?} is not a valid URL: the scheme needs a colon; did you mean \"{scheme}://{}\"?",
                &s[s.len() - rest.len()..]
            );
        }
    }
    let hostish = !s.is_empty() && !s.contains(char::is_whitespace) && !s.contains("://");
    if why.contains("relative URL without a base") && hostish {
        return format!("{s:?} is not a valid URL: it has no scheme; did you mean \"http://{s}\"?");
    }
    format!("{s:?} is not a valid URL: {why}")
}

/// Removes userinfo and query values from a URL before it is shown.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            if !u.username().is_empty() || u.password().is_some() {
                let _ = u.set_username("");
                let _ = u.set_password(None);
            }
            if u.query().is_some() {
                let keys: Vec<String> = u.query_pairs().map(|(k, _)| format!("{k}=***")).collect();
                u.set_query(Some(&keys.join("&")));
            }
            u.to_string()
        }
        Err(_) => "<invalid url>".into(),
    }
}

/// `https://host[:port]/…`: all that can be shown of a URL whose path may itself be a secret (a
/// webhook's path is often its token).
pub fn origin_only(u: &Url) -> String {
    let host = u.host_str().unwrap_or("?");
    match u.port() {
        Some(p) => format!("{}://{host}:{p}/…", u.scheme()),
        None => format!("{}://{host}/…", u.scheme()),
    }
}

/// What of a URL a server may echo and must never be shown: userinfo (in every form a server sees,
/// see `model::secret::userinfo`) and query values; with `path`, also its longer path segments (a
/// webhook's path is its token). Nothing for a URL that does not parse.
pub fn secret_parts(url: &str, path: bool) -> Vec<String> {
    let Ok(u) = Url::parse(url) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !u.username().is_empty() || u.password().is_some() {
        out.extend(crate::model::secret::userinfo(u.username(), u.password()));
    }
    out.extend(u.query_pairs().map(|(_, v)| v.into_owned()));
    if let Some(q) = u.query().filter(|q| !q.is_empty()) {
        out.push(q.to_string());
    }
    if path {
        if u.path().len() > 1 {
            out.push(u.path().to_string());
        }
        if let Some(segs) = u.path_segments() {
            out.extend(segs.filter(|s| s.len() >= 6).map(str::to_string));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_parts_of_a_url() {
        let p = secret_parts(
            "http://ann:pw-9876@127.0.0.1:1/hooks/T0KEN-abcdef?key=k-123456&x=1",
            false,
        );
        assert!(p.contains(&"pw-9876".to_string()), "{p:?}");
        assert!(p.contains(&"k-123456".to_string()), "{p:?}");
        assert!(!p.iter().any(|s| s.contains("T0KEN")), "{p:?}");
        let p = secret_parts("https://127.0.0.1/services/T0KEN-abcdef", true);
        assert!(p.contains(&"T0KEN-abcdef".to_string()), "{p:?}");
        assert!(secret_parts("not a url", true).is_empty());
    }

    #[test]
    fn a_url_without_its_scheme_says_what_was_meant() {
        assert_eq!(
            parse_url("127.0.0.1:38101/mcp").unwrap_err(),
            "\"127.0.0.1:38101/mcp\" is not a valid URL: it has no scheme; did you mean \"http://127.0.0.1:38101/mcp\"?"
        );
        assert_eq!(
            parse_url("http//127.0.0.1/mcp").unwrap_err(),
            "\"http//127.0.0.1/mcp\" is not a valid URL: the scheme needs a colon; did you mean \"http://127.0.0.1/mcp\"?"
        );
        assert!(
            parse_url("localhost:3000/mcp")
                .unwrap_err()
                .ends_with("did you mean \"http://localhost:3000/mcp\"?")
        );
    }

    #[test]
    fn tcp_addresses_parse_to_host_and_port() {
        assert_eq!(
            parse_tcp("tcp://127.0.0.1:5432").unwrap(),
            ("127.0.0.1".into(), 5432)
        );
        assert_eq!(
            parse_tcp("TCP://[::1]:6379/").unwrap(),
            ("::1".into(), 6379)
        );
        assert_eq!(
            parse_tcp("tcp://db.internal:5432").unwrap().0,
            "db.internal"
        );
        assert!(
            parse_tcp("tcp://127.0.0.1")
                .unwrap_err()
                .contains("has no port")
        );
        assert!(
            parse_tcp("tcp://127.0.0.1:5432/x")
                .unwrap_err()
                .contains("without a path")
        );
        assert!(
            parse_tcp("tcp://u:pw@127.0.0.1:1")
                .unwrap_err()
                .contains("no user")
        );
        assert!(
            !parse_tcp("tcp://u:pw@127.0.0.1:1")
                .unwrap_err()
                .contains("pw")
        );
        assert!(is_tcp("tcp://x:1") && is_tcp("Tcp://x:1") && !is_tcp("http://x"));
    }

    #[test]
    fn only_http_and_https_parse() {
        assert!(parse_url("http://127.0.0.1:1/mcp").is_ok());
        assert!(parse_url("https://127.0.0.1/mcp").is_ok());
        let e = parse_url("ftp://127.0.0.1/").unwrap_err();
        assert!(e.contains("unsupported URL scheme \"ftp\""), "{e}");
        assert!(parse_url("not a url").is_err());
    }

    #[test]
    fn urls_are_redacted_for_display() {
        assert_eq!(
            redact_url("http://u:p@127.0.0.1:1/mcp?key=abc&x=1"),
            "http://127.0.0.1:1/mcp?key=***&x=***"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:1/mcp"),
            "http://127.0.0.1:1/mcp"
        );
        assert_eq!(redact_url("::"), "<invalid url>");
    }

    #[test]
    fn origin_only_shows_scheme_host_and_a_non_default_port() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            origin_only(&u("https://u:p@hooks.example/T0/B0?x=1")),
            "https://hooks.example/…"
        );
        assert_eq!(
            origin_only(&u("http://127.0.0.1:8080/a")),
            "http://127.0.0.1:8080/…"
        );
    }
}
