//! How an image model wants its input and what its output means: one
//! descriptor per model file, so the same analyzer code runs the packaged
//! test weights and the usual Hugging Face exports a user pulls.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// `[N, C, H, W]` (PyTorch, Paddle exports).
    Nchw,
    /// `[N, H, W, C]` (TensorFlow exports).
    Nhwc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorOrder {
    Rgb,
    /// OpenCV and Caffe models.
    Bgr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElementType {
    F32,
    I32,
}

/// How a frame is brought to the model's input size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fit {
    /// Resized to exactly the input size; the aspect ratio changes.
    Stretch,
    /// Scaled to fit, keeping the aspect ratio; the rest (right and bottom)
    /// filled with `value` before normalisation.
    Pad { value: u8 },
    /// Stretched to `resize` x `resize`, then the centre cut to the input
    /// size (open_nsfw's Caffe pipeline).
    CenterCrop { resize: u32 },
    /// Scaled (keeping the aspect ratio) until it covers the input, then the
    /// centre cut out (CLIP's shorter-side resize and centre crop).
    Cover,
    /// The input size follows the frame: its shorter side scaled to at least
    /// `min_side` (its longer side to at most `max_side`), both rounded to a
    /// multiple of `multiple` (PaddleOCR detection).
    Dynamic {
        min_side: u32,
        max_side: u32,
        multiple: u32,
    },
}

/// The input tensor of an image model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageInput {
    /// Input name; `None` takes the model's first input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Input size in pixels (ignored by [`Fit::Dynamic`]).
    pub width: u32,
    pub height: u32,
    pub layout: Layout,
    pub color: ColorOrder,
    /// Applied to 0..255 channel values: `(v - mean) / std`.
    pub mean: [f32; 3],
    pub std: [f32; 3],
    pub element: ElementType,
    pub fit: Fit,
}

impl ImageInput {
    /// RGB 0..255 as float, NHWC, stretched: the common TensorFlow.js export.
    /// A transformers (Hugging Face) export's input: `pixel_values`, NCHW,
    /// RGB, f32, normalised by `mean` and `std` (on 0..255 pixels).
    pub fn pixel_values(size: (u32, u32), mean: [f32; 3], std: [f32; 3], fit: Fit) -> Self {
        Self {
            name: Some("pixel_values".to_string()),
            width: size.0,
            height: size.1,
            layout: Layout::Nchw,
            color: ColorOrder::Rgb,
            mean,
            std,
            element: ElementType::F32,
            fit,
        }
    }

    pub fn tf_rgb(name: &str, width: u32, height: u32, fit: Fit) -> Self {
        Self {
            name: Some(name.to_string()),
            width,
            height,
            layout: Layout::Nhwc,
            color: ColorOrder::Rgb,
            mean: [0.0; 3],
            std: [1.0; 3],
            element: ElementType::F32,
            fit,
        }
    }
}

/// What the model's output means: one decoder per family of exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Decoder {
    /// Two-class softmax, the second class is the score (open_nsfw).
    BinaryScore { output: Option<String> },
    /// `[1, K, 6]` rows of x1, y1, x2, y2 (input pixels), score, class index
    /// (TF CenterNet exports).
    BoxesScoreClass { output: Option<String> },
    /// `[1, 4 + C, A]` centre x, centre y, w, h (input pixels), then C class
    /// scores (Ultralytics YOLOv8 exports).
    Yolov8 { output: Option<String> },
    /// DETR-style set prediction: `logits` `[1, Q, C]` (or `C + 1` with a
    /// last "no object" class when `softmax`) and `boxes` `[1, Q, 4]`
    /// centre x, centre y, w, h as fractions of the input. Scores are the
    /// sigmoid of the best logit (RT-DETR, D-FINE), or with `softmax` the
    /// best probability over the classes and "no object" (DETR, YOLOS).
    Detr {
        logits: String,
        boxes: String,
        #[serde(default)]
        softmax: bool,
    },
    /// `[1, P, 56]` per person 17 x (y, x, score) normalized, then ymin,
    /// xmin, ymax, xmax, score (MoveNet MultiPose).
    MovenetMultipose { output: Option<String> },
    /// MediaPipe's short-range face detector: `regressors [1, 896, 16]`,
    /// `classificators [1, 896, 1]` over its SSD anchors.
    BlazeFace,
    /// OpenCV's YuNet face detector: for each stride S of 8, 16 and 32 the
    /// outputs `cls_S`, `obj_S` (scores per grid cell), `bbox_S` (centre
    /// offset and log size in cells) and `kps_S` (five landmarks as offsets
    /// in cells: right eye, left eye, nose tip, right and left mouth corner).
    Yunet,
    /// A row per image: an embedding to be L2-normalised.
    Embedding {
        output: Option<String>,
        /// How a face is cut out for it.
        #[serde(default)]
        align: FaceAlign,
        /// The cosine at which two of its embeddings are taken for one
        /// person (else the configuration's `persons.match_threshold`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        match_threshold: Option<f32>,
    },
    /// Differentiable binarization probability map `[1, 1, H, W]`
    /// (PaddleOCR detection).
    DbText,
    /// `[N, T, C]` CTC probabilities; class 0 is blank, the alphabet is the
    /// model metadata key `character` plus a space (PaddleOCR recognition).
    CtcText { height: u32 },
    /// A CLIP image tower (this file) with its text tower and tokenizer in
    /// the same model: `image_output` and `text_output` are the embedding
    /// outputs, `context` the text length in tokens (77). SigLIP's towers
    /// take the same shape with their own tokens: texts padded with
    /// `pad_token` (CLIP pads with its end token), ended with `end_token`,
    /// and lowercased first where the model was trained so.
    Clip {
        image_output: String,
        text_output: String,
        context: usize,
        /// The token that ends a text (default `<|endoftext|>`, CLIP's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end_token: Option<String>,
        /// The token texts are padded with (default the end token).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pad_token: Option<String>,
        /// Texts are lowercased before tokenizing (SigLIP).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        lowercase: bool,
    },
}

/// The descriptor of one image-model file.
/// How the `faces` analyzer cuts a face out for an embedding model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceAlign {
    /// A square 1.3 times the detected box, turned so the eyes are level
    /// (HSE FaceRes was trained on such crops).
    #[default]
    EyeLevel,
    /// Five landmarks mapped onto ArcFace's 112 x 112 template by a
    /// similarity transform (ArcFace, SFace and most recognisers since);
    /// needs a detector that finds those five (YuNet).
    Arcface,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisionSpec {
    pub input: ImageInput,
    pub decoder: Decoder,
    /// Class names by index, where the output has classes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// The 80 COCO classes in the order detection exports number them.
pub const COCO_CLASSES: [&str; 80] = [
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
];
