//! ONNX Runtime for the ONNX analyzers, loaded at run time (`ort` with
//! `load-dynamic`) from the model manager's `onnxruntime` entry: no build
//! step downloads anything, and a CUDA worker can install the GPU build of
//! the library under the same name.

use std::path::Path;
use std::sync::OnceLock;

use aima_core::ErrorCode;
use aima_models::ModelManager;
use ort::environment::Environment;
use ort::session::Session;

use crate::AnalyzerError;

pub const RUNTIME_MODEL: &str = "onnxruntime";
const RUNTIME_FILE: &str = "libonnxruntime.so";

static ENV: OnceLock<Environment> = OnceLock::new();
static INIT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The process's ONNX Runtime environment, loading the library on first use.
pub async fn environment(models: &ModelManager) -> Result<&'static Environment, AnalyzerError> {
    if let Some(env) = ENV.get() {
        return Ok(env);
    }
    let _guard = INIT.lock().await;
    if let Some(env) = ENV.get() {
        return Ok(env);
    }
    let lib = models
        .installed_file(RUNTIME_MODEL, RUNTIME_FILE)
        .await
        .map_err(|e| AnalyzerError::abort(ErrorCode::ModelMissing, e.to_string()))?;
    let env = tokio::task::spawn_blocking(move || {
        ort::init_from(&lib)
            .map_err(|e| format!("cannot load {}: {e}", lib.display()))?
            .with_name("aima")
            .build()
            .map_err(|e| format!("cannot start ONNX Runtime: {e}"))
    })
    .await
    .map_err(|e| AnalyzerError::Retry(e.to_string()))?
    .map_err(|e| AnalyzerError::abort(ErrorCode::ModelMissing, e))?;
    Ok(ENV.get_or_init(|| env))
}

/// Opens an ONNX model with `threads` intra-op threads (blocking: call it
/// from a blocking task).
pub fn session(env: &Environment, model: &Path, threads: usize) -> Result<Session, AnalyzerError> {
    Session::builder(env)
        .and_then(|b| b.with_intra_threads(threads.max(1)).map_err(Into::into))
        .and_then(|mut b| b.commit_from_file(model))
        .map_err(|e| {
            AnalyzerError::abort(
                ErrorCode::ModelMissing,
                format!("cannot open {}: {e}", model.display()),
            )
        })
}
