//! Race control.
