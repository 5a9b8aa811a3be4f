//! Generic HTTP below the MCP client: the shared client, sending with a deadline, reading capped
//! bodies, content-type and HTML sniffing, auth challenges, transport-error classification, URL
//! parsing and redaction, scrubbing secrets out of text, a small HTTP/1.1 server for read-only
//! endpoints (`server`: `mcpmon serve`'s exporter), plain TCP with optional TLS (`tcp`), and certificates' expiry (`x509`).
//!
//! Used alike by the MCP transports, the REST probes (health endpoints, hubs), `measure` and `notify`.
//! It must not know MCP (no JSON-RPC, no sessions, no MCP headers: those live in `mcp`), must not read
//! the environment, the clock or the terminal, and imports nothing of the crate but `model`.

pub mod classify;
pub mod http;
pub mod redact;
pub mod server;
pub mod tcp;
pub mod url;
pub mod x509;
