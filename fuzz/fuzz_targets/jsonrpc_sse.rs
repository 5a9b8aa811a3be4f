//! A server's reply bytes: the first byte sets the chunk size (1–256) the rest arrives in; the rest is
//! read as an HTTP/1.1 response (head + Content-Length/chunked/close body), as a chunked body, as an SSE
//! reply carrying JSON-RPC messages, as a plain JSON reply (single or batch) and as stdio lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mcpmon::mcp::transport::fuzz_reply(data);
    // the bare SSE parser with a small cap, so the oversize paths are reached too
    let mut p = mcpmon::mcp::sse::Parser::new(4096);
    let mut out = Vec::new();
    for chunk in data.chunks(7) {
        if p.push(chunk, &mut out).is_err() {
            break;
        }
    }
    p.continue_stream();
    let _ = (p.last_id(), p.retry_ms());
    for ev in &out {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&ev.data) {
            for m in mcpmon::mcp::jsonrpc::messages(v) {
                let _ = mcpmon::mcp::jsonrpc::classify(&m);
            }
        }
    }
});
