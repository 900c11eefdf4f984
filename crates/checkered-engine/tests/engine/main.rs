//! Integration tests of the race engine, as small scenario streams (one binary).

mod adapt_p3;
mod control;
mod feed;
mod feed_finish;
mod helpers;
mod moto;
mod passings;
mod practice;
mod props;
mod sim;
mod snapshot;
