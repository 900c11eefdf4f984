//! The progress line a running scenario shows on stderr: rewritten in place on a
//! terminal, one plain line every few seconds otherwise (`--progress`) or nothing at all
//! (the default when stderr is not a terminal). Stdout only ever gets the final JSON line.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Where progress goes.
pub struct Progress {
    terminal: bool,
    enabled: bool,
    every: Duration,
    last: Option<Instant>,
    shown: bool,
}

impl Progress {
    /// Progress on stderr: always on a terminal, otherwise only when `forced`.
    pub fn new(forced: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        Progress {
            terminal,
            enabled: terminal || forced,
            every: if terminal {
                Duration::from_millis(500)
            } else {
                Duration::from_secs(5)
            },
            last: None,
            shown: false,
        }
    }

    /// Shows `line` if it is time to (the text is only built then).
    pub fn update(&mut self, line: impl FnOnce() -> String) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < self.every) {
            return;
        }
        self.last = Some(Instant::now());
        let text = line();
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal {
            write!(err, "\r\x1b[2K{text}")
        } else {
            writeln!(err, "{text}")
        };
        let _ = err.flush();
        self.shown = true;
    }

    /// Ends the line on a terminal so the JSON starts on a fresh one.
    pub fn finish(&mut self) {
        if self.terminal && self.shown {
            let _ = writeln!(std::io::stderr());
        }
        self.shown = false;
    }
}
