use std::path::Path;

use tokio::io::{AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdout};

use crate::{tail_lines, MediaError, MediaTools, Result};

/// Sample rate of the PCM that [`AudioStream`] yields.
pub const SAMPLE_RATE: u32 = 16_000;

/// Decoded audio of a file, 16 kHz mono f32, read piece by piece from an
/// ffmpeg process, so a long file never sits whole in memory.
pub struct AudioStream {
    child: Child,
    stdout: BufReader<ChildStdout>,
    stderr: tokio::task::JoinHandle<String>,
    leftover: Option<u8>,
}

impl MediaTools {
    /// Starts decoding the first audio stream of `input`. Decoding errors
    /// end the stream with [`MediaError::Corrupt`] (ffmpeg's `-xerror`):
    /// a transcript of garbled audio is worse than a clear failure.
    pub fn audio_stream(&self, input: &Path) -> Result<AudioStream> {
        let mut args: Vec<std::ffi::OsString> =
            ["-nostdin", "-hide_banner", "-v", "error", "-xerror"]
                .iter()
                .map(Into::into)
                .collect();
        args.extend(self.input_args());
        args.push("-i".into());
        args.push(input.into());
        let rate = SAMPLE_RATE.to_string();
        for a in [
            "-map",
            "0:a:0",
            "-vn",
            "-sn",
            "-dn",
            "-ac",
            "1",
            "-ar",
            &rate,
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "-",
        ] {
            args.push(a.into());
        }
        let crate::Piped {
            child,
            stdout,
            stderr: mut err,
        } = self.spawn_ffmpeg(&args)?;
        let stderr = tokio::spawn(async move {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s).await;
            s
        });
        Ok(AudioStream {
            child,
            stdout: BufReader::with_capacity(1 << 16, stdout),
            stderr,
            leftover: None,
        })
    }
}

impl AudioStream {
    /// Up to `max` samples; an empty vector at the end of the stream.
    pub async fn read(&mut self, max: usize) -> Result<Vec<f32>> {
        let mut bytes = Vec::with_capacity(max * 2);
        if let Some(b) = self.leftover.take() {
            bytes.push(b);
        }
        let mut buf = vec![0u8; (max * 2).saturating_sub(bytes.len()).max(2)];
        while bytes.len() < max * 2 {
            let want = (max * 2 - bytes.len()).min(buf.len());
            let n = self.stdout.read(&mut buf[..want]).await?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
        if bytes.len() % 2 == 1 {
            self.leftover = bytes.pop();
        }
        Ok(bytes
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 / 32768.0)
            .collect())
    }

    /// Waits for ffmpeg to end and reports a decoding failure.
    pub async fn finish(mut self) -> Result<()> {
        let status = self.child.wait().await?;
        let log = self.stderr.await.unwrap_or_default();
        if status.success() {
            Ok(())
        } else if log.contains("matches no streams") || log.contains("does not contain any stream")
        {
            Err(MediaError::Unsupported(
                "the media has no audio stream".into(),
            ))
        } else {
            Err(MediaError::Corrupt(format!(
                "the audio could not be decoded ({})",
                tail_lines(&log, 2)
            )))
        }
    }
}
