//! Pure, I/O-free codecs for the protocols that timing equipment speaks.
//!
//! Everything here works on byte slices and owned values: no sockets, no files, no clock.
//! Callers (the relay, `checkered decode`, the engine's feed adapters) do the I/O and hand
//! bytes in; the codecs hand typed records (and precise errors) back.
//!
//! # Layout
//! - [`p3`]: MyLaps/AMB P3 binary decoder protocol (TCP 5403): streaming framer, escaping,
//!   CRC, typed records, encoder for records and relay commands.
//! - [`rmonitor`]: Orbits RMonitor results feed (TCP 50000), with IMSA and Race Monitor
//!   extensions: CSV-aware tokenizer, typed records, encoder.
//! - [`multiloop`]: MyLaps/Orbits Multiloop feed (0xA6-separated hex fields).
//! - [`capture`]: capture-file formats (RedMist logs, timestamped line logs, PuTTY logs,
//!   hex dumps) that wrap the raw protocol bytes with capture timestamps.
//! - [`contract`]: the `track_ingest.v2` envelope relays post to ingest.
//! - [`cp1252`]: Windows-1252 text decoding and encoding shared by the text protocols.

pub mod capture;
pub mod contract;
pub mod cp1252;
pub mod multiloop;
pub mod p3;
pub mod rmonitor;
