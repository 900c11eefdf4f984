//! The server on the cluster backend: the event log on the machine's NATS JetStream
//! (skipped without it unless `CHECKERED_REQUIRE_SERVICES=1`), each test on its own prefix.

use crate::helpers::Server;
use checkered_cluster::testing::TestLog;
use checkered_store::EventLog;
use std::sync::Arc;

/// The embedded platform's three-track acceptance scenario, unchanged, on JetStream: per
/// track the derived log equals a clean replay, sockets and boards see only their track.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_tracks_stay_apart_on_jetstream() {
    let Some(test) = TestLog::connect().await else {
        return;
    };
    let log: Arc<dyn EventLog> = Arc::new(test.log.clone());
    let server = Server::start_on_log(log).await;
    crate::isolation::three_tracks_stay_apart(&server).await;
    server.stop().await;
}
