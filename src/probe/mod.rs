//! Probes: one module per kind of fact. A probe turns a target into an Observation and never decides
//! a verdict (that is `rules`). A failing server is data in the Observation, not an error.

pub mod mcp;
