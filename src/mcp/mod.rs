//! mcpmon's own MCP client (no SDK: a monitor's product is exactly the wire facts an SDK hides).
//!
//! `jsonrpc` frames messages, `sse` parses event streams, `transport` moves bytes with deadlines,
//! `session` detects the era and speaks the protocol.

pub mod jsonrpc;
pub mod session;
pub mod sse;
pub mod transport;
