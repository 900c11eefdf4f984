//! P3 decoder records to engine inputs: a PASSING becomes a [`Passing`] input timed by the
//! decoder's RTC clock, on the timing line the track configuration wires to its decoder.
//!
//! # Layout
//! - [`passing_input`]: one PASSING record.
//! - [`record_input`]: any record (only passings concern the engine).

use crate::config::TrackConfig;
use crate::input::{Input, InputKind, Passing};
use checkered_protocol::p3;

/// The input for a P3 PASSING record, or `None` when it lacks a time or a transponder.
///
/// Time is the decoder RTC (µs since the epoch), falling back to the GPS UTC time when a
/// decoder sends only that. The transponder number becomes text (rider chips without a
/// number use their code string). The line is the configured loop wired to the record's
/// decoder; a decoder the configuration does not know keeps a `decoder:<id>` line, which a
/// single-loop track scores as start/finish and a multi-loop track counts as unknown.
pub fn passing_input(config: &TrackConfig, passing: &p3::Passing) -> Option<Input> {
    let time = passing.rtc_time_us.or(passing.utc_time_us)?;
    let at_us = i64::try_from(time).ok()?;
    let transponder = match (passing.transponder, &passing.tran_code) {
        (Some(t), _) => t.to_string(),
        (None, Some(code)) if !code.is_empty() => code.clone(),
        _ => return None,
    };
    let line = match passing.decoder_id {
        Some(id) => config
            .line_for_decoder(id)
            .map_or_else(|| format!("decoder:{id:08x}"), str::to_owned),
        None => String::new(),
    };
    Some(Input {
        at_us,
        kind: InputKind::Passing(Passing {
            transponder,
            line,
            strength: passing.strength,
            hits: passing.hits,
            passing_number: passing.passing_number,
        }),
    })
}

/// The input for any P3 record: passings only; status, version and the rest are decoder
/// health, not timing.
pub fn record_input(config: &TrackConfig, record: &p3::Record) -> Option<Input> {
    match record {
        p3::Record::Passing(passing) => passing_input(config, passing),
        _ => None,
    }
}
