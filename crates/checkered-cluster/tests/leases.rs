//! Track leases on the machine's NATS: one owner at a time, CAS renewal, expiry.

mod common;

use checkered_cluster::Leases;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_owner_at_a_time_and_expired_leases_are_taken_over() {
    let Some(test) = common::jetstream_log().await else {
        return;
    };
    let js = test.log.context();
    let ttl = Duration::from_secs(2);
    let a = Leases::open(js, test.log.names(), "worker-a", ttl, 1)
        .await
        .expect("a");
    let b = Leases::open(js, test.log.names(), "worker-b", ttl, 1)
        .await
        .expect("b");

    let lease = a.try_claim("sebring").await.expect("claim").expect("free");
    assert_eq!(
        b.try_claim("sebring").await.expect("claim"),
        None,
        "held by a"
    );
    assert_eq!(
        b.owner("sebring").await.expect("owner").as_deref(),
        Some("worker-a")
    );
    let renewed = a
        .renew("sebring", lease)
        .await
        .expect("renew")
        .expect("still a's");
    assert_eq!(
        a.renew("sebring", lease).await.expect("stale"),
        None,
        "old revision refused"
    );

    // a stops renewing (as if killed): the lease expires and b takes it.
    let started = Instant::now();
    let taken = loop {
        if let Some(l) = b.try_claim("sebring").await.expect("claim") {
            break l;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "lease never expired"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        a.renew("sebring", renewed).await.expect("renew"),
        None,
        "a lost it"
    );
    assert_eq!(
        b.owner("sebring").await.expect("owner").as_deref(),
        Some("worker-b")
    );
    b.release("sebring", taken).await.expect("release");
    assert_eq!(a.owner("sebring").await.expect("owner"), None);

    a.heartbeat().await.expect("hb");
    b.heartbeat().await.expect("hb");
    assert_eq!(a.live_workers().await.expect("workers"), 2);
}
