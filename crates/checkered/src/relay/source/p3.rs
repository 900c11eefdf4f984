//! A P3 decoder link: frames checked by LENGTH and CRC (a failed frame is counted and
//! never forwarded), passings gap-healed by RESEND, the decoder clock tracked by GET_TIME.
//!
//! Every valid record is forwarded as the ingest contract says: the decoded frame as JSON
//! (with its `type`), `message_type` = that type. Only duplicate passings (a resend that
//! overlaps what arrived) are dropped, and counted.

use super::link::{Output, Protocol};
use super::report_bad;
use crate::relay::gaps::{Healer, HealerOptions, Step};
use crate::relay::now_us;
use crate::relay::spool::Captured;
use crate::relay::spool::entry::{Resume, decoder_key};
use crate::relay::status::Status;
use checkered_protocol::p3::{self, Frame, FrameErrorKind, Record, Resend};

/// How often the decoder clock is asked for.
const CLOCK_EVERY_MS: u64 = 30_000;

/// The P3 side of a decoder link.
pub struct P3Link {
    framer: p3::Framer,
    healer: Healer,
    status: Status,
    /// When the outstanding GET_TIME was sent (link ms and relay µs).
    clock_query: Option<(u64, i64)>,
    last_clock_ms: Option<u64>,
}

impl P3Link {
    /// A link that continues from where an earlier run stood.
    pub fn new(resume: &Resume, status: Status) -> Self {
        Self::with_options(resume, status, HealerOptions::default())
    }

    /// … with explicit gap-healing tuning.
    pub fn with_options(resume: &Resume, status: Status, options: HealerOptions) -> Self {
        P3Link {
            framer: p3::Framer::new(),
            healer: Healer::new(options, &resume.passings),
            status,
            clock_query: None,
            last_clock_ms: None,
        }
    }

    fn frame(&mut self, frame: Frame, now_ms: u64, out: &mut Output) {
        out.alive = true;
        let arrived_us = now_us();
        if let Record::GetTime(t) = &frame.record {
            self.clock_answer(t.rtc_time_us, arrived_us);
        }
        let payload = match serde_json::to_value(&frame) {
            Ok(v) => v,
            Err(e) => return report_bad(&self.status, self.framer.position(), &e.to_string()),
        };
        let message_type = payload
            .get("type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("UNKNOWN")
            .to_owned();
        let captured = Captured {
            captured_at_us: arrived_us,
            message_type,
            payload,
            src: None,
        };
        match &frame.record {
            Record::Passing(p) if p.passing_number.is_some() => {
                let n = p.passing_number.unwrap_or_default();
                let key = decoder_key(&captured.payload);
                let fp = (n, p.transponder, p.rtc_time_us);
                let step = self.healer.passing(&key, fp, captured, now_ms);
                self.apply(step, out);
            }
            _ => out.messages.push(captured),
        }
    }

    fn clock_answer(&mut self, rtc_us: Option<u64>, arrived_us: i64) {
        let (Some((_, sent_us)), Some(rtc)) = (self.clock_query.take(), rtc_us) else {
            return;
        };
        let Ok(rtc) = i64::try_from(rtc) else {
            return;
        };
        let offset = rtc - (sent_us + arrived_us) / 2;
        self.status.update(|s| s.clock_offset_us = Some(offset));
        tracing::debug!(offset_us = offset, "decoder clock offset");
    }

    fn apply(&mut self, step: Step, out: &mut Output) {
        for (key, from, until) in &step.resend {
            tracing::info!(decoder = %key, from, until, "passing-number gap: asking the decoder to RESEND");
            out.send.extend(resend_frame(key, *from, *until));
        }
        for (key, from, until) in &step.lost {
            tracing::error!(decoder = %key, from, until, "the decoder did not resend these passings; they are lost");
        }
        let lost: u64 = step.lost.iter().map(|(_, f, u)| u64::from(u - f) + 1).sum();
        self.status.update(|s| {
            s.resends += step.resend.len() as u64;
            s.duplicate_passings += step.duplicates;
            s.lost_passings += lost;
        });
        out.messages.extend(step.release);
    }

    fn ask_clock(&mut self, now_ms: u64, out: &mut Vec<u8>) {
        out.extend(p3::command::get_time());
        self.clock_query = Some((now_ms, now_us()));
        self.last_clock_ms = Some(now_ms);
    }
}

/// A RESEND command, addressed to the decoder when its id is known.
fn resend_frame(key: &str, from: u32, until: u32) -> Vec<u8> {
    let record = Record::Resend(Resend {
        from: Some(from),
        until: Some(until),
        decoder_id: key.parse().ok(),
        ..Resend::default()
    });
    let mut wire = Vec::with_capacity(40);
    p3::encode(&Frame::new(record), &mut wire);
    wire
}

impl Protocol for P3Link {
    fn connected(&mut self, now_ms: u64) -> Vec<u8> {
        self.framer = p3::Framer::new();
        let mut hello = Vec::new();
        self.ask_clock(now_ms, &mut hello);
        hello
    }

    fn bytes(&mut self, chunk: &[u8], now_ms: u64, out: &mut Output) {
        self.framer.push(chunk);
        while let Some(next) = self.framer.next_frame() {
            match next {
                Ok(decoded) => self.frame(decoded.frame, now_ms, out),
                Err(e) => self.bad(e, out),
            }
        }
    }

    fn tick(&mut self, now_ms: u64, out: &mut Output) {
        let step = self.healer.tick(now_ms);
        self.apply(step, out);
        if self
            .last_clock_ms
            .is_none_or(|t| now_ms.saturating_sub(t) >= CLOCK_EVERY_MS)
        {
            let mut query = Vec::new();
            self.ask_clock(now_ms, &mut query);
            out.send.extend(query);
        }
    }

    fn disconnected(&mut self, out: &mut Output) {
        if let Some(e) = self.framer.finish() {
            self.bad(e, out);
        }
        self.clock_query = None;
    }

    fn finish(&mut self, out: &mut Output) {
        let step = self.healer.flush();
        self.apply(step, out);
    }
}

impl P3Link {
    fn bad(&mut self, e: p3::FrameError, _out: &mut Output) {
        if let FrameErrorKind::Junk { len } = e.kind {
            self.status.update(|s| s.junk_bytes += len);
        }
        report_bad(&self.status, e.offset, &e.kind.to_string());
    }
}
