//! `checkered simulate`: a live P3 decoder or RMonitor results feed over real TCP.

mod binary;
mod harness;
mod p3;
mod rmonitor;
