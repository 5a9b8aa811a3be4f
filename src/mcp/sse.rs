//! An incremental Server-Sent Events parser (WHATWG `text/event-stream`), bounded in memory.
//!
//! Accepts LF, CRLF and lone CR line ends (Node servers send LF, Python servers CRLF), comments,
//! multi-line `data:`, `event:`, `id:` and `retry:`. Feeding it arbitrary chunks never buffers more
//! than `max_event_bytes`; a longer event is refused with `TooLarge`.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The event type; `message` when the stream gave none.
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

/// An event or line grew past the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge(pub usize);

#[derive(Debug)]
pub struct Parser {
    line: Vec<u8>,
    last_was_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    id: Option<String>,
    /// The reconnection time the stream asked for (`retry:`), in milliseconds.
    retry_ms: Option<u64>,
    max_event_bytes: usize,
}

impl Parser {
    pub fn new(max_event_bytes: usize) -> Self {
        Parser {
            line: Vec::new(),
            last_was_cr: false,
            event: String::new(),
            data: String::new(),
            has_data: false,
            id: None,
            retry_ms: None,
            max_event_bytes,
        }
    }

    /// The last event id the stream set (what a client resumes from with `Last-Event-ID`).
    pub fn last_id(&self) -> Option<&str> {
        self.id.as_deref().filter(|s| !s.is_empty())
    }

    /// The reconnection time the stream asked for (`retry:`), in milliseconds.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Starts reading a new stream that continues this one: partial lines and events are dropped,
    /// the last event id and the retry time are kept.
    pub fn continue_stream(&mut self) {
        self.line.clear();
        self.last_was_cr = false;
        self.event.clear();
        self.data.clear();
        self.has_data = false;
    }

    /// Feeds a chunk; complete events are appended to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<Event>) -> Result<(), TooLarge> {
        let mut start = 0;
        for (i, &b) in chunk.iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                if b == b'\n' && self.last_was_cr && start == i && self.line.is_empty() {
                    // the LF of a CRLF pair whose CR ended the previous line
                    self.last_was_cr = false;
                    start = i + 1;
                    continue;
                }
                self.append(&chunk[start..i])?;
                self.end_line(out)?;
                self.last_was_cr = b == b'\r';
                start = i + 1;
            } else if self.last_was_cr && start == i {
                self.last_was_cr = false;
            }
        }
        if start < chunk.len() {
            self.last_was_cr = false;
            self.append(&chunk[start..])?;
        }
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) -> Result<(), TooLarge> {
        let size = self.line.len() + bytes.len() + self.data.len();
        if size > self.max_event_bytes {
            return Err(TooLarge(size));
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn end_line(&mut self, out: &mut Vec<Event>) -> Result<(), TooLarge> {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            if self.has_data {
                let mut data = std::mem::take(&mut self.data);
                if data.ends_with('\n') {
                    data.pop();
                }
                let event = if self.event.is_empty() {
                    "message".to_string()
                } else {
                    std::mem::take(&mut self.event)
                };
                out.push(Event {
                    event,
                    data,
                    id: self.id.clone(),
                });
            }
            self.event.clear();
            self.data.clear();
            self.has_data = false;
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(()); // comment / keep-alive
        }
        let text = String::from_utf8_lossy(&line);
        let (field, value) = match text.find(':') {
            Some(i) => {
                let v = &text[i + 1..];
                (&text[..i], v.strip_prefix(' ').unwrap_or(v))
            }
            None => (&text[..], ""),
        };
        match field {
            "data" => {
                if self.data.len() + value.len() + 1 > self.max_event_bytes {
                    return Err(TooLarge(self.data.len() + value.len() + 1));
                }
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "event" => self.event = value.to_string(),
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry_ms = value.parse().ok();
            }
            _ => {} // unknown fields are ignored
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Vec<Event> {
        let mut p = Parser::new(1 << 20);
        let mut out = Vec::new();
        for c in chunks {
            p.push(c, &mut out).unwrap();
        }
        out
    }

    #[test]
    fn lf_frames() {
        let ev = parse_all(&[b"event: endpoint\ndata: /message?sessionId=1\n\n"]);
        assert_eq!(
            ev,
            vec![Event {
                event: "endpoint".into(),
                data: "/message?sessionId=1".into(),
                id: None
            }]
        );
    }

    #[test]
    fn crlf_frames_split_anywhere() {
        let whole =
            b"event: message\r\ndata: {\"a\":1}\r\n\r\nevent: message\r\nid: 7\r\ndata: x\r\n\r\n";
        for split in 0..whole.len() {
            let ev = parse_all(&[&whole[..split], &whole[split..]]);
            assert_eq!(ev.len(), 2, "split at {split}");
            assert_eq!(ev[0].data, "{\"a\":1}");
            assert_eq!(ev[1].id.as_deref(), Some("7"));
        }
    }

    #[test]
    fn lone_cr_and_comments_and_multiline_data() {
        let ev = parse_all(&[b": keepalive\rdata: line1\rdata: line2\r\r"]);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].data, "line1\nline2");
        assert_eq!(ev[0].event, "message");
    }

    #[test]
    fn event_without_data_is_not_dispatched() {
        assert!(parse_all(&[b"event: ping\n\n"]).is_empty());
    }

    #[test]
    fn oversized_event_is_refused() {
        let mut p = Parser::new(16);
        let mut out = Vec::new();
        assert!(p.push(b"data: 0123456789abcdefghij\n\n", &mut out).is_err());
        let mut p = Parser::new(16);
        p.push(b"data: 0123456\n", &mut out).unwrap();
        assert!(p.push(b"data: 0123456\n", &mut out).is_err());
    }
}
