//! The member list of seed 002: a CSV file of accounts outside the organisation, as
//! Security Hub's console takes it (Settings, Accounts, Add accounts, Upload list):
//!
//! ```text
//! Account ID,Email
//! 000111222333,security@example.com
//! ```
//!
//! The header is optional; blank lines and lines starting with `#` are skipped; fields
//! may be quoted. Every row must be a 12-digit account id and an e-mail address, each
//! account at most once: a malformed row is an error naming its line, and no account
//! of a file with an error is invited.

use std::collections::BTreeSet;

use crate::ids::is_account_id;

/// An account to invite: its id and the e-mail address of its owner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct InvitedAccount {
    /// The 12-digit account id.
    pub account: String,
    /// Where Security Hub's invitation is addressed.
    pub email: String,
}

/// A line of the file that is not a member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, and what the line must look like.
    pub message: String,
}

/// The accounts of a members CSV file, in file order.
pub fn parse(text: &str) -> Result<Vec<InvitedAccount>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut accounts = Vec::new();
    let mut seen = BTreeSet::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let row = raw.trim();
        if row.is_empty() || row.starts_with('#') {
            continue;
        }
        let fields: Vec<String> = split(row);
        if accounts.is_empty() && seen.is_empty() && is_header(&fields) {
            continue;
        }
        let error = |message: String| CsvError { line, message };
        let [account, email] = fields.as_slice() else {
            return Err(error(format!(
                "expected two fields, `account id,email`, found {}: {row:?}",
                fields.len()
            )));
        };
        if !is_account_id(account) {
            return Err(error(format!(
                "`{account}` is not a 12-digit AWS account id"
            )));
        }
        if !is_email(email) {
            return Err(error(format!("`{email}` is not an e-mail address")));
        }
        if !seen.insert(account.clone()) {
            return Err(error(format!("account {account} is listed twice")));
        }
        accounts.push(InvitedAccount {
            account: account.clone(),
            email: email.clone(),
        });
    }
    Ok(accounts)
}

/// The comma-separated fields of a row, each trimmed and unquoted (`""` is a quote).
fn split(row: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_owned()),
            c => field.push(c),
        }
    }
    fields.push(field.trim().to_owned());
    fields
}

fn is_header(fields: &[String]) -> bool {
    let normal = |s: &str| s.to_ascii_lowercase().replace([' ', '_', '-'], "");
    fields.len() == 2 && normal(&fields[0]) == "accountid" && normal(&fields[1]) == "email"
}

/// A plausible address: one `@`, a non-empty local part, a dotted domain, no spaces.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && text.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_format_reads() {
        let text = "Account ID,Email\r\n000111222333,security@example.com\r\n\r\n# the audit account\n\"111222333444\", \"audit+sh@example.org\"\n";
        assert_eq!(
            parse(text).unwrap(),
            vec![
                InvitedAccount {
                    account: "000111222333".into(),
                    email: "security@example.com".into()
                },
                InvitedAccount {
                    account: "111222333444".into(),
                    email: "audit+sh@example.org".into()
                },
            ]
        );
        assert_eq!(
            parse("\u{feff}444444444444,a@b.co").unwrap().len(),
            1,
            "no header, a BOM"
        );
        assert!(parse("account_id,email\n").unwrap().is_empty());
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let cases = [
            ("Account ID,Email\n12345,a@b.co\n", 2, "not a 12-digit"),
            ("Account ID,Email\n111122223333\n", 2, "expected two fields"),
            ("111122223333,a@b.co,extra\n", 1, "found 3"),
            ("111122223333,not-an-address\n", 1, "not an e-mail"),
            (
                "111122223333,a@b.co\n\n111122223333,c@d.co\n",
                3,
                "listed twice",
            ),
            (
                "Account ID,Email\n111122223333,a b@c.co\n",
                2,
                "not an e-mail",
            ),
        ];
        for (text, line, says) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err}");
            assert!(err.to_string().contains(says), "{text:?}: {err}");
        }
    }
}
