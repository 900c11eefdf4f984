//! Black-box tests of the `checkered` binary's subcommands.

mod crash;
mod decode;
mod demo;
mod helpers;
mod replay;
mod replay_live;
mod relay_outage;
mod relay_support;
mod relay_decoder;
mod relay_spool;
mod relay_kill;
mod relay_file;
