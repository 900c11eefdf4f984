//! The classification of a session as a plain-text table, columns sized to their content.

use checkered_engine::{Classification, SessionSummary};
use std::io::Write;

const HEADERS: [&str; 9] = [
    "Pos", "No", "Name", "Class", "Laps", "Total", "Best", "Gap", "Status",
];

/// Writes one session: a title line, the header and a row per competitor.
pub fn write_session(
    out: &mut impl Write,
    summary: &SessionSummary,
    classification: &Classification,
) -> std::io::Result<()> {
    let kind = serde_json::to_value(classification.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let state = if summary.open { "open" } else { "closed" };
    writeln!(
        out,
        "Session {} — {} ({kind}, {state}, {} competitors)",
        summary.id,
        classification.session,
        classification.results.len()
    )?;
    let rows: Vec<[String; 9]> = classification
        .results
        .iter()
        .map(|c| {
            [
                c.position.to_string(),
                c.number.clone(),
                c.name.clone(),
                c.class.clone().unwrap_or_default(),
                c.laps.to_string(),
                c.total_time.clone().unwrap_or_default(),
                c.best_lap.clone().unwrap_or_default(),
                c.gap.clone().unwrap_or_default(),
                serde_json::to_value(c.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_uppercase))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    write_row(out, &HEADERS.map(str::to_owned), &widths)?;
    for row in &rows {
        write_row(out, row, &widths)?;
    }
    writeln!(out)
}

/// Numbers right-aligned, text left-aligned, two spaces between columns.
fn write_row(
    out: &mut impl Write,
    cells: &[String; 9],
    widths: &[usize; 9],
) -> std::io::Result<()> {
    let mut line = String::new();
    for (i, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        let pad = width.saturating_sub(cell.chars().count());
        let right = matches!(i, 0 | 4 | 5 | 6 | 7);
        if i > 0 {
            line.push_str("  ");
        }
        if right {
            line.extend(std::iter::repeat_n(' ', pad));
            line.push_str(cell);
        } else {
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    writeln!(out, "{}", line.trim_end())
}
