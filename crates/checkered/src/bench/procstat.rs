//! Resource use of a process, read from `/proc/<pid>` (Linux): resident memory and CPU
//! time, so the server's figures are its own and not the load generator's.

use std::time::Instant;

/// One reading of a process.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    /// When it was taken.
    pub at: Instant,
    /// User + system CPU time so far, seconds.
    pub cpu_s: f64,
    /// Resident set size, bytes.
    pub rss_bytes: u64,
}

/// Reads `/proc/<pid>/stat` and `/proc/<pid>/status`; `None` if the process is gone or
/// this is not Linux.
pub fn read(pid: u32) -> Option<Reading> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces: fields are counted after its ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the line (utime, stime) are 11 and 12 after the ')'.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = rustix::param::clock_ticks_per_second() as f64;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(Reading {
        at: Instant::now(),
        cpu_s: (utime + stime) as f64 / ticks,
        rss_bytes: rss_kb * 1024,
    })
}

/// CPU use between two readings, in percent of one core (two busy cores make 200).
pub fn cpu_pct(from: &Reading, to: &Reading) -> f64 {
    let wall = to.at.duration_since(from.at).as_secs_f64();
    if wall <= 0.0 {
        return 0.0;
    }
    (to.cpu_s - from.cpu_s) / wall * 100.0
}

/// Open files wanted: 20 000 clients plus the server's own files, with room to spare.
const WANTED_FILES: u64 = 65_536;

/// Raises this process's open-file limit (inherited by the server it starts) to
/// [`WANTED_FILES`], or as far as the hard limit allows when raising that is not
/// permitted; returns the limit in force.
pub fn raise_nofile() -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= WANTED_FILES {
        return current;
    }
    let wanted = Rlimit {
        current: Some(WANTED_FILES),
        maximum: Some(limit.maximum.map_or(WANTED_FILES, |m| m.max(WANTED_FILES))),
    };
    if setrlimit(Resource::Nofile, wanted).is_ok() {
        return WANTED_FILES;
    }
    let hard = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    if setrlimit(Resource::Nofile, hard).is_ok() {
        return limit.maximum.unwrap_or(current);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let a = read(std::process::id()).expect("/proc of this process");
        let mut x = 0u64;
        for i in 0..3_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let b = read(std::process::id()).expect("/proc of this process");
        assert!(a.rss_bytes > 0);
        assert!(b.cpu_s >= a.cpu_s);
        assert!(cpu_pct(&a, &b) >= 0.0);
    }
}
