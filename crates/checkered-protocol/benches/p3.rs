//! P3 decode throughput on a realistic stream: the kart decoder capture's frames
//! (passings and statuses, with escaped bytes) repeated to about 1 MB, fed in 1460-byte
//! TCP-sized reads.

use checkered_protocol::p3::{Framer, decode_all};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const CAPTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/p3/kart-decoder-2022-05-01.log"
);

fn stream() -> (Vec<u8>, u64) {
    let bytes = std::fs::read(CAPTURE).expect("capture");
    let start = bytes.iter().position(|&b| b == 0x8e).expect("a frame");
    let good: Vec<u8> = decode_all(&bytes[start..])
        .into_iter()
        .flatten()
        .flat_map(|d| {
            bytes[start + d.offset as usize..start + d.offset as usize + d.wire_len].to_vec()
        })
        .collect();
    let frames_per_copy = decode_all(&good).len() as u64;
    let copies = (1 << 20) / good.len();
    (good.repeat(copies), frames_per_copy * copies as u64)
}

fn bench(c: &mut Criterion) {
    let (bytes, frames) = stream();
    let mut group = c.benchmark_group("p3");
    group.throughput(Throughput::Elements(frames));
    group.bench_function("decode_frames", |b| {
        b.iter(|| {
            let mut framer = Framer::new();
            let mut n = 0u64;
            for chunk in bytes.chunks(1460) {
                framer.push(chunk);
                while let Some(item) = framer.next_frame() {
                    n += u64::from(item.is_ok());
                }
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
