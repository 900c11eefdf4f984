//! One live subscriber: `GET /ws/v1/live?track_id=…`.
//!
//! On connect the client gets a snapshot of the track (or, with `from=<seq>`, every derived
//! event from that `seq` out of the log), then each new event in `seq` order, and a
//! heartbeat every few seconds. Frames come from the track's bounded broadcast ring: a
//! client that falls behind the ring gets an `error` frame with `resync: true` and a fresh
//! snapshot, so a slow reader never makes the server buffer more for it, and never delays
//! anyone else (each client has its own task; a client whose socket stays blocked is
//! dropped after a timeout).

use super::frame::{Frame, FrameKind, Rendered};
use super::params::{self, Format, From, Params};
use crate::http::error::ApiError;
use crate::runtime::TrackRuntime;
use crate::state::AppState;
use axum::Router;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// How long one frame may take to go out before the client is considered dead.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Derived events read from the log per step when resuming.
const RESUME_PAGE: usize = 1_000;
/// Largest message a client may send (clients only send small control messages).
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;
/// Most frames written to a client before one flush.
const FLUSH_BATCH: usize = 64;
/// Read buffer per connection: clients only send small control messages, and thousands
/// of connections with tungstenite's default 128 KiB would cost more than the rest of
/// the connection together.
const READ_BUFFER: usize = 4 * 1024;

/// The live route.
pub fn router() -> Router<AppState> {
    Router::new().route("/ws/v1/live", get(upgrade))
}

#[utoipa::path(get, path = "/ws/v1/live", tag = "live", params(("track_id" = String, Query, description = "Track to follow (required)"), ("event_id" = Option<String>, Query, description = "Event (meeting) scope"), ("channels" = Option<String>, Query, description = "Comma list: race,decoder,telemetry,commentary,predictions,alerts (default race)"), ("from" = Option<String>, Query, description = "`now` (snapshot first) or a derived seq to resume from"), ("format" = Option<String>, Query, description = "`json` (default) or `msgpack`")), responses((status = 101, description = "WebSocket: frames {kind, channel, track_id, event_id, seq, ts_us, payload}"), (status = 400, description = "Bad subscription or not an upgrade", body = crate::http::error::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Unknown track", body = crate::http::error::ProblemDoc, content_type = "application/problem+json")))]
async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let params = params::parse(&query).map_err(ApiError::BadRequest)?;
    let track = state
        .registry
        .get(&params.track_id)
        .ok_or_else(|| ApiError::NotFound(format!("unknown track {:?}", params.track_id)))?;
    let ws = ws.map_err(|e| {
        ApiError::BadRequest(format!("this endpoint needs a WebSocket upgrade: {e}"))
    })?;
    let heartbeat = state.config.heartbeat;
    Ok(ws
        .max_message_size(MAX_CLIENT_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| async move {
            metrics::gauge!("checkered_ws_clients").increment(1.0);
            let mut client = Client {
                params,
                track,
                state,
                last_race: 0,
            };
            if let Err(reason) = client.serve(socket, heartbeat).await {
                tracing::debug!(track = %client.params.track_id, %reason, "live client left");
            }
            metrics::gauge!("checkered_ws_clients").decrement(1.0);
        })
        .into_response())
}

struct Client {
    params: Params,
    track: Arc<TrackRuntime>,
    state: AppState,
    /// Highest `race` seq sent.
    last_race: u64,
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

impl Client {
    async fn serve(&mut self, socket: WebSocket, heartbeat: Duration) -> Result<(), String> {
        let (mut sink, mut stream) = socket.split();
        // Subscribe before reading any state, so nothing published meanwhile is missed.
        let mut rx = self.track.subscribe();
        match self.params.from {
            From::Now => self.send_snapshot(&mut sink).await?,
            From::Seq(seq) => self.resume(&mut sink, seq).await?,
        }
        let mut ticker = tokio::time::interval(heartbeat);
        ticker.tick().await;
        let mut shutdown = self.state.shutdown.clone();
        loop {
            tokio::select! {
                received = rx.recv() => match received {
                    Ok(frame) => self.forward_ready(&mut sink, &mut rx, &frame).await?,
                    Err(RecvError::Lagged(skipped)) => self.resync(&mut sink, skipped).await?,
                    Err(RecvError::Closed) => return Ok(()),
                },
                _ = ticker.tick() => {
                    let payload = json!({"lag": self.track.lag()});
                    self.send_single(&mut sink, FrameKind::Heartbeat, None, &payload).await?;
                }
                message = stream.next() => match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Text(text))) => self.on_client_text(&mut sink, text.as_str()).await?,
                    Some(Ok(Message::Binary(_))) => {
                        let payload = json!({
                            "reason": "unsupported_message",
                            "detail": "binary client messages are not understood; send JSON text like {\"op\":\"ping\"}",
                            "resync": false,
                        });
                        self.send_single(&mut sink, FrameKind::Error, None, &payload).await?;
                    }
                },
                _ = shutdown.changed() => {
                    let _ = sink.send(Message::Close(None)).await;
                    return Ok(());
                }
            }
        }
    }

    /// Clients only ever send `{"op":"ping"}` (answered with a heartbeat); anything else
    /// gets an error frame and the subscription carries on.
    async fn on_client_text(&mut self, sink: &mut Sink, text: &str) -> Result<(), String> {
        let op = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("op").and_then(Value::as_str).map(str::to_owned));
        if op.as_deref() == Some("ping") {
            let payload = json!({"lag": self.track.lag()});
            return self
                .send_single(sink, FrameKind::Heartbeat, None, &payload)
                .await;
        }
        let payload = json!({
            "reason": "unsupported_message",
            "detail": "client messages must be JSON like {\"op\":\"ping\"}; the subscription is set by the URL",
            "resync": false,
        });
        self.send_single(sink, FrameKind::Error, None, &payload)
            .await
    }

    /// Sends `first` and every frame already waiting behind it (up to [`FLUSH_BATCH`]) with
    /// one flush: the engine publishes the derived events of a step together, so this
    /// saves a write system call and a wake-up per frame.
    async fn forward_ready(
        &mut self,
        sink: &mut Sink,
        rx: &mut broadcast::Receiver<Arc<Rendered>>,
        first: &Rendered,
    ) -> Result<(), String> {
        let mut sent = Vec::with_capacity(4);
        if self.queue(sink, first).await? {
            sent.push(first.published_at);
        }
        let mut lagged = None;
        while sent.len() < FLUSH_BATCH {
            match rx.try_recv() {
                Ok(frame) => {
                    if self.queue(sink, &frame).await? {
                        sent.push(frame.published_at);
                    }
                }
                Err(TryRecvError::Lagged(skipped)) => {
                    lagged = Some(skipped);
                    break;
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        self.flush(sink).await?;
        let delay = metrics::histogram!("checkered_ws_send_delay_seconds");
        for published in sent {
            delay.record(published.elapsed().as_secs_f64());
        }
        match lagged {
            Some(skipped) => self.resync(sink, skipped).await,
            None => Ok(()),
        }
    }

    /// Queues a frame for this client if it wants it; true if queued.
    async fn queue(&mut self, sink: &mut Sink, frame: &Rendered) -> Result<bool, String> {
        if !self.params.channels.contains(&frame.channel) {
            return Ok(false);
        }
        if frame.channel == "race" {
            if frame.seq <= self.last_race {
                return Ok(false);
            }
            self.last_race = frame.seq;
        }
        let message = self.message(frame);
        within_timeout(sink.feed(message)).await?;
        Ok(true)
    }

    /// Tells a client that fell behind the ring, then sends a fresh snapshot.
    async fn resync(&mut self, sink: &mut Sink, skipped: u64) -> Result<(), String> {
        metrics::counter!("checkered_ws_resyncs_total").increment(1);
        let payload = json!({
            "reason": "lagged",
            "detail": format!("this client fell {skipped} frames behind; a fresh snapshot follows"),
            "resync": true,
        });
        self.send_single(sink, FrameKind::Error, None, &payload)
            .await?;
        self.send_snapshot(sink).await
    }

    /// Sends every derived event from `seq` out of the log, then carries on live.
    async fn resume(&mut self, sink: &mut Sink, seq: u64) -> Result<(), String> {
        let log = self.state.log.clone();
        let track = self.params.track_id.clone();
        let mut after = seq - 1;
        let mut first = true;
        loop {
            let rows = log
                .read_derived(&track, after, RESUME_PAGE)
                .await
                .map_err(|e| format!("cannot read the derived log: {e}"))?;
            if first {
                first = false;
                // Retention may have removed the start of the requested range.
                let missing = match rows.first() {
                    Some(row) => row.seq > seq,
                    None => *self.track.published().borrow() >= seq,
                };
                if missing {
                    let payload = json!({
                        "reason": "gone",
                        "detail": format!("events from seq {seq} are no longer kept; a fresh snapshot follows"),
                        "resync": true,
                    });
                    self.send_single(sink, FrameKind::Error, None, &payload)
                        .await?;
                    return self.send_snapshot(sink).await;
                }
            }
            let Some(last) = rows.last().map(|r| r.seq) else {
                break;
            };
            for row in rows {
                if !self.params.channels.contains(&"race") {
                    continue;
                }
                let payload: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
                let ts_us = payload["ts_us"].as_i64().unwrap_or(row.ts_us);
                let frame = Rendered::event("race", &track, row.seq, ts_us, payload);
                self.send(sink, &frame).await?;
            }
            self.last_race = last;
            after = last;
        }
        Ok(())
    }

    async fn send_snapshot(&mut self, sink: &mut Sink) -> Result<(), String> {
        let (payload, seq, ts_us) = {
            let engine = self.track.engine();
            let payload = json!({
                "standings": engine.standings(),
                "sessions": engine.sessions(),
            });
            (payload, engine.seq(), engine.now_us().unwrap_or(0))
        };
        let frame = Frame {
            kind: FrameKind::Snapshot,
            channel: Some("race"),
            track_id: &self.params.track_id,
            event_id: self.params.event_id.as_deref(),
            seq,
            ts_us,
            captured_at_us: None,
            payload: &payload,
        };
        self.send(sink, &Rendered::single(&frame)).await?;
        self.last_race = seq;
        Ok(())
    }

    async fn send_single(
        &mut self,
        sink: &mut Sink,
        kind: FrameKind,
        channel: Option<&str>,
        payload: &Value,
    ) -> Result<(), String> {
        let frame = Frame {
            kind,
            channel,
            track_id: &self.params.track_id,
            event_id: self.params.event_id.as_deref(),
            seq: self.last_race,
            ts_us: crate::clock::now_us(),
            captured_at_us: None,
            payload,
        };
        self.send(sink, &Rendered::single(&frame)).await
    }

    async fn send(&self, sink: &mut Sink, frame: &Rendered) -> Result<(), String> {
        within_timeout(sink.send(self.message(frame))).await
    }

    async fn flush(&self, sink: &mut Sink) -> Result<(), String> {
        within_timeout(sink.flush()).await
    }

    /// The frame in this client's format; the buffer is shared, not copied.
    fn message(&self, frame: &Rendered) -> Message {
        match self.params.format {
            Format::Json => Message::Text(frame.json_text()),
            Format::Msgpack => Message::Binary(frame.msgpack()),
        }
    }
}

/// A write to the client, given up (and the client dropped) after [`SEND_TIMEOUT`].
async fn within_timeout(
    write: impl std::future::Future<Output = Result<(), axum::Error>>,
) -> Result<(), String> {
    match tokio::time::timeout(SEND_TIMEOUT, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("send failed: {e}")),
        Err(_) => {
            metrics::counter!("checkered_ws_dropped_slow_total").increment(1);
            Err("the client did not read for too long".into())
        }
    }
}
