//! The ingest peer: the same envelopes published straight to NATS JetStream (a file
//! stream with a unique name, deleted at the end) with async-nats, each with its
//! idempotency key as `Nats-Msg-Id`, by as many concurrent publishers as the server had
//! relays, each publishing a batch and then awaiting every acknowledgement of it (one
//! "request"). Skipped, with the reason in the report, when NATS is unreachable.

use super::ingest::{IngestArgs, Throughput};
use super::progress::Progress;
use super::stats::round;
use super::workload::{self, Feed, Relay};
use anyhow::Context;
use async_nats::jetstream::{self, context::ContextBuilder, stream};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Adds `peer_nats_*` figures and the ratio to `report`, or `peer_nats_skipped`.
pub async fn compare(report: &mut Value, args: &IngestArgs, ours: f64, progress: bool) {
    if args.nats == "none" {
        report["peer_nats_skipped"] = "--nats none".into();
        return;
    }
    let mut shown = Progress::new(progress);
    shown.update(|| "ingest: now the same batches to NATS JetStream".to_owned());
    match publish_for(args).await {
        Ok(mut theirs) => {
            let p = theirs.latencies.percentiles();
            report["peer_nats_events_per_s"] = round(theirs.rate(), 0).into();
            report["peer_nats_p50_ms"] = p.p50_ms.into();
            report["peer_nats_p99_ms"] = p.p99_ms.into();
            report["ratio_vs_nats"] = round(ours / theirs.rate().max(1e-9), 3).into();
        }
        Err(e) => report["peer_nats_skipped"] = format!("{e:#}").into(),
    }
    shown.finish();
}

async fn publish_for(args: &IngestArgs) -> anyhow::Result<Throughput> {
    let client = tokio::time::timeout(Duration::from_secs(3), async_nats::connect(&args.nats))
        .await
        .map_err(|_| anyhow::anyhow!("NATS at {} did not answer within 3 s", args.nats))?
        .with_context(|| format!("cannot connect to NATS at {}", args.nats))?;
    let js = ContextBuilder::new()
        .max_ack_inflight(1_000_000)
        .backpressure_on_inflight(true)
        .build(client);
    let name = format!("CHECKERED_BENCH_{}", ulid::Ulid::new());
    js.create_stream(stream::Config {
        name: name.clone(),
        subjects: vec![format!("{name}.>")],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .context("cannot create the JetStream stream (is JetStream enabled?)")?;
    let result = publish_into(&js, &name, args).await;
    if let Err(e) = js.delete_stream(&name).await {
        tracing::warn!(stream = %name, error = %e, "cannot delete the benchmark stream");
    }
    result
}

async fn publish_into(
    js: &jetstream::Context,
    name: &str,
    args: &IngestArgs,
) -> anyhow::Result<Throughput> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.duration);
    let tasks: Vec<_> = workload::track_ids(args.connections)
        .into_iter()
        .enumerate()
        .map(|(i, track)| {
            let (js, subject, batch) = (js.clone(), format!("{name}.{track}"), args.batch);
            tokio::spawn(async move {
                let mut feed = Feed::new(i as u64 + 1);
                let mut relay = Relay::new(&track, "bench-ingest");
                let mut out = Throughput::default();
                while Instant::now() < deadline {
                    let captured = workload::now_us();
                    let sent = Instant::now();
                    let mut acks = Vec::with_capacity(batch);
                    for _ in 0..batch {
                        let (key, envelope) = relay.envelope(&feed.next_payload(), captured);
                        let message = jetstream::message::PublishMessage::build()
                            .payload(bytes::Bytes::from(envelope))
                            .message_id(key);
                        acks.push(js.send_publish(subject.clone(), message).await?);
                    }
                    for ack in acks {
                        ack.await?;
                    }
                    out.latencies.push(sent.elapsed());
                    out.events += batch as u64;
                }
                anyhow::Ok(out)
            })
        })
        .collect();
    let mut total = Throughput::default();
    for task in tasks {
        let part = task.await.context("a publisher task failed")??;
        total.events += part.events;
        total.latencies.merge(part.latencies);
    }
    total.seconds = started.elapsed().as_secs_f64();
    Ok(total)
}
