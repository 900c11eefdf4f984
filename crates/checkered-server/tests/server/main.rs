//! Integration tests of the server: the real server on port 0, a temporary data
//! directory, real HTTP and WebSocket clients.

mod api;
mod auth;
mod catalog;
mod cluster;
mod entries;
mod helpers;
mod ingest;
mod isolation;
mod live;
mod projections;
mod restart;
mod ui;
