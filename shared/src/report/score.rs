//! Security Hub's scoring rules, as pure functions.
//!
//! A control's status comes from its findings' `Compliance.Status`, ignoring archived
//! and suppressed findings: **Failed** when any finding failed, else **Unknown** when
//! any is WARNING or NOT_AVAILABLE, else **Passed** when any passed; **No data** when
//! it has none. Across accounts (the administrator's aggregated view) the same order
//! applies: a control fails for the organisation when it fails in any account. A
//! standard's score is its passed controls over its controls with data, as a
//! percentage rounded to the nearest whole number (halves up).

use std::cmp::Ordering;

use super::facts::ComplianceStatus;
use super::model::Score;

/// The compliance statuses seen among one control's findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen(u8);

const PASSED: u8 = 1;
const UNKNOWN: u8 = 2;
const FAILED: u8 = 4;

impl Seen {
    /// Nothing seen yet.
    pub const NONE: Seen = Seen(0);

    /// Adds one finding's status.
    pub fn add(&mut self, status: ComplianceStatus) {
        self.0 |= match status {
            ComplianceStatus::Passed => PASSED,
            ComplianceStatus::Failed => FAILED,
            ComplianceStatus::Warning | ComplianceStatus::NotAvailable => UNKNOWN,
        };
    }

    /// The control status these findings give.
    pub fn status(self) -> ControlStatus {
        if self.0 & FAILED != 0 {
            ControlStatus::Failed
        } else if self.0 & UNKNOWN != 0 {
            ControlStatus::Unknown
        } else if self.0 & PASSED != 0 {
            ControlStatus::Passed
        } else {
            ControlStatus::NoData
        }
    }
}

/// A control's overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlStatus {
    /// Every finding passed.
    Passed,
    /// At least one finding failed.
    Failed,
    /// A WARNING or NOT_AVAILABLE finding, and none failed.
    Unknown,
    /// No findings (or only suppressed ones).
    NoData,
}

impl ControlStatus {
    fn rank(self) -> u8 {
        match self {
            ControlStatus::NoData => 0,
            ControlStatus::Passed => 1,
            ControlStatus::Unknown => 2,
            ControlStatus::Failed => 3,
        }
    }

    /// The status of a control across two scopes (accounts): the worse one.
    pub fn combine(self, other: ControlStatus) -> ControlStatus {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

impl Score {
    /// The score of a set of controls, given their statuses.
    pub fn of(statuses: impl IntoIterator<Item = ControlStatus>) -> Score {
        let mut score = Score::default();
        for status in statuses {
            match status {
                ControlStatus::Passed => score.passed += 1,
                ControlStatus::Failed => score.failed += 1,
                ControlStatus::Unknown => score.unknown += 1,
                ControlStatus::NoData => {}
            }
        }
        score.controls_with_data = score.passed + score.failed + score.unknown;
        score.percent = percent(score.passed, score.controls_with_data);
        score
    }
}

/// `100 * part / whole` rounded to the nearest whole number (halves up); `None` when
/// `whole` is zero.
pub fn percent(part: u32, whole: u32) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let (part, whole) = (u64::from(part.min(whole)), u64::from(whole));
    u32::try_from((200 * part + whole) / (2 * whole)).ok()
}

/// Orders control ids as people read them: `S3.2` before `S3.10`, services
/// alphabetically.
pub fn control_order(a: &str, b: &str) -> Ordering {
    fn parts(id: &str) -> (&str, Option<u64>, &str) {
        match id.split_once('.') {
            Some((service, rest)) => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                (service, rest[..digits].parse().ok(), &rest[digits..])
            }
            None => (id, None, ""),
        }
    }
    parts(a).cmp(&parts(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComplianceStatus::*;

    fn status(findings: &[ComplianceStatus]) -> ControlStatus {
        let mut seen = Seen::NONE;
        for f in findings {
            seen.add(*f);
        }
        seen.status()
    }

    #[test]
    fn control_status_from_findings() {
        assert_eq!(status(&[Passed, Passed]), ControlStatus::Passed);
        assert_eq!(status(&[Passed, Failed, Warning]), ControlStatus::Failed);
        assert_eq!(status(&[Passed, Warning]), ControlStatus::Unknown);
        assert_eq!(status(&[NotAvailable]), ControlStatus::Unknown);
        assert_eq!(status(&[]), ControlStatus::NoData);
    }

    #[test]
    fn organisation_status_is_the_worst_account_status() {
        use ControlStatus as C;
        let across = |s: &[C]| s.iter().fold(C::NoData, |a, b| a.combine(*b));
        assert_eq!(across(&[C::Passed, C::Failed, C::Passed]), C::Failed);
        assert_eq!(across(&[C::Passed, C::Unknown]), C::Unknown);
        assert_eq!(across(&[C::NoData, C::Passed]), C::Passed);
        assert_eq!(across(&[C::NoData]), C::NoData);
    }

    #[test]
    fn scores_leave_out_controls_without_data() {
        use ControlStatus as C;
        // The user guide's examples: 7 of 10 passed is 70%; 12 enabled, 6 passed,
        // 2 without data is 6 / 10 = 60%.
        let ten: Vec<C> = [C::Passed; 7].into_iter().chain([C::Failed; 3]).collect();
        assert_eq!(Score::of(ten).percent, Some(70));
        let twelve: Vec<C> = [C::Passed; 6]
            .into_iter()
            .chain([C::Failed; 3])
            .chain([C::Unknown])
            .chain([C::NoData; 2])
            .collect();
        assert_eq!(
            Score::of(twelve),
            Score {
                passed: 6,
                failed: 3,
                unknown: 1,
                controls_with_data: 10,
                percent: Some(60)
            }
        );
        assert_eq!(Score::of([C::NoData]).percent, None);
    }

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(1, 8), Some(13), "12.5 rounds up");
        assert_eq!(percent(7, 8), Some(88), "87.5 rounds up");
        assert_eq!(percent(0, 5), Some(0));
        assert_eq!(percent(5, 5), Some(100));
        assert_eq!(percent(9, 5), Some(100), "never above 100");
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn control_ids_sort_naturally() {
        let mut ids = vec![
            "S3.10", "EC2.19", "S3.2", "S3.1", "IAM.4", "odd", "CIS.1.13",
        ];
        ids.sort_by(|a, b| control_order(a, b));
        assert_eq!(
            ids,
            ["CIS.1.13", "EC2.19", "IAM.4", "S3.1", "S3.2", "S3.10", "odd"]
        );
    }
}
