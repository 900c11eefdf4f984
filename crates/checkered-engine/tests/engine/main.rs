//! Integration tests of the race engine, as small scenario streams (one binary).

mod control;
mod feed;
mod helpers;
mod moto;
mod passings;
mod practice;
mod props;
mod snapshot;
