//! `checkered decode`: any supported capture or live stream to JSON lines.
//!
//! Every decoded message becomes one JSON object on stdout:
//! `{"offset":…,"captured_at":…,"type":"PASSING",…fields}`. Every problem goes to stderr as
//! `{"error":…,"offset":…}`, and a one-line summary with counts per type ends stderr. Bad
//! frames never stop the run: the exit status is non-zero only if the input could not be
//! read.
//!
//! # Layout
//! - [`stream`]: per-protocol streaming decoders yielding one [`stream::Item`] type.
//! - [`summary`]: the counts printed at the end.

pub mod stream;
pub mod summary;

use crate::cli::{DecodeArgs, InputFormat};
use crate::timefmt::rfc3339_us;
use anyhow::Context;
use std::io::{BufWriter, Read, Write};
use std::process::ExitCode;
use stream::{Item, Protocol, decoder};
use summary::Summary;

/// How much of a stream is read at a time when decoding as it arrives.
const CHUNK: usize = 64 * 1024;
/// The PuTTY log header that precedes raw bytes in a PuTTY binary log.
const PUTTY_MARK: &[u8] = b"=~=~=~=~=~=~=~=~=~=~=~= PuTTY log";

/// Runs `checkered decode` on real stdin/stdout/stderr.
pub fn run_cli(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let input: Box<dyn Read> = if args.input.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.input)
                .with_context(|| format!("cannot open {}", args.input.display()))?,
        )
    };
    let stdout = std::io::stdout().lock();
    let stderr = std::io::stderr().lock();
    run(args.format, args.timestamps, input, stdout, stderr)?;
    Ok(ExitCode::SUCCESS)
}

/// Decodes `input` and writes messages to `out`, problems and the summary to `err`.
pub fn run(
    format: InputFormat,
    timestamps: bool,
    mut input: impl Read,
    out: impl Write,
    err: impl Write,
) -> anyhow::Result<Summary> {
    let mut writer = Writer {
        out: BufWriter::new(out),
        err: BufWriter::new(err),
        summary: Summary::default(),
    };
    let mut first = vec![0u8; CHUNK];
    let n = read_some(&mut input, &mut first).context("cannot read the input")?;
    first.truncate(n);
    match (format, timestamps) {
        (InputFormat::P3, false) if !first.starts_with(PUTTY_MARK) => {
            stream_raw(Protocol::P3, &first, input, &mut writer)?
        }
        _ => {
            let mut all = first;
            input
                .read_to_end(&mut all)
                .context("cannot read the input")?;
            whole(&all, &mut writer)?;
        }
    }
    writer.finish()
}

fn read_some(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match input.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Decodes a raw protocol stream as it arrives, flushing after every read so a live
/// decoder piped in (`nc decoder 5403 | checkered decode --format p3 -`) shows at once.
fn stream_raw<W: Write, E: Write>(
    protocol: Protocol,
    first: &[u8],
    mut input: impl Read,
    writer: &mut Writer<W, E>,
) -> anyhow::Result<()> {
    let mut decoder = decoder(protocol);
    let mut items = Vec::new();
    decoder.push(first, &mut items);
    writer.items(&mut items, None, 0)?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("cannot read the input"),
        };
        decoder.push(buf.get(..n).unwrap_or_default(), &mut items);
        writer.items(&mut items, None, 0)?;
        writer.flush()?;
    }
    decoder.finish(&mut items);
    writer.items(&mut items, None, 0)
}

/// Decodes a whole capture through its capture-format splitter.
fn whole<W: Write, E: Write>(bytes: &[u8], writer: &mut Writer<W, E>) -> anyhow::Result<()> {
    // P3 inside a PuTTY log: skip the text header, decode the rest as a stream.
    let start = bytes
        .windows(2)
        .position(|w| w == b"\r\n")
        .map_or(0, |i| i + 2);
    let mut decoder = decoder(Protocol::P3);
    let mut items = Vec::new();
    decoder.push(bytes.get(start..).unwrap_or_default(), &mut items);
    decoder.finish(&mut items);
    writer.items(&mut items, None, start as u64)
}

/// Writes items as JSON lines and counts them.
struct Writer<W: Write, E: Write> {
    out: BufWriter<W>,
    err: BufWriter<E>,
    summary: Summary,
}

impl<W: Write, E: Write> Writer<W, E> {
    /// Writes and drains `items`; offsets are relative to `base`.
    fn items(
        &mut self,
        items: &mut Vec<Item>,
        captured_at_us: Option<i64>,
        base: u64,
    ) -> anyhow::Result<()> {
        for item in items.drain(..) {
            self.item(item, captured_at_us, base)?;
        }
        Ok(())
    }

    fn item(&mut self, item: Item, captured_at_us: Option<i64>, base: u64) -> anyhow::Result<()> {
        match item {
            Item::Message { offset, kind, json } => {
                let at = captured_at_us.map(rfc3339_us);
                let at = at
                    .as_deref()
                    .map_or_else(|| "null".to_owned(), |t| format!("\"{t}\""));
                // The record's own object follows the two location fields.
                let fields = json.strip_prefix('{').unwrap_or(&json);
                let sep = if fields.starts_with('}') { "" } else { "," };
                writeln!(
                    self.out,
                    "{{\"offset\":{},\"captured_at\":{at}{sep}{fields}",
                    base + offset
                )
                .context("cannot write to stdout")?;
                self.summary.message(&kind);
            }
            Item::Problem { offset, reason } => {
                let line = serde_json::json!({ "error": reason, "offset": base + offset });
                writeln!(self.err, "{line}").context("cannot write to stderr")?;
                self.summary.problem();
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush().context("cannot write to stdout")?;
        self.err.flush().context("cannot write to stderr")
    }

    fn finish(mut self) -> anyhow::Result<Summary> {
        writeln!(self.err, "{}", serde_json::to_string(&self.summary)?)
            .context("cannot write to stderr")?;
        self.flush()?;
        Ok(self.summary)
    }
}
