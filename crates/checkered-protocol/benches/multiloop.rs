//! Multiloop decode throughput on the synthetic session of `tests/multiloop_synthetic.rs`
//! (about 0.85 MB, every record type): framing plus decoding, and decoding alone.

use checkered_protocol::multiloop::{LineFramer, decode_line};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "../tests/multiloop_synthetic.rs"]
#[allow(dead_code, unused_imports)]
mod synthetic;

fn decode(c: &mut Criterion) {
    let (_, stream) = synthetic::session();
    let lines: Vec<&[u8]> = stream.split_inclusive(|&b| b == b'\n').collect();
    let mut group = c.benchmark_group("multiloop");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("frame_and_decode", |b| {
        b.iter(|| {
            let mut framer = LineFramer::new(64 * 1024);
            let mut ok = 0usize;
            let mut sink = |r: Result<checkered_protocol::multiloop::Line<'_>, _>| {
                if let Ok(line) = r {
                    ok += usize::from(decode_line(line.bytes).is_ok());
                }
            };
            for (i, chunk) in stream.chunks(16 * 1024).enumerate() {
                framer.push((i * 16 * 1024) as u64, chunk, &mut sink);
            }
            framer.finish(&mut sink);
            black_box(ok)
        })
    });
    group.bench_function("decode_lines", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| decode_line(black_box(l)).is_ok())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
