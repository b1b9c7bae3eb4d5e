//! Reading a bank statement CSV (R-BILL-3): a header line naming `invoice_number` and `amount`
//! (and optionally `date` and `payer`), then one transfer per line. Pure: what each row means,
//! or why it cannot be applied; applying rows is the operator API's job.

use std::collections::HashSet;

/// The columns a bank statement CSV must have (a header line naming them; other columns are ignored).
pub const STATEMENT_COLUMNS: [&str; 4] = ["date", "invoice_number", "amount", "payer"];

/// Why a statement cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementError {
    /// `not_utf8`, `invalid_csv` or `missing_columns`.
    pub code: &'static str,
    pub reason: String,
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The line number in the file (the header is line 1).
    pub line: u32,
    pub invoice_number: String,
    pub amount: Option<i64>,
    pub date: Option<String>,
    pub payer: Option<String>,
    /// Why the line cannot be applied (`invalid_row` or `duplicate_in_file`, and a detail), if so.
    pub refusal: Option<(&'static str, String)>,
}

/// Reads `body` (UTF-8, an optional byte-order mark) into its lines.
pub fn parse(body: &[u8]) -> Result<Vec<StatementLine>, StatementError> {
    let text = std::str::from_utf8(body).map_err(|_| StatementError {
        code: "not_utf8",
        reason: "the CSV must be UTF-8".into(),
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| StatementError {
            code: "invalid_csv",
            reason: format!("the header line cannot be read: {e}"),
        })?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(num_col), Some(amount_col)) = (col("invoice_number"), col("amount")) else {
        return Err(StatementError {
            code: "missing_columns",
            reason: format!(
                "the header line must name the columns {}",
                STATEMENT_COLUMNS.join(",")
            ),
        });
    };
    let (date_col, payer_col) = (col("date"), col("payer"));
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = u32::try_from(index)
            .unwrap_or(u32::MAX - 2)
            .saturating_add(2);
        let mut out = StatementLine {
            line,
            invoice_number: String::new(),
            amount: None,
            date: None,
            payer: None,
            refusal: None,
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.refusal = Some(("invalid_row", format!("the line cannot be read: {e}")));
                lines.push(out);
                continue;
            }
        };
        out.invoice_number = record.get(num_col).unwrap_or("").to_owned();
        out.date = date_col.and_then(|c| record.get(c)).map(str::to_owned);
        out.payer = payer_col.and_then(|c| record.get(c)).map(str::to_owned);
        let raw_amount = record.get(amount_col).unwrap_or("");
        let amount_text: String = raw_amount
            .chars()
            .filter(|c| !matches!(c, ',' | '¥' | '円' | ' '))
            .collect();
        out.amount = amount_text.parse::<i64>().ok();
        out.refusal = if out.invoice_number.is_empty() {
            Some(("invalid_row", "the invoice number is empty".to_owned()))
        } else if out.amount.is_none() {
            Some((
                "invalid_row",
                format!("the amount {raw_amount:?} is not a whole number of yen"),
            ))
        } else if !seen.insert(out.invoice_number.clone()) {
            Some((
                "duplicate_in_file",
                "this invoice number appears earlier in the file".to_owned(),
            ))
        } else {
            None
        };
        lines.push(out);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_with_their_refusals() {
        let csv = "\u{feff}date,invoice_number,amount,payer\n\
                   2026-12-01,BILL0000000001,\"¥11,990\",ヤマダ\n\
                   2026-12-01,,100,x\n\
                   2026-12-01,BILL0000000002,ten,x\n\
                   2026-12-02,BILL0000000001,11990,x\n";
        let lines = parse(csv.as_bytes()).unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].amount, Some(11990));
        assert_eq!(lines[0].payer.as_deref(), Some("ヤマダ"));
        assert_eq!(lines[0].refusal, None);
        assert_eq!(lines[1].refusal.as_ref().map(|r| r.0), Some("invalid_row"));
        assert_eq!(lines[2].refusal.as_ref().map(|r| r.0), Some("invalid_row"));
        assert_eq!(
            lines[3].refusal.as_ref().map(|r| r.0),
            Some("duplicate_in_file")
        );
        assert_eq!(parse(b"\xff\xfe").unwrap_err().code, "not_utf8");
        assert_eq!(parse(b"a,b\n1,2\n").unwrap_err().code, "missing_columns");
    }
}
