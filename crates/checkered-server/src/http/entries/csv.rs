//! The CSV entry-list format: UTF-8 (a byte-order mark is ignored), commas, RFC 4180
//! quoting, a header row naming the columns in any order, case-insensitively:
//!
//! | column | required | content |
//! |---|---|---|
//! | `number` | yes | car/rider number |
//! | `name` | no | driver, rider or team |
//! | `class` | no | class name |
//! | `transponders` (or `transponder`) | no | one or more, separated by `;` or spaces |
//! | `grid` | no | grid position from 1 |
//!
//! Blank lines are skipped. Rows are numbered as lines of the file (the header is row 1), so
//! an error names the line a spreadsheet shows. An unknown or repeated column refuses the
//! whole file (a typo in a header must not silently drop a column).
//!
//! # Layout
//! - [`parse`]: header, then each row checked with [`super::spec`]; [`Parsed`]: entries with their rows.
//! - `Lines`: the line each record starts on.

use super::spec::{self, RawEntry};
use crate::http::error::ItemProblem;
use checkered_store::readmodel::EntryRecord;

/// Most data rows one import may carry.
pub const MAX_ROWS: usize = 10_000;

#[derive(Clone, Copy)]
enum Column {
    Number,
    Name,
    Class,
    Transponders,
    Grid,
}

fn column(name: &str) -> Option<Column> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "number" => Column::Number,
        "name" => Column::Name,
        "class" => Column::Class,
        "transponders" | "transponder" => Column::Transponders,
        "grid" => Column::Grid,
        _ => return None,
    })
}

fn problem(row: usize, field: Option<&str>, reason: String) -> ItemProblem {
    ItemProblem {
        row: Some(row),
        index: None,
        field: field.map(str::to_owned),
        reason,
    }
}

/// A checked import: each entry with the CSV row it came from.
pub struct Parsed {
    /// Entries in file order.
    pub entries: Vec<EntryRecord>,
    /// The row of each entry.
    pub rows: Vec<usize>,
}

fn header(reader: &mut csv::Reader<&[u8]>) -> Result<Vec<Column>, Vec<ItemProblem>> {
    let header = reader
        .headers()
        .map_err(|e| {
            vec![problem(
                1,
                None,
                format!("the header row cannot be read: {e}"),
            )]
        })?
        .clone();
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in header.iter() {
        let name = name.trim_start_matches('\u{feff}');
        match column(name) {
            Some(c) if seen.insert(name.trim().to_ascii_lowercase()) => columns.push(c),
            Some(_) => errors.push(problem(
                1,
                Some(name),
                format!("column {name:?} appears twice"),
            )),
            None => errors.push(problem(
                1,
                Some(name),
                format!("unknown column {name:?}; use number, name, class, transponders, grid"),
            )),
        }
    }
    if !columns.iter().any(|c| matches!(c, Column::Number)) {
        errors.push(problem(
            1,
            Some("number"),
            "the header has no number column".into(),
        ));
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

fn raw_entry(columns: &[Column], record: &csv::StringRecord) -> RawEntry {
    let mut raw = RawEntry::default();
    for (column, value) in columns.iter().zip(record.iter()) {
        match column {
            Column::Number => raw.number = value.to_owned(),
            Column::Name => raw.name = value.to_owned(),
            Column::Class => raw.class = Some(value.to_owned()),
            Column::Transponders => {
                raw.transponders = value
                    .split(|c: char| c == ';' || c.is_whitespace())
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            Column::Grid => raw.grid = Some(value.to_owned()),
        }
    }
    raw
}

/// The line of the file a record starts on, counted forward from the previous call (the
/// reader's own line count skips blank lines, which would misnumber the rows after them).
struct Lines<'a> {
    body: &'a [u8],
    at: usize,
    line: usize,
}

impl Lines<'_> {
    fn of(&mut self, byte: u64) -> usize {
        let mut to = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.body.len());
        // The reader places a record after blank lines at the first of them.
        while self
            .body
            .get(to)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            to += 1;
        }
        if to > self.at {
            let skipped = self.body.get(self.at..to).unwrap_or_default();
            self.line += skipped.iter().filter(|b| **b == b'\n').count();
            self.at = to;
        }
        self.line
    }
}

/// Parses and checks a CSV body; every problem is reported with its row.
pub fn parse(body: &[u8]) -> Result<Parsed, Vec<ItemProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::None)
        .from_reader(body);
    let columns = header(&mut reader)?;
    let mut lines = Lines {
        body,
        at: 0,
        line: 1,
    };
    let mut parsed = Parsed {
        entries: Vec::new(),
        rows: Vec::new(),
    };
    let mut errors = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let row = e.position().map_or(0, |p| lines.of(p.byte()));
                errors.push(problem(row, None, format!("unreadable row: {e}")));
                continue;
            }
        };
        let row = record.position().map_or(0, |p| lines.of(p.byte()));
        if parsed.rows.len() + errors.len() >= MAX_ROWS {
            errors.push(problem(
                row,
                None,
                format!("an import carries at most {MAX_ROWS} rows"),
            ));
            break;
        }
        match spec::check(raw_entry(&columns, &record)) {
            Ok(entry) => {
                parsed.entries.push(entry);
                parsed.rows.push(row);
            }
            Err(fields) => errors.extend(
                fields
                    .into_iter()
                    .map(|f| problem(row, Some(f.field), f.reason)),
            ),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_any_order_with_quotes_and_several_transponders() {
        let body = "\u{feff}Transponders,Number,Name,class\n\"101;102\",7,\"Doe, Jane\",GT3\n\n201,8,Bob,\n\"3\n03\",9,\"Two\nlines\",\n10,Dee,,\n";
        let parsed = parse(body.as_bytes())
            .map_err(|e| format!("{e:?}"))
            .expect("valid");
        assert_eq!(parsed.rows, [2, 4, 5, 8], "rows are lines of the file");
        assert_eq!(parsed.entries[0].name, "Doe, Jane");
        assert_eq!(parsed.entries[0].transponders, ["101", "102"]);
        assert_eq!(parsed.entries[1].class, None);
    }

    #[test]
    fn every_bad_row_is_named_with_its_line() {
        let body = "number,name,grid\n1,Ann,1\n,Nobody,2\n3,Cy,first\n4,Dee\n";
        let errors = parse(body.as_bytes()).err().expect("invalid");
        let rows: Vec<(usize, Option<&str>)> = errors
            .iter()
            .map(|e| (e.row.unwrap_or(0), e.field.as_deref()))
            .collect();
        assert_eq!(rows, [(3, Some("number")), (4, Some("grid")), (5, None)]);
    }

    #[test]
    fn unknown_or_missing_columns_refuse_the_file() {
        let errors = parse(b"numbr,name\n1,Ann\n").err().expect("invalid");
        assert!(errors.iter().all(|e| e.row == Some(1)));
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}
