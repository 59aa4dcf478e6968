//! One CSV file of the source, read with a real CSV parser (the `csv` crate, RFC 4180:
//! quoted fields, `""` inside quotes, LF or CRLF line ends) into rows of the columns
//! asked for. Every error names the file and the line.

use csv::ReaderBuilder;

use crate::{Error, Result};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One data row: its line in the file (where it starts) and the fields of the columns
/// asked for, in that order, trimmed.
#[derive(Debug, PartialEq, Eq)]
pub struct Row<const N: usize> {
    pub line: u64,
    pub fields: [String; N],
}

/// The rows of `file` (named in messages), whose first row is a header naming at
/// least `columns`. Blank lines are skipped; a leading UTF-8 byte order mark is
/// ignored. A row with another number of fields than the header, a field that is not
/// UTF-8, or a field that spans lines (most often an unterminated quote) is an error.
pub fn read<const N: usize>(file: &str, bytes: &[u8], columns: [&str; N]) -> Result<Vec<Row<N>>> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked below, with our own message.
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Lines::new(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(record) => fields(file, &record.map_err(|e| csv_error(file, &e))?, &mut lines)?,
        None => return Err(Error::new(format!("{file}: empty, expected a header line"))),
    };
    let index = columns
        .iter()
        .map(|column| header.fields.iter().position(|h| h == column))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| {
            Error::new(format!(
                "{file}: expected columns {}, the header has {}",
                columns.join(", "),
                header.fields.join(", ")
            ))
        })?;

    let mut rows = Vec::new();
    for record in records {
        let record = fields(file, &record.map_err(|e| csv_error(file, &e))?, &mut lines)?;
        if record.fields.len() != header.fields.len() {
            return Err(Error::new(format!(
                "{file} line {}: expected {} fields (as in the header), found {}",
                record.line,
                header.fields.len(),
                record.fields.len()
            )));
        }
        let mut fields = record.fields;
        rows.push(Row {
            line: record.line,
            fields: std::array::from_fn(|k| std::mem::take(&mut fields[index[k]])),
        });
    }
    Ok(rows)
}

/// A record as trimmed UTF-8 fields, with its line.
struct Fields {
    line: u64,
    fields: Vec<String>,
}

fn fields(file: &str, record: &csv::ByteRecord, lines: &mut Lines) -> Result<Fields> {
    let line = lines.line_of(record.position().map_or(0, |p| p.byte()));
    let fields = record
        .iter()
        .map(|field| {
            let text = std::str::from_utf8(field)
                .map_err(|e| Error::new(format!("{file} line {line}: not UTF-8: {e}")))?;
            if text.contains(['\n', '\r']) {
                return Err(Error::new(format!(
                    "{file} line {line}: a field spans lines (an unterminated quote?)"
                )));
            }
            Ok(text.trim().to_owned())
        })
        .collect::<Result<Vec<String>>>()?;
    Ok(Fields { line, fields })
}

/// Reading from a byte slice cannot fail, but the reader's API says it may.
fn csv_error(file: &str, error: &csv::Error) -> Error {
    Error::new(format!("{file}: {error}"))
}

/// Line numbers of records, counted here: the reader's own `Position::line` counts a
/// record's line before the `\n` of a CRLF and before blank lines, so it is off by one
/// or more on exactly the files this reader must handle. Records are asked for in
/// order, so counting goes forward from the last one: linear in the file.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Counted up to here...
    offset: usize,
    /// ...which is on this line (1-based).
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record the reader started at byte `start`: the reader starts a
    /// record where the previous one's terminator began, so the line ends and blank
    /// lines there are skipped first. A line ends with `\n`, `\r\n` or a lone `\r`.
    fn line_of(&mut self, start: u64) -> u64 {
        let mut start = usize::try_from(start)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        for i in self.offset..start {
            let ends_line = match self.bytes[i] {
                b'\n' => true,
                b'\r' => self.bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            self.line += u64::from(ends_line);
        }
        self.offset = self.offset.max(start);
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `csv` as `test.csv` with columns `code, name`: the rows as
    /// `line: code|name`, or the error.
    fn check(csv: &str, expected: Result<&[&str], &str>) {
        let actual = read("test.csv", csv.as_bytes(), ["code", "name"])
            .map(|rows| {
                rows.iter()
                    .map(|row| format!("{}: {}", row.line, row.fields.join("|")))
                    .collect::<Vec<_>>()
            })
            .map_err(|e| e.to_string());
        let expected = expected
            .map(|rows| rows.iter().map(|r| r.to_string()).collect::<Vec<_>>())
            .map_err(String::from);
        assert_eq!(actual, expected, "csv: {csv:?}");
    }

    #[test]
    fn plain_rows() {
        check(
            "code,name\n11,Aceh\n12,Sumatera Utara\n",
            Ok(&["2: 11|Aceh", "3: 12|Sumatera Utara"]),
        );
        // No newline at the end; blank lines skipped; fields trimmed.
        check(
            "code,name\n\n11, Aceh \n\n12,Riau",
            Ok(&["3: 11|Aceh", "5: 12|Riau"]),
        );
        check("code,name\n", Ok(&[]));
    }

    #[test]
    fn columns_are_found_by_the_header() {
        check("name,extra,code\nAceh,x,11\n", Ok(&["2: 11|Aceh"]));
        check(
            "code,title\n11,Aceh\n",
            Err("test.csv: expected columns code, name, the header has code, title"),
        );
        check("", Err("test.csv: empty, expected a header line"));
    }

    #[test]
    fn quoted_fields_with_commas() {
        check(
            "code,name\n14.02.09.2010,\"Lambang Sari I, II, III\"\n",
            Ok(&["2: 14.02.09.2010|Lambang Sari I, II, III"]),
        );
        check("\"code\",\"name\"\n\"11\",\"Aceh\"\n", Ok(&["2: 11|Aceh"]));
    }

    #[test]
    fn quotes_inside_quotes() {
        check(
            "code,name\n35.29.22,\"Ra\"\"as\"\n",
            Ok(&["2: 35.29.22|Ra\"as"]),
        );
        check(
            "code,name\n1,\"\"\"Quoted\"\", too\"\n",
            Ok(&["2: 1|\"Quoted\", too"]),
        );
    }

    #[test]
    fn crlf_line_ends() {
        check(
            "code,name\r\n11,Aceh\r\n12,\"Riau, Kep.\"\r\n",
            Ok(&["2: 11|Aceh", "3: 12|Riau, Kep."]),
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_column() {
        check("\u{FEFF}code,name\n11,Aceh\n", Ok(&["2: 11|Aceh"]));
        check("\u{FEFF}code,name\r\n11,Aceh\r\n", Ok(&["2: 11|Aceh"]));
    }

    #[test]
    fn a_row_with_another_number_of_fields_is_rejected_naming_file_and_line() {
        check(
            "code,name\n11,Aceh\n12\n",
            Err("test.csv line 3: expected 2 fields (as in the header), found 1"),
        );
        check(
            "code,name\r\n11,Aceh\r\n12,Lubuk Pakam I,II\r\n",
            Err("test.csv line 3: expected 2 fields (as in the header), found 3"),
        );
    }

    #[test]
    fn an_unterminated_quote_is_rejected_naming_file_and_line() {
        check(
            "code,name\n11,Aceh\n12,\"Sumatera Utara\n13,Sumatera Barat\n",
            Err("test.csv line 3: a field spans lines (an unterminated quote?)"),
        );
    }

    #[test]
    fn a_field_that_is_not_utf8_is_rejected_naming_file_and_line() {
        let error = read("test.csv", b"code,name\n11,Ac\xFFeh\n", ["code", "name"]).unwrap_err();
        assert!(
            error.to_string().starts_with("test.csv line 2: not UTF-8"),
            "{error}"
        );
    }
}
