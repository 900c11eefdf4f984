//! Per-record field order: decoding from a [`FieldReader`] and encoding to a
//! [`FieldWriter`]. Each pair lists the fields in the same order, so the two directions are
//! easy to check against each other and against the protocol table.
//!
//! # Layout
//! - `decode_record`: dispatch on the command, then one `decode_*` per record.
//! - `encode_record`: one `encode_*` per record.

use super::error::MultiloopError;
use super::field::{FieldReader, FieldWriter};
use super::record::*;
use super::status::{CrossingSource, CrossingStatus, LapStatus, RunType, TrackStatus};

type Result<T> = std::result::Result<T, MultiloopError>;

/// Decodes the record fields (position 4 on) of a command.
pub(crate) fn decode_record(command: &[u8], r: &mut FieldReader<'_>) -> Result<Record> {
    Ok(match command {
        b"H" => Record::Heartbeat(decode_heartbeat(r)?),
        b"E" => Record::Entry(decode_entry(r)?),
        b"C" => Record::CompletedLap(decode_completed_lap(r)?),
        b"S" => Record::CompletedSection(decode_section(r)?),
        b"L" => Record::LineCrossing(decode_crossing(r)?),
        b"I" => Record::InvalidatedLap(decode_invalidated(r)?),
        b"F" => Record::FlagInfo(decode_flag(r)?),
        b"N" => Record::NewLeader(decode_leader(r)?),
        b"R" => Record::RunInfo(decode_run(r)?),
        b"T" => Record::TrackInfo(decode_track(r)?),
        b"A" => Record::Announcement(decode_announcement(r)?),
        b"V" => Record::Version(decode_version(r)?),
        other => Record::Unknown(Unknown {
            command: crate::cp1252::decode(other),
            fields: r.rest(),
        }),
    })
}

/// Encodes the record fields (position 4 on).
pub(crate) fn encode_record(record: &Record, w: &mut FieldWriter<'_>) {
    match record {
        Record::Heartbeat(h) => encode_heartbeat(h, w),
        Record::Entry(e) => encode_entry(e, w),
        Record::CompletedLap(c) => encode_completed_lap(c, w),
        Record::CompletedSection(s) => encode_section(s, w),
        Record::LineCrossing(l) => encode_crossing(l, w),
        Record::InvalidatedLap(i) => encode_invalidated(i, w),
        Record::FlagInfo(f) => encode_flag(f, w),
        Record::NewLeader(n) => encode_leader(n, w),
        Record::RunInfo(r) => encode_run(r, w),
        Record::TrackInfo(t) => encode_track(t, w),
        Record::Announcement(a) => encode_announcement(a, w),
        Record::Version(v) => encode_version(v, w),
        Record::Unknown(u) => w.texts(&u.fields),
    }
}

fn track_status(r: &mut FieldReader<'_>) -> Result<TrackStatus> {
    Ok(TrackStatus::from_code(&r.text("track status")?))
}

fn decode_heartbeat(r: &mut FieldReader<'_>) -> Result<Heartbeat> {
    Ok(Heartbeat {
        track_status: track_status(r)?,
        time_unix_s: r.hex("time/date")?,
        elapsed_ms: r.hex("elapsed time")?,
        laps_to_go: r.hex("laps to go")?,
        time_to_go_ms: r.hex("time to go")?,
        extra: r.rest(),
    })
}

fn encode_heartbeat(h: &Heartbeat, w: &mut FieldWriter<'_>) {
    w.text(h.track_status.code());
    w.hex(h.time_unix_s);
    w.hex(h.elapsed_ms);
    w.hex(h.laps_to_go);
    w.hex(h.time_to_go_ms);
    w.texts(&h.extra);
}

fn decode_entry(r: &mut FieldReader<'_>) -> Result<Entry> {
    let number = r.text("number")?;
    let unique_id = r.hex("unique identifier")?;
    let driver_name = r.text("driver name")?;
    let start_position = r.hex("start position")?;
    let count = r.hex_required("field count")?;
    let n = r.check_count("field count", count, 1)?;
    let mut fields = Vec::with_capacity(n);
    for _ in 0..n {
        fields.push(r.text("entry field")?);
    }
    Ok(Entry {
        number,
        unique_id,
        driver_name,
        start_position,
        fields,
        competitor_id: r.hex("competitor identifier")?,
        extra: r.rest(),
    })
}

fn encode_entry(e: &Entry, w: &mut FieldWriter<'_>) {
    w.text(&e.number);
    w.hex(e.unique_id);
    w.text(&e.driver_name);
    w.hex(e.start_position);
    w.hex(Some(e.fields.len() as u64));
    w.texts(&e.fields);
    w.hex(e.competitor_id);
    w.texts(&e.extra);
}

fn decode_completed_lap(r: &mut FieldReader<'_>) -> Result<CompletedLap> {
    Ok(CompletedLap {
        rank: r.hex("rank")?,
        number: r.text("number")?,
        unique_id: r.hex("unique identifier")?,
        completed_laps: r.hex("completed laps")?,
        elapsed_ms: r.hex("elapsed time")?,
        last_lap_ms: r.hex("last lap time")?,
        lap_status: LapStatus::from_code(&r.text("lap status")?),
        fastest_lap_ms: r.hex("fastest lap time")?,
        fastest_lap: r.hex("fastest lap")?,
        behind_leader_ms: r.hex("time behind leader")?,
        laps_behind_leader: r.hex("laps behind leader")?,
        behind_preceding_ms: r.hex("time behind preceding")?,
        laps_behind_preceding: r.hex("laps behind preceding")?,
        overall_rank: r.hex("overall rank")?,
        overall_best_lap_ms: r.hex("overall best lap time")?,
        current_status: r.text("current status")?,
        track_status: track_status(r)?,
        pit_stops: r.hex("pit stop count")?,
        last_lap_pitted: r.hex("last lap pitted")?,
        start_position: r.hex("start position")?,
        laps_led: r.hex("laps led")?,
        extra: r.rest(),
    })
}

fn encode_completed_lap(c: &CompletedLap, w: &mut FieldWriter<'_>) {
    w.hex(c.rank);
    w.text(&c.number);
    w.hex(c.unique_id);
    w.hex(c.completed_laps);
    w.hex(c.elapsed_ms);
    w.hex(c.last_lap_ms);
    w.text(c.lap_status.code());
    w.hex(c.fastest_lap_ms);
    w.hex(c.fastest_lap);
    w.hex(c.behind_leader_ms);
    w.hex(c.laps_behind_leader);
    w.hex(c.behind_preceding_ms);
    w.hex(c.laps_behind_preceding);
    w.hex(c.overall_rank);
    w.hex(c.overall_best_lap_ms);
    w.text(&c.current_status);
    w.text(c.track_status.code());
    w.hex(c.pit_stops);
    w.hex(c.last_lap_pitted);
    w.hex(c.start_position);
    w.hex(c.laps_led);
    w.texts(&c.extra);
}

fn decode_section(r: &mut FieldReader<'_>) -> Result<CompletedSection> {
    Ok(CompletedSection {
        number: r.text("number")?,
        unique_id: r.hex("unique identifier")?,
        section: r.text("section identifier")?,
        elapsed_ms: r.hex("elapsed time")?,
        section_ms: r.hex("last section time")?,
        last_lap: r.hex("last lap")?,
        extra: r.rest(),
    })
}

fn encode_section(s: &CompletedSection, w: &mut FieldWriter<'_>) {
    w.text(&s.number);
    w.hex(s.unique_id);
    w.text(&s.section);
    w.hex(s.elapsed_ms);
    w.hex(s.section_ms);
    w.hex(s.last_lap);
    w.texts(&s.extra);
}

fn decode_crossing(r: &mut FieldReader<'_>) -> Result<LineCrossing> {
    Ok(LineCrossing {
        number: r.text("number")?,
        unique_id: r.hex("unique identifier")?,
        timeline: r.text("timeline")?,
        source: CrossingSource::from_code(&r.text("source")?),
        elapsed_ms: r.hex("elapsed time")?,
        track_status: track_status(r)?,
        crossing_status: CrossingStatus::from_code(&r.text("crossing status")?),
        extra: r.rest(),
    })
}

fn encode_crossing(l: &LineCrossing, w: &mut FieldWriter<'_>) {
    w.text(&l.number);
    w.hex(l.unique_id);
    w.text(&l.timeline);
    w.text(l.source.code());
    w.hex(l.elapsed_ms);
    w.text(l.track_status.code());
    w.text(l.crossing_status.code());
    w.texts(&l.extra);
}

fn decode_invalidated(r: &mut FieldReader<'_>) -> Result<InvalidatedLap> {
    Ok(InvalidatedLap {
        number: r.text("number")?,
        unique_id: r.hex("unique identifier")?,
        elapsed_ms: r.hex("elapsed time")?,
        extra: r.rest(),
    })
}

fn encode_invalidated(i: &InvalidatedLap, w: &mut FieldWriter<'_>) {
    w.text(&i.number);
    w.hex(i.unique_id);
    w.hex(i.elapsed_ms);
    w.texts(&i.extra);
}

fn decode_flag(r: &mut FieldReader<'_>) -> Result<FlagInfo> {
    Ok(FlagInfo {
        track_status: track_status(r)?,
        lap: r.hex("lap number")?,
        green_ms: r.hex("green time")?,
        green_laps: r.hex("green laps")?,
        yellow_ms: r.hex("yellow time")?,
        yellow_laps: r.hex("yellow laps")?,
        red_ms: r.hex("red time")?,
        yellow_count: r.hex("number of yellows")?,
        leader: r.text("current leader")?,
        lead_changes: r.hex("lead changes")?,
        average_speed_mph: r.text("average race speed")?,
        extra: r.rest(),
    })
}

fn encode_flag(f: &FlagInfo, w: &mut FieldWriter<'_>) {
    w.text(f.track_status.code());
    w.hex(f.lap);
    w.hex(f.green_ms);
    w.hex(f.green_laps);
    w.hex(f.yellow_ms);
    w.hex(f.yellow_laps);
    w.hex(f.red_ms);
    w.hex(f.yellow_count);
    w.text(&f.leader);
    w.hex(f.lead_changes);
    w.text(&f.average_speed_mph);
    w.texts(&f.extra);
}

fn decode_leader(r: &mut FieldReader<'_>) -> Result<NewLeader> {
    Ok(NewLeader {
        number: r.text("number")?,
        unique_id: r.hex("unique identifier")?,
        lap: r.hex("lap number")?,
        elapsed_ms: r.hex("elapsed time")?,
        lead_change_index: r.hex("lead change index")?,
        extra: r.rest(),
    })
}

fn encode_leader(n: &NewLeader, w: &mut FieldWriter<'_>) {
    w.text(&n.number);
    w.hex(n.unique_id);
    w.hex(n.lap);
    w.hex(n.elapsed_ms);
    w.hex(n.lead_change_index);
    w.texts(&n.extra);
}

fn decode_run(r: &mut FieldReader<'_>) -> Result<RunInfo> {
    Ok(RunInfo {
        event_name: r.text("event name")?,
        event_short_name: r.text("event short name")?,
        run_name: r.text("run name")?,
        run_type: RunType::from_code(&r.text("run type")?),
        start_time_unix_s: r.hex("start time")?,
        extra: r.rest(),
    })
}

fn encode_run(i: &RunInfo, w: &mut FieldWriter<'_>) {
    w.text(&i.event_name);
    w.text(&i.event_short_name);
    w.text(&i.run_name);
    w.text(i.run_type.code());
    w.hex(i.start_time_unix_s);
    w.texts(&i.extra);
}

fn decode_track(r: &mut FieldReader<'_>) -> Result<TrackInfo> {
    let name = r.text("track name")?;
    let venue = r.text("venue")?;
    let length_mi = r.text("length")?;
    let count = r.hex_required("section count")?;
    let n = r.check_count("section count", count, 4)? / 4;
    let mut sections = Vec::with_capacity(n);
    for _ in 0..n {
        sections.push(TrackSection {
            name: r.text("section name")?,
            length_in: r.text("section length")?,
            start_line: r.text("section start")?,
            end_line: r.text("section end")?,
        });
    }
    Ok(TrackInfo {
        name,
        venue,
        length_mi,
        sections,
        extra: r.rest(),
    })
}

fn encode_track(t: &TrackInfo, w: &mut FieldWriter<'_>) {
    w.text(&t.name);
    w.text(&t.venue);
    w.text(&t.length_mi);
    w.hex(Some(t.sections.len() as u64));
    for s in &t.sections {
        w.text(&s.name);
        w.text(&s.length_in);
        w.text(&s.start_line);
        w.text(&s.end_line);
    }
    w.texts(&t.extra);
}

fn decode_announcement(r: &mut FieldReader<'_>) -> Result<Announcement> {
    Ok(Announcement {
        message_number: r.hex("message number")?,
        action: r.text("action")?,
        priority: r.text("priority")?,
        timestamp_unix_s: r.hex("timestamp")?,
        text: r.text("text")?,
        extra: r.rest(),
    })
}

fn encode_announcement(a: &Announcement, w: &mut FieldWriter<'_>) {
    w.hex(a.message_number);
    w.text(&a.action);
    w.text(&a.priority);
    w.hex(a.timestamp_unix_s);
    w.text(&a.text);
    w.texts(&a.extra);
}

fn decode_version(r: &mut FieldReader<'_>) -> Result<Version> {
    Ok(Version {
        major: r.hex("major")?,
        minor: r.hex("minor")?,
        info: r.text("info")?,
        extra: r.rest(),
    })
}

fn encode_version(v: &Version, w: &mut FieldWriter<'_>) {
    w.hex(v.major);
    w.hex(v.minor);
    w.text(&v.info);
    w.texts(&v.extra);
}
