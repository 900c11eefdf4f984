//! End-to-end tests of the web UI in real headless Chromium: the real server on port 0
//! with a temporary data directory, fed through real ingest with simulated races, and
//! pages driven over WebDriver. They skip (printing why) without Chromium and
//! chromedriver, and fail instead with `CHECKERED_REQUIRE_SERVICES=1`.
//!
//! The screenshots in `docs/screenshots/` are taken here.

#[path = "../server/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod bench;
mod board;
mod control;
mod manage;
mod page;
mod webdriver;
