//! Black-box tests of the `checkered` binary's subcommands.

mod decode;
mod helpers;
