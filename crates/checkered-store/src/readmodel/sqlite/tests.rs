//! Unit tests of the SQLite read models: catalog round trips and the projection SQL.

mod catalog;
mod projection;
