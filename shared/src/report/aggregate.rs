//! The streaming summary of findings: each page of `GetFindings` is folded into a
//! status per (standard, control, account) and per (control, account) plus counters,
//! and then dropped. Memory grows with controls × accounts, never with findings.

use std::collections::{BTreeMap, HashMap};

use crate::finding::WorkflowStatus;

use super::facts::{FindingFacts, Severity};
use super::model::{
    AccountScore, FailedControl, FindingSummary, Score, SeverityCounts, StandardReport,
};
use super::score::{control_order, ControlStatus, Seen};
use super::standards::{self, EnabledStandard};
use crate::date::parse_instant;

/// The account name used for findings without `AwsAccountId`.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

/// Strings stored once, referred to by number.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    fn find(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }

    fn len(&self) -> usize {
        self.names.len()
    }
}

/// The instants "this month" covers, in seconds since the Unix epoch: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First second.
    pub start: i64,
    /// First second after.
    pub end: i64,
}

impl Window {
    fn contains(self, instant: i64) -> bool {
        (self.start..self.end).contains(&instant)
    }
}

/// Findings summarised so far.
#[derive(Debug)]
pub struct Aggregator {
    window: Window,
    accounts: Interner,
    standards: Interner,
    controls: Interner,
    titles: Vec<Box<str>>,
    keys: Interner,
    by_standard: HashMap<(u32, u32, u32), Seen>,
    by_control: HashMap<(u32, u32), Seen>,
    summary: FindingSummary,
    archived: u64,
}

impl Aggregator {
    /// An empty summary; hubfix's notes count as remediations within `window`.
    pub fn new(window: Window) -> Self {
        Aggregator {
            window,
            accounts: Interner::default(),
            standards: Interner::default(),
            controls: Interner::default(),
            titles: Vec::new(),
            keys: Interner::default(),
            by_standard: HashMap::new(),
            by_control: HashMap::new(),
            summary: FindingSummary::default(),
            archived: 0,
        }
    }

    /// Adds one finding. Archived findings are left out (the gatherer asks for active
    /// ones only; a stray archived one is counted in [`Aggregator::archived`]).
    pub fn add(&mut self, f: &FindingFacts<'_>) {
        if f.archived {
            self.archived += 1;
            return;
        }
        self.summary.read += 1;
        let account = self.accounts.intern(if f.account.is_empty() {
            UNKNOWN_ACCOUNT
        } else {
            f.account
        });
        if f.workflow == WorkflowStatus::Suppressed {
            // Security Hub leaves suppressed findings out of control statuses.
            self.summary.suppressed += 1;
            return;
        }
        if f.workflow == WorkflowStatus::Resolved && self.by_hubfix_in_window(f) {
            self.summary.remediated_by_hubfix += 1;
        }
        let open = matches!(
            f.workflow,
            WorkflowStatus::New | WorkflowStatus::Notified | WorkflowStatus::Unknown
        );
        if open && f.compliance != Some(super::facts::ComplianceStatus::Passed) {
            self.summary.active += 1;
            let counts = &mut self.summary.by_severity;
            *match f.severity {
                Severity::Critical => &mut counts.critical,
                Severity::High => &mut counts.high,
                Severity::Medium => &mut counts.medium,
                Severity::Low => &mut counts.low,
                Severity::Informational => &mut counts.informational,
            } += 1;
        }
        let Some(status) = f.compliance else {
            return;
        };
        if let Some(control) = f.control.as_deref() {
            let id = self.controls.intern(control);
            match self.titles.get_mut(id as usize) {
                Some(title) if title.is_empty() => *title = f.title.into(),
                Some(_) => {}
                None => self.titles.push(f.title.into()),
            }
            self.by_control
                .entry((id, account))
                .or_default()
                .add(status);
        }
        for m in &f.standards {
            let standard = self.standards.intern(&m.standard);
            let key = self.keys.intern(m.control);
            self.by_standard
                .entry((standard, key, account))
                .or_default()
                .add(status);
        }
    }

    fn by_hubfix_in_window(&self, f: &FindingFacts<'_>) -> bool {
        f.hubfix_note_at
            .and_then(parse_instant)
            .is_some_and(|t| self.window.contains(t))
    }

    /// Archived findings that were handed in and left out.
    pub fn archived(&self) -> u64 {
        self.archived
    }

    /// How many (standard, control, account) and (control, account) statuses are held:
    /// what the summary's memory grows with.
    pub fn entries(&self) -> usize {
        self.by_standard.len() + self.by_control.len()
    }

    /// The finding counts.
    pub fn summary(&self) -> FindingSummary {
        self.summary
    }

    /// Every account with an active finding, sorted.
    pub fn accounts(&self) -> Vec<String> {
        let mut accounts: Vec<String> = self.accounts.names.iter().map(|a| a.to_string()).collect();
        accounts.sort();
        accounts
    }

    /// The scores of each enabled standard (duplicates of a standard count once).
    pub fn standard_reports(&self, enabled: &[EnabledStandard]) -> Vec<StandardReport> {
        let mut seen = std::collections::HashSet::new();
        enabled
            .iter()
            .filter(|s| seen.insert(s.id.clone()))
            .map(|s| self.standard_report(s))
            .collect()
    }

    fn standard_report(&self, enabled: &EnabledStandard) -> StandardReport {
        let mut organisation: HashMap<u32, ControlStatus> = HashMap::new();
        let mut per_account: BTreeMap<&str, Vec<ControlStatus>> = BTreeMap::new();
        if let Some(standard) = self.standards.find(&enabled.id) {
            for (&(s, key, account), seen) in &self.by_standard {
                if s != standard {
                    continue;
                }
                let status = seen.status();
                let org = organisation.entry(key).or_insert(ControlStatus::NoData);
                *org = org.combine(status);
                per_account
                    .entry(self.accounts.name(account))
                    .or_default()
                    .push(status);
            }
        }
        let accounts = per_account
            .into_iter()
            .map(|(account, statuses)| AccountScore {
                account: account.to_owned(),
                score: Score::of(statuses),
            })
            .filter(|a| a.score.controls_with_data > 0)
            .collect();
        StandardReport {
            id: enabled.id.clone(),
            arn: enabled.arn.clone(),
            name: standards::name(&enabled.id),
            short_name: standards::short_name(&enabled.id),
            status: enabled.status.clone(),
            score: Score::of(organisation.into_values()),
            accounts,
        }
    }

    /// Controls failing in at least one account: most failing accounts first, then by
    /// control id; at most `limit`.
    pub fn failed_controls(&self, limit: usize) -> Vec<FailedControl> {
        let mut failing: Vec<Vec<u32>> = vec![Vec::new(); self.controls.len()];
        for (&(control, account), seen) in &self.by_control {
            if seen.status() == ControlStatus::Failed {
                if let Some(accounts) = failing.get_mut(control as usize) {
                    accounts.push(account);
                }
            }
        }
        let total = u32::try_from(self.accounts.len()).unwrap_or(u32::MAX);
        let mut out: Vec<FailedControl> = failing
            .into_iter()
            .enumerate()
            .filter(|(_, accounts)| !accounts.is_empty())
            .map(|(control, accounts)| {
                let control = u32::try_from(control).unwrap_or(u32::MAX);
                let mut names: Vec<String> = accounts
                    .iter()
                    .map(|a| self.accounts.name(*a).to_owned())
                    .collect();
                names.sort();
                FailedControl {
                    control_id: self.controls.name(control).to_owned(),
                    title: self
                        .titles
                        .get(control as usize)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    failed_accounts: u32::try_from(names.len()).unwrap_or(u32::MAX),
                    total_accounts: total,
                    accounts: names,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.failed_accounts
                .cmp(&a.failed_accounts)
                .then_with(|| control_order(&a.control_id, &b.control_id))
        });
        out.truncate(limit);
        out
    }
}

/// The severity counts as `(label, count)` pairs, most severe first.
pub fn severity_rows(counts: &SeverityCounts) -> [(&'static str, u64); 5] {
    [
        ("Critical", counts.critical),
        ("High", counts.high),
        ("Medium", counts.medium),
        ("Low", counts.low),
        ("Informational", counts.informational),
    ]
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::super::facts::{ComplianceStatus as C, Membership};
    use super::*;

    const FSBP: &str = "standards/aws-foundational-security-best-practices/v/1.0.0";
    const CIS: &str = "standards/cis-aws-foundations-benchmark/v/1.4.0";

    fn facts<'a>(
        account: &'a str,
        control: &'a str,
        status: C,
        standards: &[&'a str],
    ) -> FindingFacts<'a> {
        FindingFacts {
            account,
            control: Some(Cow::Borrowed(control)),
            title: "",
            standards: standards
                .iter()
                .map(|s| Membership {
                    standard: Cow::Borrowed(*s),
                    control,
                })
                .collect(),
            compliance: Some(status),
            severity: Severity::Medium,
            workflow: WorkflowStatus::New,
            archived: false,
            hubfix_note_at: None,
        }
    }

    fn window() -> Window {
        Window {
            start: parse_instant("2025-02-01T00:00:00Z").unwrap(),
            end: parse_instant("2025-02-24T00:00:00Z").unwrap(),
        }
    }

    fn enabled() -> Vec<EnabledStandard> {
        vec![
            EnabledStandard::new(&format!("arn:aws:securityhub:us-east-1::{FSBP}"), "READY"),
            EnabledStandard::new(&format!("arn:aws:securityhub:us-east-1::{CIS}"), "READY"),
            EnabledStandard::new(
                "arn:aws:securityhub:us-east-1::standards/pci-dss/v/3.2.1",
                "READY",
            ),
        ]
    }

    /// Two accounts, two standards, computed by hand:
    ///
    /// | control | standards  | account a          | account b   |
    /// |---------|------------|--------------------|-------------|
    /// | S3.1    | FSBP, CIS  | FAILED             | PASSED      |
    /// | S3.8    | FSBP, CIS  | PASSED + FAILED    | PASSED      |
    /// | IAM.4   | FSBP       | PASSED             | WARNING     |
    /// | EC2.19  | FSBP       | PASSED             | (suppressed FAILED) |
    /// | EC2.13  | CIS        | NOT_AVAILABLE      | PASSED      |
    ///
    /// FSBP: organisation S3.1 F, S3.8 F, IAM.4 U, EC2.19 P: 1/4 = 25%;
    /// a: F F P P = 2/4 = 50%; b: P P U = 2/3 = 67%.
    /// CIS: organisation S3.1 F, S3.8 F, EC2.13 U: 0/3 = 0%; a: F F U = 0%;
    /// b: P P P = 100%. PCI: no data.
    fn sample() -> Aggregator {
        let mut agg = Aggregator::new(window());
        let both = [FSBP, CIS];
        for f in [
            facts("a", "S3.1", C::Failed, &both),
            facts("b", "S3.1", C::Passed, &both),
            facts("a", "S3.8", C::Passed, &both),
            facts("a", "S3.8", C::Failed, &both),
            facts("b", "S3.8", C::Passed, &both),
            facts("a", "IAM.4", C::Passed, &[FSBP]),
            facts("b", "IAM.4", C::Warning, &[FSBP]),
            facts("a", "EC2.19", C::Passed, &[FSBP]),
            facts("a", "EC2.13", C::NotAvailable, &[CIS]),
            facts("b", "EC2.13", C::Passed, &[CIS]),
        ] {
            agg.add(&f);
        }
        let mut suppressed = facts("b", "EC2.19", C::Failed, &[FSBP]);
        suppressed.workflow = WorkflowStatus::Suppressed;
        agg.add(&suppressed);
        agg
    }

    fn score(passed: u32, failed: u32, unknown: u32, percent: Option<u32>) -> Score {
        Score {
            passed,
            failed,
            unknown,
            controls_with_data: passed + failed + unknown,
            percent,
        }
    }

    #[test]
    fn scores_per_standard_and_account_computed_by_hand() {
        let reports = sample().standard_reports(&enabled());
        assert_eq!(reports.len(), 3);
        let fsbp = &reports[0];
        assert_eq!(fsbp.id, FSBP);
        assert_eq!(fsbp.name, "AWS Foundational Security Best Practices");
        assert_eq!(fsbp.score, score(1, 2, 1, Some(25)));
        assert_eq!(fsbp.accounts[0].account, "a");
        assert_eq!(fsbp.accounts[0].score, score(2, 2, 0, Some(50)));
        assert_eq!(fsbp.accounts[1].score, score(2, 0, 1, Some(67)));
        let cis = &reports[1];
        assert_eq!(cis.score, score(0, 2, 1, Some(0)));
        assert_eq!(cis.accounts[0].score, score(0, 2, 1, Some(0)));
        assert_eq!(cis.accounts[1].score, score(3, 0, 0, Some(100)));
        let pci = &reports[2];
        assert_eq!(pci.score, score(0, 0, 0, None));
        assert!(pci.accounts.is_empty());
    }

    #[test]
    fn failed_controls_ranked_by_accounts() {
        let mut agg = sample();
        agg.add(&facts("c", "EC2.19", C::Failed, &[FSBP]));
        agg.add(&facts("b", "S3.1", C::Failed, &[FSBP]));
        let ranked: Vec<(String, u32, u32)> = agg
            .failed_controls(10)
            .into_iter()
            .map(|c| (c.control_id, c.failed_accounts, c.total_accounts))
            .collect();
        assert_eq!(
            ranked,
            [
                ("S3.1".to_owned(), 2, 3),
                ("EC2.19".to_owned(), 1, 3),
                ("S3.8".to_owned(), 1, 3)
            ]
        );
        assert_eq!(agg.failed_controls(1).len(), 1);
        assert_eq!(agg.failed_controls(10)[0].accounts, ["a", "b"]);
    }

    #[test]
    fn counts_open_suppressed_and_remediated_findings() {
        let mut agg = sample();
        let mut fixed = facts("a", "S3.8", C::Passed, &[FSBP]);
        fixed.workflow = WorkflowStatus::Resolved;
        fixed.hubfix_note_at = Some("2025-02-10T12:00:00.000Z");
        agg.add(&fixed);
        let mut last_month = fixed.clone();
        last_month.hubfix_note_at = Some("2025-01-31T23:59:59.000Z");
        agg.add(&last_month);
        let mut notified = facts("a", "S3.1", C::Failed, &[FSBP]);
        notified.workflow = WorkflowStatus::Notified;
        notified.severity = Severity::Critical;
        agg.add(&notified);
        let mut archived = facts("a", "S3.1", C::Failed, &[FSBP]);
        archived.archived = true;
        agg.add(&archived);
        let s = agg.summary();
        // Open: the 4 FAILED/WARNING/NOT_AVAILABLE findings of the sample (S3.1 a,
        // S3.8 a, IAM.4 b, EC2.13 a) and the NOTIFIED one.
        assert_eq!(s.active, 5);
        assert_eq!(s.by_severity.medium, 4);
        assert_eq!(s.by_severity.critical, 1);
        assert_eq!(s.suppressed, 1);
        assert_eq!(s.remediated_by_hubfix, 1);
        assert_eq!(s.read, 14);
        assert_eq!(agg.archived(), 1);
        assert_eq!(agg.accounts(), ["a", "b"]);
    }

    #[test]
    fn findings_without_account_control_or_status_do_not_panic() {
        let mut agg = Aggregator::new(window());
        let mut f = facts("", "S3.1", C::Failed, &[]);
        f.control = None;
        f.compliance = None;
        f.hubfix_note_at = Some("not a time");
        f.workflow = WorkflowStatus::Resolved;
        agg.add(&f);
        assert_eq!(agg.accounts(), [UNKNOWN_ACCOUNT]);
        assert!(agg.failed_controls(5).is_empty());
        assert_eq!(agg.summary().remediated_by_hubfix, 0);
        assert_eq!(agg.standard_reports(&enabled())[0].score.percent, None);
    }
}
