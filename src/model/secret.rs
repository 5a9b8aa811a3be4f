//! The secrets of this invocation, and the one function that takes them out of text.
//!
//! A secret is any value mcpmon holds that must never reach an output: header values, the env values
//! of every target, URL userinfo (and the Basic form it is sent as), query values, notification URLs.
//! They are registered once the targets and channels are known (`remember`), process-wide, because a
//! server may echo any of them — not only its own target's. `clean` runs on server-originated text
//! before it is cut to an excerpt, and `tidy` on every string of a finished report, so no format, log
//! line, history record or state file carries one. No I/O: a registry in memory and string functions.

use base64::Engine as _;
use std::borrow::Cow;
use std::sync::{PoisonError, RwLock};

/// What a secret is replaced with.
pub const MASK: &str = "***";
/// Shorter values are not secrets worth scrubbing (and would mangle every message).
const MIN_LEN: usize = 4;

/// Every known secret form, longest first (so a secret containing another is replaced whole).
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers values (and the forms a server may echo them in, see `forms`) as secrets.
pub fn remember<I, S>(values: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut add: Vec<String> = values.into_iter().flat_map(|v| forms(v.as_ref())).collect();
    if add.is_empty() {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(PoisonError::into_inner);
    add.retain(|a| !known.contains(a));
    if add.is_empty() {
        return;
    }
    known.extend(add);
    known.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    known.dedup();
}

/// A value and the parts of it a server may echo on their own: the credentials after an auth
/// scheme (`Bearer abc…` → `abc…`), and for `Basic` the decoded `user:password` and the password.
pub fn forms(value: &str) -> Vec<String> {
    let v = value.trim();
    let mut out = Vec::new();
    if v.chars().count() >= MIN_LEN {
        out.push(v.to_string());
    }
    if let Some((scheme, rest)) = v.split_once(' ') {
        let rest = rest.trim();
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            if rest.chars().count() >= MIN_LEN {
                out.push(rest.to_string());
            }
            if scheme.eq_ignore_ascii_case("basic") {
                if let Some(plain) = base64::engine::general_purpose::STANDARD
                    .decode(rest)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                {
                    out.extend(credentials(&plain));
                }
            }
        }
    }
    // an unresolved `${VAR}` is not a value anything was sent (and messages must name it)
    out.retain(|f| !(f.starts_with("${") && f.ends_with('}')));
    out
}

/// URL userinfo as a server may see and echo it: the user, the password, `user:password`, and its
/// Base64 (the `Authorization: Basic` form the HTTP client sends). Percent-encoded or not.
pub fn userinfo(user: &str, password: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for (u, p) in [
        (user.to_string(), password.map(str::to_string)),
        (percent_decoded(user), password.map(percent_decoded)),
    ] {
        let plain = match &p {
            Some(p) => format!("{u}:{p}"),
            None => format!("{u}:"),
        };
        out.push(base64::engine::general_purpose::STANDARD.encode(plain.as_bytes()));
        out.extend(credentials(&plain));
        out.push(u);
    }
    out.retain(|s| s.chars().count() >= MIN_LEN);
    out.sort();
    out.dedup();
    out
}

fn credentials(plain: &str) -> Vec<String> {
    let mut out = Vec::new();
    if plain.chars().count() >= MIN_LEN {
        out.push(plain.to_string());
    }
    if let Some((_, pass)) = plain.split_once(':') {
        if pass.chars().count() >= MIN_LEN {
            out.push(pass.to_string());
        }
    }
    out
}

fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                let (h, l) = (hex(h).unwrap_or(0), hex(l).unwrap_or(0));
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value that looks like a token whatever it is called: 12 characters or more, letters and digits,
/// no space or slash. (`3000`, `production` or a path are not: scrubbing them would mangle every URL and
/// message that happens to contain them.)
pub fn token_like(value: &str) -> bool {
    let v = value.trim();
    v.chars().count() >= 12
        && !v.contains(|c: char| c.is_whitespace() || c == '/')
        && v.contains(|c: char| c.is_ascii_digit())
        && v.contains(|c: char| c.is_alphabetic())
}

/// `s` with every known secret replaced by `***`. Borrowed (no copy) when it holds none.
pub fn clean(s: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(PoisonError::into_inner);
    if known.is_empty() || !known.iter().any(|k| s.contains(k.as_str())) {
        return Cow::Borrowed(s);
    }
    let mut out = s.to_string();
    for k in known.iter() {
        if out.contains(k.as_str()) {
            out = out.replace(k.as_str(), MASK);
        }
    }
    Cow::Owned(out)
}

/// Makes a string of a report safe for every output: known secrets replaced, then control characters
/// (but newline and tab) written out as `\x1b`, bidirectional overrides as `\u{202e}` (as the table
/// shows them, `term::sanitize`), so that
/// neither a terminal nor `jq -r` on the JSON output can be driven by what a server sent.
pub fn tidy(s: &mut String) {
    if let Cow::Owned(c) = clean(s) {
        *s = c;
    }
    if s.chars().any(unsafe_char) {
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            if unsafe_char(c) && (c as u32) < 0x100 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else if unsafe_char(c) {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32));
            } else {
                out.push(c);
            }
        }
        *s = out;
    }
}

/// Characters that may drive a terminal or reorder what it shows.
pub fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_cover_the_scheme_and_basic_credentials() {
        assert_eq!(
            forms("Bearer tok-9f8e7d"),
            ["Bearer tok-9f8e7d", "tok-9f8e7d"]
        );
        // base64("alice:pw-123456")
        let f = forms("Basic YWxpY2U6cHctMTIzNDU2");
        assert!(f.contains(&"alice:pw-123456".to_string()), "{f:?}");
        assert!(f.contains(&"pw-123456".to_string()), "{f:?}");
        assert!(forms("abc").is_empty(), "short values are not secrets");
        assert_eq!(forms("Bearer ${UNSET_VAR}"), ["Bearer ${UNSET_VAR}"]);
    }

    #[test]
    fn userinfo_gives_the_basic_form_and_decoded_parts() {
        let u = userinfo("bob", Some("p%40ss-word"));
        assert!(u.contains(&"p@ss-word".to_string()), "{u:?}");
        assert!(u.contains(&"bob:p@ss-word".to_string()), "{u:?}");
        let b64 = base64::engine::general_purpose::STANDARD.encode("bob:p@ss-word");
        assert!(u.contains(&b64), "{u:?}");
    }

    #[test]
    fn clean_replaces_every_registered_form_longest_first() {
        remember(["Bearer clean-test-0a1b2c3d", "clean-test-0a1b"]);
        assert_eq!(
            clean("got Bearer clean-test-0a1b2c3d, then clean-test-0a1b2c3d and clean-test-0a1b"),
            "got ***, then *** and ***"
        );
        assert!(matches!(clean("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn tidy_scrubs_then_writes_out_controls_and_bidi() {
        remember(["tidy-secret-777"]);
        let mut s = "a\x1b[31mtidy-secret-777\u{202e}b\u{9b}\nc\td".to_string();
        tidy(&mut s);
        assert_eq!(s, "a\\x1b[31m***\\u{202e}b\\x9b\nc\td");
    }
}
