//! Management.
