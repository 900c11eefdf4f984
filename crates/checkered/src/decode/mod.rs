//! `checkered decode`: any supported capture or live stream to JSON lines.
//!
//! Every decoded message becomes one JSON object on stdout:
//! `{"offset":…,"captured_at":…,"type":"PASSING",…fields}`. Every problem goes to stderr as
//! `{"error":…,"offset":…}`, and a one-line summary with counts per type ends stderr. Bad
//! frames never stop the run: the exit status is non-zero only if the input could not be
//! read (or the arguments make no sense).
//!
//! Raw protocol streams (`p3`, `rmonitor`, `multiloop` without `--timestamps`) are decoded
//! as they arrive and stdout is flushed after every read, so a live feed piped in shows at
//! once. Capture files that wrap the protocol (PuTTY logs, hex dumps, timestamped lines,
//! RedMist logs) are read whole and split by `checkered_protocol::capture`.
//!
//! # Layout
//! - this file: [`run_cli`], [`run`], the choice between streaming and whole captures,
//!   and the JSON-lines writer.
//! - [`stream`]: per-protocol streaming decoders yielding one [`stream::Item`] type.
//! - [`capture`]: whole capture files, piece by piece, with capture times.
//! - [`summary`]: the counts printed at the end.

pub mod capture;
pub mod stream;
pub mod summary;

use crate::cli::{DecodeArgs, InputFormat};
use crate::timefmt::rfc3339_us;
use anyhow::{Context, bail};
use capture::{Wrapper, decode_capture};
use std::io::{BufWriter, Read, Write};
use std::process::ExitCode;
use stream::{Item, Protocol, decoder};
use summary::Summary;

/// How much of a stream is read at a time when decoding as it arrives.
const CHUNK: usize = 64 * 1024;
/// The PuTTY log header that precedes raw bytes in a PuTTY binary log.
const PUTTY_MARK: &[u8] = checkered_protocol::capture::PUTTY_HEADER_PREFIX;

/// Runs `checkered decode` on real stdin/stdout/stderr.
pub fn run_cli(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(args.format, args.timestamps)?;
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
    match run_plan(plan, input, stdout, stderr) {
        Ok(_) => Ok(ExitCode::SUCCESS),
        // A reader that went away (`checkered decode … | head`) is not a failure.
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        Err(e) if args.input.as_os_str() != "-" => {
            Err(e.context(format!("while decoding {}", args.input.display())))
        }
        Err(e) => Err(e),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// What a run does with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Decode as the bytes arrive; a P3 stream that turns out to be a PuTTY log is read
    /// whole instead.
    Stream(Protocol),
    /// Read the whole capture and split it.
    Whole(Wrapper),
}

fn plan(format: InputFormat, timestamps: bool) -> anyhow::Result<Plan> {
    Ok(match (format, timestamps) {
        (InputFormat::P3, false) => Plan::Stream(Protocol::P3),
        (InputFormat::P3, true) => bail!(
            "--timestamps does not apply to raw P3 bytes; a hex dump with a capture time \
             before each frame is --format p3-hex"
        ),
        // Hex-dump lines may start with a time anyway; the flag changes nothing.
        (InputFormat::P3Hex, _) => Plan::Whole(Wrapper::P3Hex),
        (InputFormat::Rmonitor, false) => Plan::Stream(Protocol::Rmonitor),
        (InputFormat::Rmonitor, true) => Plan::Whole(Wrapper::Timestamped(Protocol::Rmonitor)),
        (InputFormat::Multiloop, false) => Plan::Stream(Protocol::Multiloop),
        (InputFormat::Multiloop, true) => Plan::Whole(Wrapper::Timestamped(Protocol::Multiloop)),
        (InputFormat::RedmistLog, false) => Plan::Whole(Wrapper::Redmist),
        (InputFormat::RedmistLog, true) => bail!(
            "--timestamps does not apply to a RedMist log: its ## headers carry the capture times"
        ),
    })
}

/// Decodes `input` and writes messages to `out`, problems and the summary to `err`.
pub fn run(
    format: InputFormat,
    timestamps: bool,
    input: impl Read,
    out: impl Write,
    err: impl Write,
) -> anyhow::Result<Summary> {
    run_plan(plan(format, timestamps)?, input, out, err)
}

fn run_plan(
    plan: Plan,
    mut input: impl Read,
    out: impl Write,
    err: impl Write,
) -> anyhow::Result<Summary> {
    let mut writer = Writer {
        out: BufWriter::new(out),
        err: BufWriter::new(err),
        summary: Summary::default(),
    };
    match plan {
        Plan::Stream(Protocol::P3) => {
            // Only as much as it takes to tell a PuTTY log from raw bytes: a live decoder
            // sends a frame at a time and must not wait for a buffer to fill.
            let head = read_while_prefix(&mut input, PUTTY_MARK)?;
            if head.starts_with(PUTTY_MARK) {
                let all = read_rest(head, &mut input)?;
                decode_capture(Wrapper::Putty, &all, &mut writer)?;
            } else {
                stream(Protocol::P3, &head, input, &mut writer)?;
            }
        }
        Plan::Stream(protocol) => stream(protocol, &[], input, &mut writer)?,
        Plan::Whole(wrapper) => {
            let all = read_rest(Vec::new(), &mut input)?;
            decode_capture(wrapper, &all, &mut writer)?;
        }
    }
    writer.finish()
}

/// Reads until the bytes so far stop matching `prefix`, the whole prefix has arrived, or
/// the input ends; returns what was read.
fn read_while_prefix(input: &mut impl Read, prefix: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut head = vec![0u8; prefix.len()];
    let mut filled = 0;
    while filled < head.len() && head.get(..filled) == prefix.get(..filled) {
        let rest = head.get_mut(filled..).unwrap_or_default();
        match input.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("cannot read the input"),
        }
    }
    head.truncate(filled);
    Ok(head)
}

fn read_rest(mut head: Vec<u8>, input: &mut impl Read) -> anyhow::Result<Vec<u8>> {
    input
        .read_to_end(&mut head)
        .context("cannot read the input")?;
    Ok(head)
}

/// Decodes a raw protocol stream as it arrives, flushing after every read so a live feed
/// piped in (`nc decoder 5403 | checkered decode --format p3 -`) shows at once.
fn stream<W: Write, E: Write>(
    protocol: Protocol,
    first: &[u8],
    mut input: impl Read,
    writer: &mut Writer<W, E>,
) -> anyhow::Result<()> {
    let place = Place::default();
    let mut decoder = decoder(protocol);
    let mut items = Vec::new();
    decoder.push(first, &mut items);
    writer.items(&mut items, &place)?;
    // The first read can hold a whole frame (a STATUS fits in the PuTTY check's bytes).
    writer.flush()?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("cannot read the input"),
        };
        decoder.push(buf.get(..n).unwrap_or_default(), &mut items);
        writer.items(&mut items, &place)?;
        writer.flush()?;
    }
    decoder.finish(&mut items);
    writer.items(&mut items, &place)
}

/// Where a batch of items sits: the stream's offset in the file, its capture time and,
/// for RedMist logs, which feed (protocol) it came from.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    base: u64,
    captured_at_us: Option<i64>,
    feed: Option<&'static str>,
}

/// Writes items as JSON lines and counts them.
struct Writer<W: Write, E: Write> {
    out: BufWriter<W>,
    err: BufWriter<E>,
    summary: Summary,
}

impl<W: Write, E: Write> Writer<W, E> {
    /// Writes and drains `items`.
    fn items(&mut self, items: &mut Vec<Item>, place: &Place) -> anyhow::Result<()> {
        for item in items.drain(..) {
            self.item(item, place)?;
        }
        Ok(())
    }

    fn item(&mut self, item: Item, place: &Place) -> anyhow::Result<()> {
        match item {
            Item::Message { offset, kind, json } => {
                let at = place.captured_at_us.map(rfc3339_us);
                let at = at
                    .as_deref()
                    .map_or_else(|| "null".to_owned(), |t| format!("\"{t}\""));
                let feed = place
                    .feed
                    .map(|s| format!(",\"feed\":\"{s}\""))
                    .unwrap_or_default();
                // The record's own object follows the location fields.
                let fields = json.strip_prefix('{').unwrap_or(&json);
                let sep = if fields.starts_with('}') { "" } else { "," };
                writeln!(
                    self.out,
                    "{{\"offset\":{},\"captured_at\":{at}{feed}{sep}{fields}",
                    place.base + offset
                )
                .context("cannot write to stdout")?;
                self.summary.message(&kind, place.feed);
                Ok(())
            }
            Item::Problem { offset, reason } => self.problem(place.base + offset, &reason),
        }
    }

    fn problem(&mut self, offset: u64, reason: &str) -> anyhow::Result<()> {
        let line = serde_json::json!({ "error": reason, "offset": offset });
        writeln!(self.err, "{line}").context("cannot write to stderr")?;
        self.summary.problem();
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush().context("cannot write to stdout")?;
        self.err.flush().context("cannot write to stderr")
    }

    fn finish(mut self) -> anyhow::Result<Summary> {
        // Messages first, so a reader of both streams sees the summary last.
        self.out.flush().context("cannot write to stdout")?;
        writeln!(self.err, "{}", serde_json::to_string(&self.summary)?)
            .context("cannot write to stderr")?;
        self.flush()?;
        Ok(self.summary)
    }
}
