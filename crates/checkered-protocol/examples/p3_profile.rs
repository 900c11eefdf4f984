//! Decodes the kart capture's frames many times; a fixed workload for callgrind.
use checkered_protocol::p3::{Framer, decode_all};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/p3/kart-decoder-2022-05-01.log"
    );
    let bytes = std::fs::read(path).expect("capture");
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut frames = 0u64;
    let mut framer = Framer::new();
    for _ in 0..rounds {
        framer.push(&bytes);
        while let Some(item) = framer.next_frame() {
            frames += u64::from(item.is_ok());
        }
    }
    let _ = decode_all(&[]);
    println!("{frames} frames");
}
