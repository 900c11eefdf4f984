//! Decode throughput of the RMonitor codec on a realistic stream: the IMSA Sebring 2009
//! capture repeated to about 8 MB, fed in 64 KiB chunks as a socket would deliver it.
//! `decode_sebring_8mb` iterates the decoder after each push; `…_push_with` hands records
//! to a closure, decoding whole lines where they lie in the chunk (what `checkered decode`
//! uses). Also measures encoding the decoded records back. Target: >= 200 MB/s per core.

use std::hint::black_box;

use checkered_protocol::rmonitor::{Decoder, encode_line};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SEBRING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rmonitor/imsa-sebring-2009-session4.txt"
);
const TARGET_BYTES: usize = 8 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

fn stream() -> Vec<u8> {
    let capture = std::fs::read(SEBRING).unwrap_or_else(|e| panic!("{SEBRING}: {e}"));
    let mut out = Vec::with_capacity(TARGET_BYTES + capture.len());
    while out.len() < TARGET_BYTES {
        out.extend_from_slice(&capture);
    }
    out
}

fn decode_all(stream: &[u8]) -> usize {
    let mut dec = Decoder::default();
    let mut records = 0;
    for chunk in stream.chunks(CHUNK) {
        dec.push(chunk);
        for located in dec.by_ref() {
            records += usize::from(black_box(located.result).is_ok());
        }
    }
    dec.finish();
    records + dec.count()
}

/// The same through [`Decoder::push_with`], which decodes whole lines in place.
fn decode_all_with(stream: &[u8]) -> usize {
    let mut dec = Decoder::default();
    let mut records = 0;
    for chunk in stream.chunks(CHUNK) {
        dec.push_with(chunk, |located| {
            records += usize::from(black_box(located.result).is_ok());
        });
    }
    dec.finish();
    records + dec.count()
}

fn bench(c: &mut Criterion) {
    let stream = stream();
    let mut group = c.benchmark_group("rmonitor");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.sample_size(20);
    group.bench_function("decode_sebring_8mb", |b| {
        b.iter(|| decode_all(black_box(&stream)))
    });
    group.bench_function("decode_sebring_8mb_push_with", |b| {
        b.iter(|| decode_all_with(black_box(&stream)))
    });

    let mut dec = Decoder::default();
    dec.push(&stream);
    dec.finish();
    let records: Vec<_> = dec.filter_map(|l| l.result.ok()).collect();
    let mut out = Vec::with_capacity(stream.len());
    group.bench_function("encode_sebring_8mb", |b| {
        b.iter(|| {
            out.clear();
            for rec in &records {
                encode_line(black_box(rec), &mut out);
            }
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
