//! Whisper's log-mel spectrogram, as its reference implementation computes
//! it (and faster-whisper after it): 30 s of 16 kHz audio zero-padded, a
//! centred STFT (400-point periodic Hann window, hop 160, reflect padding,
//! last frame dropped) to 3000 frames, Slaney mel filters, `log10`, clamped
//! to 8 below the window's maximum, scaled by `(x + 4) / 4`.
//!
//! The filters are librosa's Slaney filters (checked against `mel_spec`'s
//! port of them in the tests). `mel_spec`'s STFT is not used: it neither
//! centres the frames nor keeps the Nyquist bin, and the CTranslate2 engine
//! needs features that match the reference to keep its accuracy, so the
//! STFT is written here over `rustfft`.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

pub const N_FFT: usize = 400;
pub const HOP: usize = 160;
/// Samples in Whisper's 30 s window.
pub const N_SAMPLES: usize = 480_000;
/// Frames in Whisper's 30 s window.
pub const N_FRAMES: usize = N_SAMPLES / HOP;

/// Slaney-style mel filters (librosa's `mel` with `htk=False,
/// norm="slaney"`, as Whisper's reference takes them): `n_mels` rows of
/// `n_fft / 2 + 1` weights, row-major. Written here rather than taken from
/// `mel_spec`, whose one function we used pulled a second `image` and
/// `ndarray` into every build (about a minute of a cold release build on
/// two cores); the test below compares it with `mel_spec`'s.
fn slaney_filters(sample_rate: f64, n_fft: usize, n_mels: usize) -> Vec<f64> {
    // librosa's Slaney scale: linear below 1 kHz, logarithmic above.
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    let hz_to_mel = |hz: f64| {
        if hz >= MIN_LOG_HZ {
            MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / logstep
        } else {
            hz / F_SP
        }
    };
    let mel_to_hz = |mel: f64| {
        if mel >= MIN_LOG_MEL {
            MIN_LOG_HZ * (logstep * (mel - MIN_LOG_MEL)).exp()
        } else {
            F_SP * mel
        }
    };
    let bins = n_fft / 2 + 1;
    let fft_freqs: Vec<f64> = (0..bins)
        .map(|i| sample_rate / n_fft as f64 * i as f64)
        .collect();
    // n_mels + 2 points evenly spaced in mel from 0 Hz to Nyquist.
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sample_rate / 2.0));
    let points = n_mels + 2;
    let step = (hi - lo) / (points - 1) as f64;
    let mel_f: Vec<f64> = (0..points)
        .map(|i| mel_to_hz(lo + step * i as f64))
        .collect();
    let mut weights = vec![0f64; n_mels * bins];
    for i in 0..n_mels {
        let (down, up) = (mel_f[i + 1] - mel_f[i], mel_f[i + 2] - mel_f[i + 1]);
        // Slaney normalisation: about constant energy per channel.
        let norm = 2.0 / (mel_f[i + 2] - mel_f[i]);
        for (k, &f) in fft_freqs.iter().enumerate() {
            let lower = (-(mel_f[i] - f) / down).clamp(0.0, 1.0);
            let upper = ((mel_f[i + 2] - f) / up).clamp(0.0, 1.0);
            weights[i * bins + k] = lower.min(upper) * norm;
        }
    }
    weights
}

/// Computes log-mel features for one 30 s window; reusable across windows.
pub struct LogMel {
    n_mels: usize,
    /// `n_mels` rows of `N_FFT / 2 + 1` weights.
    filters: Vec<f32>,
    window: Vec<f32>,
    fft: Arc<dyn Fft<f32>>,
}

impl LogMel {
    pub fn new(n_mels: usize) -> Self {
        let filters = slaney_filters(16_000.0, N_FFT, n_mels)
            .iter()
            .map(|&w| w as f32)
            .collect();
        let window = (0..N_FFT)
            .map(|i| {
                let x = 2.0 * std::f64::consts::PI * i as f64 / N_FFT as f64;
                (0.5 - 0.5 * x.cos()) as f32
            })
            .collect();
        let fft = FftPlanner::new().plan_fft_forward(N_FFT);
        Self {
            n_mels,
            filters,
            window,
            fft,
        }
    }

    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// `n_mels × N_FRAMES` features, row-major, for at most 30 s of audio
    /// (longer input is cut).
    pub fn features(&self, audio: &[f32]) -> Vec<f32> {
        let audio = &audio[..audio.len().min(N_SAMPLES)];
        // Zero-pad to 30 s, then reflect-pad by half a window on each side
        // (torch.stft's `center=True`).
        let half = N_FFT / 2;
        let sample = |i: usize| -> f32 { audio.get(i).copied().unwrap_or(0.0) };
        let mut padded = Vec::with_capacity(N_SAMPLES + 2 * half);
        padded.extend((1..=half).rev().map(sample));
        padded.extend((0..N_SAMPLES).map(sample));
        padded.extend((N_SAMPLES - 1 - half..N_SAMPLES - 1).rev().map(sample));

        let bins = N_FFT / 2 + 1;
        let mut out = vec![0f32; self.n_mels * N_FRAMES];
        let mut buf = vec![Complex::new(0f32, 0f32); N_FFT];
        let mut scratch = vec![Complex::new(0f32, 0f32); self.fft.get_inplace_scratch_len()];
        let mut power = vec![0f32; bins];
        for frame in 0..N_FRAMES {
            let start = frame * HOP;
            for (k, b) in buf.iter_mut().enumerate() {
                *b = Complex::new(padded[start + k] * self.window[k], 0.0);
            }
            self.fft.process_with_scratch(&mut buf, &mut scratch);
            for (p, c) in power.iter_mut().zip(&buf) {
                *p = c.norm_sqr();
            }
            for m in 0..self.n_mels {
                let row = &self.filters[m * bins..(m + 1) * bins];
                let e: f32 = row.iter().zip(&power).map(|(w, p)| w * p).sum();
                out[m * N_FRAMES + frame] = e.max(1e-10).log10();
            }
        }
        let max = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        for v in &mut out {
            *v = (v.max(max - 8.0) + 4.0) / 4.0;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filters are librosa's, as `mel_spec` ports them, for both of
    /// Whisper's sizes (80 mel bands; 128 for large-v3).
    #[test]
    fn the_filters_are_librosas_slaney_filters() {
        for n_mels in [80, 128] {
            let ours = slaney_filters(16_000.0, N_FFT, n_mels);
            let reference = mel_spec::mel::mel(16_000.0, N_FFT, n_mels, None, None, false, true);
            assert_eq!(ours.len(), reference.len());
            for (i, (a, b)) in ours.iter().zip(reference.iter()).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1e-3),
                    "{n_mels} bands, weight {i}: {a} vs {b}"
                );
            }
            // Every band has weight somewhere.
            let bins = N_FFT / 2 + 1;
            assert!(ours.chunks(bins).all(|row| row.iter().any(|&w| w > 0.0)));
        }
    }

    /// A 1 kHz tone puts its energy in the mel band around 1 kHz, in every
    /// frame it lasts, and the padding after it sits at the clamp floor.
    #[test]
    fn a_tone_lands_in_its_band() {
        let mel = LogMel::new(80);
        let tone: Vec<f32> = (0..16_000)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16_000.0).sin() * 0.5)
            .collect();
        let f = mel.features(&tone);
        assert_eq!(f.len(), 80 * N_FRAMES);
        let at = |m: usize, t: usize| f[m * N_FRAMES + t];
        let loudest = (0..80)
            .max_by(|&a, &b| at(a, 50).total_cmp(&at(b, 50)))
            .unwrap_or_default();
        // Slaney's mel scale puts 1 kHz at 15 mel and 8 kHz at 45.25; 80
        // bands have 82 evenly spaced edges, so band i centres on
        // (i + 1) x 45.25 / 81 mel: 1 kHz is band 26.
        assert_eq!(loudest, 26);
        let top = f.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let floor = f.iter().copied().fold(f32::INFINITY, f32::min);
        assert!(
            top - at(loudest, 50) < 0.05,
            "the tone is the loudest thing"
        );
        assert!(
            (top - floor - 2.0).abs() < 1e-5,
            "8 decades below the max, / 4"
        );
        assert_eq!(at(loudest, 1000), floor, "the padding is at the floor");
    }
}
