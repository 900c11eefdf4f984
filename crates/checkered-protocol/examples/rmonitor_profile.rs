//! Decodes the IMSA Sebring capture many times in 64 KiB chunks, as the benchmark does; a
//! fixed workload for callgrind (`valgrind --tool=callgrind … rmonitor_profile 6 [with]`).
//! With `with`, records come through `Decoder::push_with` instead of iteration.
use checkered_protocol::rmonitor::Decoder;

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/rmonitor/imsa-sebring-2009-session4.txt"
    );
    let bytes = std::fs::read(path).expect("capture");
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let with = std::env::args().nth(2).as_deref() == Some("with");
    let mut records = 0u64;
    for _ in 0..rounds {
        let mut dec = Decoder::default();
        for chunk in bytes.chunks(64 * 1024) {
            if with {
                dec.push_with(chunk, |l| records += u64::from(l.result.is_ok()));
                continue;
            }
            dec.push(chunk);
            for located in dec.by_ref() {
                records += u64::from(located.result.is_ok());
            }
        }
        dec.finish();
        records += dec.map(|l| u64::from(l.result.is_ok())).sum::<u64>();
    }
    println!("{records} records, {} bytes", bytes.len() * rounds);
}
