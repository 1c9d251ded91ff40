//! The `aima` binary's library: configuration, start-up wiring and the CLI.
//! Kept as a library so integration tests can start a server in-process.

pub mod app;
pub mod cli;
pub mod config;
pub mod doctor;

/// The binary's whole `main`: parses the command line and runs it on a
/// multi-threaded runtime.
///
/// It lives here, not in `main.rs`, so the CLI's futures are compiled once,
/// with this crate: awaited only from the binary, every async function of
/// the CLI was compiled again in the binary's own unit (43 s of a cold
/// release build, last on its critical path; BENCHMARKS.md "From clone to
/// ready").
pub fn main() -> std::process::ExitCode {
    use clap::Parser;
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
