//! mcpmon's integration suite: the real binary against real MCP servers on 127.0.0.1 (started by
//! `make test` through scripts/peers.sh) and against deliberately broken stubs (tests/stubs/).

#![allow(clippy::unwrap_used)] // a failed unwrap in a test is a failed test

mod alertmanager;
mod alerts;
mod anomalies;
mod calls;
mod channels;
mod cli;
mod common;
mod contract;
mod dashboard;
mod examples;
mod health_url;
mod history;
mod hostile;
mod house;
mod logs;
mod measure;
mod outbox;
mod peers;
mod probes;
mod prometheus_assets;
mod readme;
mod readme_blocks;
mod remedy;
mod schema;
mod secrets;
mod serve;
mod silences;
mod stack;
mod stubs_http;
mod stubs_stdio;
mod summary;
mod targets;
mod tcp;
mod validate;
mod widths;
