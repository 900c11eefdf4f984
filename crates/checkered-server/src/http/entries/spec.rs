//! One entry as a request gives it, checked field by field: the rules the JSON routes and
//! the CSV import share.
//!
//! - `number`: 1–10 characters, ASCII letters, digits, `-` or `_` (not `import` or `sync`,
//!   which name routes).
//! - `name`: up to 200 characters (may be empty); `class`: up to 64 (empty = none).
//! - `transponders`: up to 8, each 1–32 visible ASCII characters, none twice.
//! - `grid`: a whole number from 1.
//!
//! # Layout
//! - [`RawEntry`] in, [`check`] → an entry or every [`FieldError`]; [`number`] alone.

use checkered_store::readmodel::EntryRecord;

/// A field that failed its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field (`number`, `name`, `class`, `transponders`, `grid`).
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// An entry before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawEntry {
    /// Car/rider number.
    pub number: String,
    /// Name.
    pub name: String,
    /// Class.
    pub class: Option<String>,
    /// Transponders.
    pub transponders: Vec<String>,
    /// Grid position, as given (text, so CSV and JSON report the same way).
    pub grid: Option<String>,
}

fn fail(field: &'static str, reason: String) -> FieldError {
    FieldError { field, reason }
}

/// Checks a car number.
pub fn number(text: &str) -> Result<String, FieldError> {
    let n = text.trim();
    let valid = (1..=10).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && n != "import"
        && n != "sync";
    if !valid {
        return Err(fail(
            "number",
            format!("number {n:?} must be 1-10 letters, digits, '-' or '_'"),
        ));
    }
    Ok(n.to_owned())
}

fn transponders(list: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for t in list.iter().map(|t| t.trim()) {
        if t.is_empty() || t.len() > 32 || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(fail(
                "transponders",
                format!("transponder {t:?} must be 1-32 visible ASCII characters"),
            ));
        }
        if out.iter().any(|o| o == t) {
            return Err(fail(
                "transponders",
                format!("transponder {t:?} is given twice"),
            ));
        }
        out.push(t.to_owned());
    }
    if out.len() > 8 {
        return Err(fail(
            "transponders",
            format!("{} transponders given; at most 8", out.len()),
        ));
    }
    Ok(out)
}

fn grid(text: Option<&str>) -> Result<Option<u32>, FieldError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => match t.parse::<u32>() {
            Ok(g) if g >= 1 => Ok(Some(g)),
            _ => Err(fail(
                "grid",
                format!("grid {t:?} must be a whole number from 1"),
            )),
        },
    }
}

/// Checks every field; returns the entry (timestamps left to the store) or every error.
pub fn check(raw: RawEntry) -> Result<EntryRecord, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = number(&raw.number).map_err(|e| errors.push(e)).ok();
    let name = raw.name.trim().to_owned();
    if name.chars().count() > 200 {
        errors.push(fail("name", "name must be at most 200 characters".into()));
    }
    let class = raw
        .class
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if class.as_ref().is_some_and(|c| c.chars().count() > 64) {
        errors.push(fail("class", "class must be at most 64 characters".into()));
    }
    let transponders = transponders(&raw.transponders)
        .map_err(|e| errors.push(e))
        .ok();
    let grid = grid(raw.grid.as_deref()).map_err(|e| errors.push(e)).ok();
    match (number, transponders, grid) {
        (Some(number), Some(transponders), Some(grid)) if errors.is_empty() => Ok(EntryRecord {
            number,
            name,
            class,
            transponders,
            grid,
            created_at_us: 0,
            updated_at_us: 0,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_checked() {
        let entry = check(RawEntry {
            number: " 7A ".into(),
            name: " Ann ".into(),
            class: Some(" ".into()),
            transponders: vec![" 1234 ".into()],
            grid: Some("3".into()),
        })
        .expect("valid");
        assert_eq!((entry.number.as_str(), entry.name.as_str()), ("7A", "Ann"));
        assert_eq!(
            (entry.class, entry.transponders, entry.grid),
            (None, vec!["1234".to_owned()], Some(3))
        );
        let errors = check(RawEntry {
            number: "import".into(),
            transponders: vec!["1".into(), "1".into()],
            grid: Some("0".into()),
            ..RawEntry::default()
        })
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["number", "transponders", "grid"]);
    }
}
