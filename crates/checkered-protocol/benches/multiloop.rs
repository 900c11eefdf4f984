//! Decode throughput benchmark (filled in with its codec).
fn main() {}
