//! The `aima` binary's library: configuration, start-up wiring and the CLI.
//! Kept as a library so integration tests can start a server in-process.

pub mod app;
pub mod cli;
pub mod config;
pub mod doctor;
