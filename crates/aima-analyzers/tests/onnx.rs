//! ONNX Runtime loaded at run time from the library the model manager pulls
//! out of the `onnxruntime` wheel, running a real model (MediaPipe's
//! BlazeFace face detector, from the shared models folder).

use std::path::PathBuf;

use aima_analyzers::onnx;
use aima_models::ModelManager;

#[tokio::test]
async fn runtime_pulled_like_a_model_runs_a_real_onnx_model() {
    let dir = tempfile::tempdir().expect("tmp");
    let models = ModelManager::new(dir.path(), vec![], "python3");

    // Not installed yet: a clear error naming the command.
    let err = onnx::environment(&models)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("aima models pull onnxruntime"), "{err}");

    models
        .pull("onnxruntime")
        .await
        .expect("pull onnxruntime from its wheel");
    let env = onnx::environment(&models).await.expect("load the library");
    let model = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/models/blazeface_short.onnx");
    assert!(
        model.is_file(),
        "shared models missing: {}",
        model.display()
    );
    let mut session = onnx::session(env, &model, 1).expect("open BlazeFace");
    let input = ndarray::Array4::<f32>::zeros((1, 3, 128, 128));
    let outputs = session
        .run(ort::inputs!["input" => ort::value::TensorRef::from_array_view(&input).expect("tensor")])
        .expect("inference");
    let boxes = outputs["regressors"]
        .try_extract_array::<f32>()
        .expect("regressors");
    let scores = outputs["classificators"]
        .try_extract_array::<f32>()
        .expect("scores");
    assert_eq!(boxes.shape(), &[1, 896, 16]);
    assert_eq!(scores.shape(), &[1, 896, 1]);
    // A blank image holds no face: every logit says so.
    assert!(
        scores.iter().all(|s| s.is_finite() && *s < 0.0),
        "a face in a blank image?"
    );
}
