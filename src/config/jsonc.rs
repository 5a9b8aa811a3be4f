//! JSON with comments and trailing commas (VS Code, Cursor and mcp-hub configs allow them).
//!
//! Comments are blanked out with spaces and newlines kept, so serde_json's line:column in an error
//! still points into the user's file.

/// Returns plain JSON text: `//` and `/* */` comments replaced by spaces, trailing commas removed.
pub fn to_json(input: &str) -> String {
    let b = input.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                out.push(c);
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                out.extend_from_slice(b"  ");
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
                if i < b.len() {
                    out.extend_from_slice(b"  ");
                    i += 2;
                }
            }
            b',' => {
                // a comma followed (after whitespace/comments already blanked) by } or ] is dropped
                let mut k = i + 1;
                loop {
                    while k < b.len() && b[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    if b.get(k) == Some(&b'/') && b.get(k + 1) == Some(&b'/') {
                        while k < b.len() && b[k] != b'\n' {
                            k += 1;
                        }
                        continue;
                    }
                    if b.get(k) == Some(&b'/') && b.get(k + 1) == Some(&b'*') {
                        k += 2;
                        while k < b.len() && !(b[k] == b'*' && b.get(k + 1) == Some(&b'/')) {
                            k += 1;
                        }
                        k += 2;
                        continue;
                    }
                    break;
                }
                if matches!(b.get(k), Some(b'}') | Some(b']')) {
                    out.push(b' ');
                } else {
                    out.push(b',');
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_comments_and_trailing_commas_but_not_strings() {
        let src = "{\n  // a comment\n  \"a\": \"http://x//y\", /* block\n */ \"b\": [1, 2,],\n}\n";
        let v: serde_json::Value = serde_json::from_str(&to_json(src)).unwrap();
        assert_eq!(v["a"], "http://x//y");
        assert_eq!(v["b"], serde_json::json!([1, 2]));
    }

    #[test]
    fn keeps_line_numbers() {
        let src = "{\n// c\n\"a\": nope\n}";
        let err = serde_json::from_str::<serde_json::Value>(&to_json(src)).unwrap_err();
        assert_eq!(err.line(), 3);
    }

    #[test]
    fn escaped_quotes_stay_inside_strings() {
        let src = r#"{"a": "say \"//hi\"", "b": 1}"#;
        let v: serde_json::Value = serde_json::from_str(&to_json(src)).unwrap();
        assert_eq!(v["a"], "say \"//hi\"");
    }
}
