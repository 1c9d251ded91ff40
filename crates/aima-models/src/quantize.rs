//! Quantizing whisper.cpp ggml weights to q8_0 or q4_0, locally.
//!
//! whisper.cpp ships its `quantize` tool as an example program that
//! whisper-rs does not build, so the conversion is written here. It follows
//! that tool exactly: every 2-D tensor except the positional embeddings is
//! re-encoded as q8_0 blocks (32 weights as int8 plus one f16 scale) or
//! q4_0 blocks (32 weights as 4-bit values plus one f16 scale); all
//! other tensors, the hyper-parameters (but for the file type), the mel
//! filters and the vocabulary are copied byte for byte.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

const MAGIC: u32 = 0x6767_6d6c; // "ggml"
const GGML_TYPE_F32: i32 = 0;
const GGML_TYPE_F16: i32 = 1;
const GGML_TYPE_Q4_0: i32 = 2;
const GGML_TYPE_Q8_0: i32 = 8;
const GGML_FTYPE_MOSTLY_Q4_0: i32 = 2;
const GGML_FTYPE_MOSTLY_Q8_0: i32 = 7;
const GGML_QNT_VERSION: i32 = 2;
const GGML_QNT_VERSION_FACTOR: i32 = 1000;
const QK8_0: usize = 32;
const SKIP: [&str; 4] = [
    "encoder.conv1.bias",
    "encoder.conv2.bias",
    "encoder.positional_embedding",
    "decoder.positional_embedding",
];

fn invalid(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

fn read_i32(r: &mut impl Read) -> std::io::Result<i32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(i32::from_le_bytes(b))
}

/// Like `read_i32`, but `None` at a clean end of file.
fn try_read_i32(r: &mut impl Read) -> std::io::Result<Option<i32>> {
    let mut b = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r.read(&mut b[got..])?;
        if n == 0 {
            return if got == 0 {
                Ok(None)
            } else {
                Err(invalid("truncated tensor header"))
            };
        }
        got += n;
    }
    Ok(Some(i32::from_le_bytes(b)))
}

fn copy_n(r: &mut impl Read, w: &mut impl Write, n: u64) -> std::io::Result<()> {
    let copied = std::io::copy(&mut r.take(n), w)?;
    if copied != n {
        return Err(invalid("file ends early"));
    }
    Ok(())
}

/// q8_0 blocks of one row of f32 weights (row length a multiple of 32).
fn q8_0(row: &[f32], out: &mut Vec<u8>) {
    for block in row.chunks_exact(QK8_0) {
        let amax = block.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
        out.extend(block.iter().map(|x| ((x * id).round() as i8) as u8));
    }
}

/// q4_0 blocks, as ggml's reference `quantize_row_q4_0_ref`: the scale is
/// the signed value of largest magnitude over -8, values are offset by 8
/// and packed two per byte (first half of the block low, second half high).
fn q4_0(row: &[f32], out: &mut Vec<u8>) {
    for block in row.chunks_exact(QK8_0) {
        let (mut amax, mut max) = (0.0f32, 0.0f32);
        for &v in block {
            if v.abs() > amax {
                amax = v.abs();
                max = v;
            }
        }
        let d = max / -8.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
        for j in 0..QK8_0 / 2 {
            let q = |x: f32| ((x * id + 8.5) as i8).min(15) as u8;
            out.push(q(block[j]) | (q(block[j + QK8_0 / 2]) << 4));
        }
    }
}

/// The target of a conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Q8_0,
    Q4_0,
}

impl Scheme {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "q8_0" => Some(Self::Q8_0),
            "q4_0" => Some(Self::Q4_0),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Q8_0 => "q8_0",
            Self::Q4_0 => "q4_0",
        }
    }

    fn ggml_type(self) -> i32 {
        match self {
            Self::Q8_0 => GGML_TYPE_Q8_0,
            Self::Q4_0 => GGML_TYPE_Q4_0,
        }
    }

    fn ftype(self) -> i32 {
        match self {
            Self::Q8_0 => GGML_FTYPE_MOSTLY_Q8_0,
            Self::Q4_0 => GGML_FTYPE_MOSTLY_Q4_0,
        }
    }

    fn encode(self, row: &[f32], out: &mut Vec<u8>) {
        match self {
            Self::Q8_0 => q8_0(row, out),
            Self::Q4_0 => q4_0(row, out),
        }
    }
}

/// Counts of what the conversion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quantized {
    pub tensors: usize,
    pub quantized: usize,
}

/// Writes a quantized copy of a whisper.cpp ggml model (F16 or F32).
pub fn quantize_whisper(src: &Path, dst: &Path, scheme: Scheme) -> std::io::Result<Quantized> {
    let mut r = BufReader::with_capacity(1 << 20, std::fs::File::open(src)?);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(dst)?);
    if read_i32(&mut r)? as u32 != MAGIC {
        return Err(invalid("not a ggml file"));
    }
    w.write_all(&MAGIC.to_le_bytes())?;
    // Hyper-parameters: n_vocab, n_audio_ctx, n_audio_state, n_audio_head,
    // n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer,
    // n_mels, ftype.
    let mut hp = [0i32; 11];
    for v in hp.iter_mut() {
        *v = read_i32(&mut r)?;
    }
    let n_vocab = hp[0];
    if hp[10] % GGML_QNT_VERSION_FACTOR > 1 {
        return Err(invalid("the model is already quantized"));
    }
    hp[10] = GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR + scheme.ftype();
    for v in hp {
        w.write_all(&v.to_le_bytes())?;
    }
    // Mel filters.
    let (n_mel, n_fft) = (read_i32(&mut r)?, read_i32(&mut r)?);
    w.write_all(&n_mel.to_le_bytes())?;
    w.write_all(&n_fft.to_le_bytes())?;
    copy_n(&mut r, &mut w, n_mel as u64 * n_fft as u64 * 4)?;
    // Vocabulary.
    let n = read_i32(&mut r)?;
    if n != n_vocab && n <= 0 {
        return Err(invalid("bad vocabulary size"));
    }
    w.write_all(&n.to_le_bytes())?;
    for _ in 0..n {
        let len = read_i32(&mut r)?;
        w.write_all(&len.to_le_bytes())?;
        copy_n(&mut r, &mut w, len.max(0) as u64)?;
    }
    // Tensors until the end of the file.
    let mut stats = Quantized::default();
    while let Some(n_dims) = try_read_i32(&mut r)? {
        let name_len = read_i32(&mut r)?;
        let ttype = read_i32(&mut r)?;
        if !(1..=4).contains(&n_dims) || !(0..=256).contains(&name_len) {
            return Err(invalid("bad tensor header"));
        }
        let mut ne = vec![0i32; n_dims as usize];
        for d in ne.iter_mut() {
            *d = read_i32(&mut r)?;
        }
        let mut name = vec![0u8; name_len as usize];
        r.read_exact(&mut name)?;
        let name_str = String::from_utf8_lossy(&name).into_owned();
        let count: u64 = ne.iter().map(|&d| d.max(0) as u64).product();
        let elem = match ttype {
            GGML_TYPE_F32 => 4,
            GGML_TYPE_F16 => 2,
            other => {
                return Err(invalid(format!(
                    "tensor {name_str} has type {other}; only F32/F16 inputs are supported"
                )))
            }
        };
        let quantize = n_dims == 2
            && !SKIP.contains(&name_str.as_str())
            && (ne[0] as usize).is_multiple_of(QK8_0);
        stats.tensors += 1;
        w.write_all(&n_dims.to_le_bytes())?;
        w.write_all(&name_len.to_le_bytes())?;
        w.write_all(&(if quantize { scheme.ggml_type() } else { ttype }).to_le_bytes())?;
        for d in &ne {
            w.write_all(&d.to_le_bytes())?;
        }
        w.write_all(&name)?;
        if !quantize {
            copy_n(&mut r, &mut w, count * elem)?;
            continue;
        }
        stats.quantized += 1;
        let row_len = ne[0] as usize;
        let mut raw = vec![0u8; row_len * elem as usize];
        let mut row = vec![0f32; row_len];
        let mut out = Vec::with_capacity(row_len / QK8_0 * 34);
        for _ in 0..(count as usize / row_len) {
            r.read_exact(&mut raw)?;
            for (i, v) in row.iter_mut().enumerate() {
                *v = if elem == 2 {
                    half::f16::from_le_bytes([raw[2 * i], raw[2 * i + 1]]).to_f32()
                } else {
                    f32::from_le_bytes([raw[4 * i], raw[4 * i + 1], raw[4 * i + 2], raw[4 * i + 3]])
                };
            }
            out.clear();
            scheme.encode(&row, &mut out);
            w.write_all(&out)?;
        }
    }
    w.flush()?;
    w.get_ref().sync_all()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q8_0_blocks_round_trip_within_half_a_step() {
        let row: Vec<f32> = (0..64).map(|i| (i as f32 - 31.5) / 10.0).collect();
        let mut out = Vec::new();
        q8_0(&row, &mut out);
        assert_eq!(out.len(), 2 * 34);
        for (b, block) in row.chunks(32).enumerate() {
            let bytes = &out[b * 34..(b + 1) * 34];
            let d = half::f16::from_le_bytes([bytes[0], bytes[1]]).to_f32();
            for (i, x) in block.iter().enumerate() {
                let q = bytes[2 + i] as i8 as f32;
                assert!((q * d - x).abs() <= d * 0.5 + 1e-3, "{x} vs {}", q * d);
            }
        }
        // All-zero blocks stay zero.
        let mut z = Vec::new();
        q8_0(&[0.0; 32], &mut z);
        assert!(z.iter().all(|b| *b == 0));
    }

    #[test]
    fn q4_0_blocks_round_trip_within_half_a_step() {
        let row: Vec<f32> = (0..32)
            .map(|i| ((i * 7 % 32) as f32 - 16.0) / 4.0)
            .collect();
        let mut out = Vec::new();
        q4_0(&row, &mut out);
        assert_eq!(out.len(), 18);
        let d = half::f16::from_le_bytes([out[0], out[1]]).to_f32();
        for (j, x) in row.iter().enumerate() {
            let byte = out[2 + j % 16];
            let q = if j < 16 { byte & 0x0F } else { byte >> 4 };
            let back = (q as f32 - 8.0) * d;
            assert!((back - x).abs() <= d.abs() * 0.5 + 1e-3, "{x} vs {back}");
        }
    }

    #[test]
    fn refuses_what_is_not_ggml() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path();
        let src = dir.join("x.bin");
        std::fs::write(&src, b"definitely not ggml").expect("write");
        assert!(quantize_whisper(&src, &dir.join("y.bin"), Scheme::Q8_0).is_err());
    }
}
