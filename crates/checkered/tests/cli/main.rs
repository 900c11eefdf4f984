//! Black-box tests of the `checkered` binary's subcommands.

mod admin;
mod bench;
mod cluster_failover;
mod crash;
mod decode;
mod demo;
mod helpers;
mod relay_auth;
mod relay_decoder;
mod relay_emulator;
mod relay_feed;
mod relay_file;
mod relay_kill;
mod relay_outage;
mod relay_spool;
mod relay_support;
mod replay;
mod replay_live;
mod simulate;
