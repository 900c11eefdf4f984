//! The pure race engine (see the crate description). Filled in by its own change.
