//! Deletes every stream and the lease bucket of one prefix (after a benchmark or an
//! experiment on a shared NATS):
//! `cargo run -p checkered-cluster --example delete_prefix -- nats://127.0.0.1:4222 PREFIX`

use checkered_cluster::{JetStreamLog, JetStreamOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(prefix)) = (args.next(), args.next()) else {
        return Err("usage: delete_prefix NATS_URL PREFIX".into());
    };
    let options = JetStreamOptions {
        prefix,
        ..JetStreamOptions::default()
    };
    let log = JetStreamLog::connect(&url, options).await?;
    log.delete_everything().await?;
    println!("deleted");
    Ok(())
}
