//! The audit trail: one JSON record per decision hubfix takes on a finding, kept as
//! objects in an S3 bucket (the one the SAM template creates), so that every fix can be
//! explained and undone afterwards.
//!
//! Layout: `<prefix>findings/<finding key>/<time>-<stage>.json`, where the finding key
//! is a hash of the finding id (ids are long ARNs with slashes) and the time is UTC with
//! milliseconds, so a finding's records list in the order they were written. Each
//! record carries the full finding id, which reads check.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::primitives::ByteStream;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Target;
use crate::outcome::{Outcome, OutcomeKind};

/// Version of the record schema, in every record.
pub const SCHEMA_VERSION: u32 = 1;
/// The default key prefix of the trail in its bucket.
pub const DEFAULT_PREFIX: &str = "hubfix/audit/";
/// A resource lock older than this is taken over (its holder's invocation is over:
/// Lambda runs for at most 15 minutes).
pub const STALE_LOCK: Duration = Duration::from_secs(15 * 60);

/// Where a record stands in a finding's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Written before a fix is applied: the before-state is safe before anything changes.
    Planned,
    /// The decision and its outcome, for every finding hubfix acted on or refused.
    Decided,
    /// A fix was undone.
    Undone,
}

impl Stage {
    /// The snake_case name used in keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Planned => "planned",
            Stage::Decided => "decided",
            Stage::Undone => "undone",
        }
    }
}

/// One decision, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// When the record was written, RFC 3339 UTC with milliseconds.
    pub time: String,
    /// Where the finding stands.
    pub stage: Stage,
    /// Who or what asked: the function and trigger, or the CLI user's ARN.
    pub actor: String,
    /// The finding's `Id`.
    pub finding_id: String,
    /// The finding's `ProductArn`.
    pub product_arn: Option<String>,
    /// The finding's account.
    pub account: Option<String>,
    /// The finding's region.
    pub region: Option<String>,
    /// The security control.
    pub control_id: Option<String>,
    /// The rule that acted (the control id, or a custom action's name).
    pub rule: Option<String>,
    /// The resource acted on.
    pub target: Option<Target>,
    /// The outcome (`planned` records have none yet; `undone` records have none).
    pub outcome: Option<OutcomeKind>,
    /// The note left on the finding, or what was done.
    pub note: String,
    /// The plan: each change with the remediation's record of it.
    pub plan: Vec<Change>,
    /// The state before the fix.
    pub before: Option<BeforeState>,
    /// The state read back after the fix (or after the undo).
    pub after: Option<BeforeState>,
    /// What applying the changes reported (the forensic snapshots a containment took).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<String>,
}

impl AuditRecord {
    /// The record of an outcome at a stage, stamped `now`.
    pub fn of(outcome: &Outcome, stage: Stage, actor: &str, now: SystemTime) -> Self {
        AuditRecord {
            schema: SCHEMA_VERSION,
            time: rfc3339(now),
            stage,
            actor: actor.to_owned(),
            finding_id: outcome.finding_id.clone(),
            product_arn: outcome.product_arn.clone(),
            account: outcome.account.clone(),
            region: outcome.region.clone(),
            control_id: outcome.control_id.clone(),
            rule: outcome.rule.clone(),
            target: outcome.target.clone(),
            outcome: (stage == Stage::Decided).then_some(outcome.kind),
            note: outcome.note.clone(),
            plan: outcome.plan.clone(),
            before: outcome.before.clone(),
            after: outcome.after.clone(),
            reports: outcome.reports.clone(),
        }
    }
}

/// Which records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this finding's records.
    pub finding_id: Option<String>,
    /// Only records of this control (or rule).
    pub control: Option<String>,
    /// Only records of this account.
    pub account: Option<String>,
    /// Only records written at or after this time (RFC 3339 or a date, `2026-11-01`).
    pub since: Option<String>,
}

impl AuditFilter {
    /// Whether a record passes the filter.
    pub fn admits(&self, r: &AuditRecord) -> bool {
        let is = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w))
        };
        is(&self.finding_id, Some(&r.finding_id))
            && (is(&self.control, r.control_id.as_deref()) || is(&self.control, r.rule.as_deref()))
            && is(&self.account, r.account.as_deref())
            && self.since.as_deref().is_none_or(|s| r.time.as_str() >= s)
    }
}

/// The trail in its bucket.
#[derive(Debug, Clone)]
pub struct AuditTrail {
    s3: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    fix_marks: Arc<Mutex<HashMap<String, BTreeSet<String>>>>,
}

/// How far back a process lists again the fix marks it has already seen: a mark is
/// named by the time its writer took, so one written by another process a moment
/// before the newest this one saw can still arrive.
const MARK_MARGIN: Duration = Duration::from_secs(5);
/// How long a reservation waits between writing its marks and counting: a concurrent
/// writer's mark named earlier than this one's has landed by then, so the ranking every
/// writer sees is the same.
pub const MARK_SETTLE: Duration = Duration::from_millis(150);
/// Marks of one reservation written at once.
const MARK_WRITES_AT_ONCE: usize = 16;

impl AuditTrail {
    /// The trail in `bucket` under `prefix` (e.g. [`DEFAULT_PREFIX`]).
    pub fn new(
        s3: aws_sdk_s3::Client,
        bucket: impl Into<String>,
        prefix: impl Into<String>,
    ) -> Self {
        AuditTrail {
            s3,
            bucket: bucket.into(),
            prefix: prefix.into(),
            fix_marks: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Stores a record; returns its key.
    pub async fn write(&self, record: &AuditRecord) -> Result<String, FixError> {
        let key = format!(
            "{}{}{}-{}.json",
            self.finding_prefix(&record.finding_id),
            compact(&record.time),
            unique_suffix(),
            record.stage.as_str()
        );
        let body = serde_json::to_vec(record).map_err(|e| FixError::Api {
            operation: "s3:PutObject",
            code: "Serialization".into(),
            message: e.to_string(),
        })?;
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.error("s3:PutObject", e))?;
        Ok(key)
    }

    /// A finding's records, oldest first.
    pub async fn history(&self, finding_id: &str) -> Result<Vec<AuditRecord>, FixError> {
        let filter = AuditFilter {
            finding_id: Some(finding_id.to_owned()),
            ..AuditFilter::default()
        };
        self.read_under(&self.finding_prefix(finding_id), &filter)
            .await
    }

    /// Every record that passes the filter, oldest first.
    pub async fn list(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, FixError> {
        match &filter.finding_id {
            Some(id) => self.read_under(&self.finding_prefix(id), filter).await,
            None => {
                let prefix = format!("{}findings/", self.prefix);
                self.read_under(&prefix, filter).await
            }
        }
    }

    /// Writes a mark of a fix of `control` taken now; returns its name (its time, then
    /// a suffix unique to the writer).
    async fn put_mark(&self, control: &str, now: SystemTime) -> Result<String, FixError> {
        let name = format!("{}{}", compact(&rfc3339(now)), unique_suffix());
        let key = format!("{}rate/{control}/{}/{name}", self.prefix, &name[..10]);
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from_static(b""))
            .send()
            .await
            .map(|_| name)
            .map_err(|e| self.error("s3:PutObject", e))
    }

    async fn delete_mark(&self, control: &str, name: &str) -> Result<(), FixError> {
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(format!(
                "{}rate/{control}/{}/{name}",
                self.prefix,
                &name[..10]
            ))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.error("s3:DeleteObject", e))
    }

    /// Reserves up to `wanted` fixes of `control` under a cap of `cap` an hour, for
    /// every invocation at once. `headroom` is the most that concurrent invocations
    /// may be reserving meanwhile: while the hour's count plus `wanted` plus that stays
    /// under the cap, the marks are written and all granted. Near the cap, it writes a
    /// mark per fix, lets concurrent writers' marks land ([`MARK_SETTLE`]), lists the
    /// hour's marks, and keeps the marks that fall within the cap in time order; the
    /// others are deleted. `known` is the hour's count when the caller has just made it.
    /// Returns how many were granted, and the hour's fixes.
    pub async fn reserve_fixes(
        &self,
        control: &str,
        wanted: usize,
        cap: usize,
        headroom: usize,
        known: Option<RecentFixes>,
        now: SystemTime,
    ) -> Result<(usize, RecentFixes), FixError> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let before = match known {
            Some(recent) => recent,
            None => self.fixes_in_last_hour(control, now).await?,
        };
        let far_from_cap = before.count + wanted + headroom <= cap;
        let mine: Vec<String> = stream::iter(0..wanted)
            .map(|_| self.put_mark(control, now))
            .buffer_unordered(MARK_WRITES_AT_ONCE)
            .try_collect()
            .await?;
        if far_from_cap {
            let mut recent = before;
            recent.count += wanted;
            return Ok((wanted, recent));
        }
        tokio::time::sleep(MARK_SETTLE).await;
        let recent = self.fixes_in_last_hour(control, SystemTime::now()).await?;
        let ranked: Vec<String> = self
            .marks()
            .get(control)
            .map(|seen| seen.iter().cloned().collect())
            .unwrap_or_default();
        let mut granted = 0;
        for name in &mine {
            let rank = ranked.partition_point(|n| n < name);
            if rank < cap {
                granted += 1;
            } else {
                self.delete_mark(control, name).await?;
                if let Some(seen) = self.marks().get_mut(control) {
                    seen.remove(name);
                }
            }
        }
        Ok((granted, recent))
    }

    /// The fixes of `control` applied in the hour before `now`: how many, and when the
    /// oldest was (when the hour's window frees its first slot). A process remembers
    /// the marks it has listed, so that a warm function lists only the new ones (and
    /// those of the last few seconds again), not the whole hour's on every invocation.
    pub async fn fixes_in_last_hour(
        &self,
        control: &str,
        now: SystemTime,
    ) -> Result<RecentFixes, FixError> {
        let since = compact(&rfc3339(now - Duration::from_secs(3600)));
        let now_hour = compact(&rfc3339(now))[..10].to_owned();
        let mut hours = vec![since[..10].to_owned()];
        if now_hour != hours[0] {
            hours.push(now_hour);
        }
        let resume = self
            .marks()
            .get(control)
            .and_then(|seen| seen.last())
            .and_then(|newest| parse_compact(newest))
            .map(|t| compact(&rfc3339(t - MARK_MARGIN)));
        let mut listed = Vec::new();
        for hour in &hours {
            let prefix = format!("{}rate/{control}/{hour}/", self.prefix);
            let start_after = resume
                .as_ref()
                .filter(|r| r.starts_with(hour.as_str()))
                .map(|r| format!("{prefix}{r}"));
            let mut pages = self
                .s3
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&prefix)
                .set_start_after(start_after)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| self.error("s3:ListBucket", e))?;
                listed.extend(
                    page.contents()
                        .iter()
                        .filter_map(|o| o.key()?.rsplit('/').next())
                        .map(str::to_owned),
                );
            }
        }
        let mut marks = self.marks();
        let seen = marks.entry(control.to_owned()).or_default();
        seen.extend(listed);
        seen.retain(|name| name.as_str() >= since.as_str());
        Ok(RecentFixes {
            count: seen.len(),
            oldest: seen.first().and_then(|name| parse_compact(name)),
        })
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, HashMap<String, BTreeSet<String>>> {
        self.fix_marks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the lock of a resource (an object created only if absent, so that two
    /// deliveries of one event never fix the same resource at once); `false` when
    /// another invocation holds it. `holder` names this attempt uniquely ([`holder`]):
    /// when a retried write finds the lock already there, the lock is this attempt's own
    /// if it carries that name (the first write's answer was lost on the way). A lock
    /// older than [`STALE_LOCK`] (its holder died) is taken over.
    pub async fn lock(&self, resource_key: &str, holder: &str) -> Result<bool, FixError> {
        let key = self.lock_key(resource_key);
        for _ in 0..2 {
            let put = self
                .s3
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .if_none_match("*")
                .body(ByteStream::from(holder.as_bytes().to_vec()))
                .send()
                .await;
            match put {
                Ok(_) => return Ok(true),
                Err(e)
                    if matches!(
                        crate::error::service_code(&e),
                        Some("PreconditionFailed" | "ConditionalRequestConflict")
                    ) || e.raw_response().is_some_and(|r| r.status().as_u16() == 412) =>
                {
                    if self.lock_holder(&key).await?.as_deref() == Some(holder) {
                        return Ok(true);
                    }
                    if !self.is_stale(&key).await? {
                        return Ok(false);
                    }
                    self.unlock(resource_key).await?;
                }
                Err(e) => return Err(self.error("s3:PutObject", e)),
            }
        }
        Ok(false)
    }

    /// Who holds a lock (its object's body), `None` when it is gone.
    async fn lock_holder(&self, key: &str) -> Result<Option<String>, FixError> {
        match self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => {
                let body = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| FixError::Api {
                        operation: "s3:GetObject",
                        code: "ReadBody".into(),
                        message: e.to_string(),
                    })?
                    .into_bytes();
                Ok(Some(String::from_utf8_lossy(&body).into_owned()))
            }
            Err(e)
                if crate::error::service_code(&e) == Some("NoSuchKey")
                    || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) =>
            {
                Ok(None)
            }
            Err(e) => Err(self.error("s3:GetObject", e)),
        }
    }

    /// Releases a resource's lock.
    pub async fn unlock(&self, resource_key: &str) -> Result<(), FixError> {
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(self.lock_key(resource_key))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.error("s3:DeleteObject", e))
    }

    async fn is_stale(&self, key: &str) -> Result<bool, FixError> {
        let head = self
            .s3
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        match head {
            Ok(out) => Ok(out
                .last_modified()
                .and_then(|t| SystemTime::try_from(*t).ok())
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > STALE_LOCK)),
            Err(e)
                if crate::error::service_code(&e) == Some("NotFound")
                    || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) =>
            {
                Ok(true)
            }
            Err(e) => Err(self.error("s3:GetObject", e)),
        }
    }

    fn lock_key(&self, resource_key: &str) -> String {
        format!("{}locks/{:016x}", self.prefix, fnv1a(resource_key))
    }

    fn finding_prefix(&self, finding_id: &str) -> String {
        format!("{}findings/{:016x}/", self.prefix, fnv1a(finding_id))
    }

    async fn read_under(
        &self,
        prefix: &str,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, FixError> {
        let since = filter.since.as_deref().map(compact);
        let mut keys = Vec::new();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.error("s3:ListBucket", e))?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                let name = key.rsplit('/').next().unwrap_or_default();
                if since.as_deref().is_none_or(|s| name >= s) {
                    keys.push(key.to_owned());
                }
            }
        }
        let mut records = Vec::new();
        for key in keys {
            let record = self.read(&key).await?;
            if filter.admits(&record) {
                records.push(record);
            }
        }
        records.sort_by(|a, b| a.time.cmp(&b.time));
        Ok(records)
    }

    async fn read(&self, key: &str) -> Result<AuditRecord, FixError> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.error("s3:GetObject", e))?;
        let bytes = out.body.collect().await.map_err(|e| FixError::Api {
            operation: "s3:GetObject",
            code: "ConnectionError".into(),
            message: e.to_string(),
        })?;
        serde_json::from_slice(&bytes.into_bytes()).map_err(|e| {
            FixError::Target(format!(
                "audit record s3://{}/{key} is unreadable: {e}",
                self.bucket
            ))
        })
    }

    fn error<E, R>(
        &self,
        operation: &'static str,
        e: aws_smithy_runtime_api::client::result::SdkError<E, R>,
    ) -> FixError
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        match FixError::from_sdk(operation, &self.bucket, &["NoSuchBucket"], e) {
            FixError::NotFound { code, .. } => FixError::Unconfigured(format!(
                "the audit bucket {} does not exist ({code}); check HUBFIX_AUDIT_BUCKET or --audit-bucket",
                self.bucket
            )),
            other => other,
        }
    }
}

/// `2026-11-23T10:15:30.123Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// The days since 1970-01-01 as a (year, month, day) of the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The time a compact stamp (`YYYYMMDDHHMMSSmmm`, as [`compact`] writes it) starts
/// with.
fn parse_compact(stamp: &str) -> Option<SystemTime> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = stamp.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let date = crate::date::Date::new(
        i32::try_from(digits(0..4)?).ok()?,
        digits(4..6)?,
        digits(6..8)?,
    )?;
    let (hour, minute, second) = (digits(8..10)?, digits(10..12)?, digits(12..14)?);
    let millis = digits(14..17)?;
    let secs =
        u64::try_from(date.start_seconds()).ok()? + u64::from(hour * 3600 + minute * 60 + second);
    Some(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(u64::from(millis)))
}

/// The fixes of a control in the last hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecentFixes {
    /// How many.
    pub count: usize,
    /// When the oldest was applied.
    pub oldest: Option<SystemTime>,
}

/// A name for one attempt to fix a finding, unique across processes: the finding, the
/// time and a per-process counter (what a lock carries, see [`AuditTrail::lock`]).
pub fn holder(finding_id: &str) -> String {
    format!(
        "{finding_id} {}{}",
        compact(&rfc3339(SystemTime::now())),
        unique_suffix()
    )
}

/// An RFC 3339 time (or date) with only its digits, as it starts a record's file name.
fn compact(time: &str) -> String {
    time.chars().filter(char::is_ascii_digit).collect()
}

/// Distinguishes records of the same finding written in the same millisecond.
/// The process's part is random (Lambda execution environments can share a process
/// id), the rest a counter.
fn unique_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::OnceLock;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    static PROCESS: OnceLock<u64> = OnceLock::new();
    let process = PROCESS.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.finish()
    });
    format!(
        "-{:012x}{:04}",
        process & 0xffff_ffff_ffff,
        NEXT.fetch_add(1, Ordering::Relaxed) % 10_000
    )
}

/// 64-bit FNV-1a: a short, stable key for a finding id.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_stamps_read_back_as_the_time_they_were_written() {
        let t = UNIX_EPOCH + Duration::from_millis(1_764_000_123_456);
        let stamp = compact(&rfc3339(t)) + "-123450001";
        assert_eq!(parse_compact(&stamp), Some(t));
        assert_eq!(parse_compact("2026"), None);
        assert_eq!(parse_compact("2026x1231000000000"), None);
    }

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_795_429_530_123);
        assert_eq!(rfc3339(t), "2026-11-23T10:25:30.123Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn compact_times_sort_like_the_times_and_dates_prefix_them() {
        assert_eq!(compact("2026-11-23T10:25:30.123Z"), "20261123102530123");
        assert!(compact("2026-11-23T10:25:30.123Z").starts_with(&compact("2026-11-23")));
        assert!(compact("2026-11-23") < compact("2026-11-23T00:00:00.000Z"));
    }

    #[test]
    fn finding_keys_are_stable_and_distinct() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a("finding/1"), fnv1a("finding/2"));
    }

    #[test]
    fn filters_match_control_or_rule_account_and_time() {
        let mut outcome = Outcome::new("f-1", OutcomeKind::Remediated, "fixed");
        outcome.control_id = Some("EC2.13".into());
        outcome.rule = Some("IsolateInstance".into());
        outcome.account = Some("111111111111".into());
        let at = UNIX_EPOCH + Duration::from_secs(1_795_429_530);
        let record = AuditRecord::of(&outcome, Stage::Decided, "test", at);
        assert_eq!(record.outcome, Some(OutcomeKind::Remediated));
        let filter = |f: AuditFilter| f.admits(&record);
        assert!(filter(AuditFilter::default()));
        assert!(filter(AuditFilter {
            control: Some("IsolateInstance".into()),
            ..AuditFilter::default()
        }));
        assert!(filter(AuditFilter {
            control: Some("EC2.13".into()),
            since: Some("2026-11-23".into()),
            ..AuditFilter::default()
        }));
        assert!(!filter(AuditFilter {
            since: Some("2026-11-24".into()),
            ..AuditFilter::default()
        }));
        assert!(!filter(AuditFilter {
            account: Some("222222222222".into()),
            ..AuditFilter::default()
        }));
        assert!(!filter(AuditFilter {
            finding_id: Some("f-2".into()),
            ..AuditFilter::default()
        }));
        let planned = AuditRecord::of(&outcome, Stage::Planned, "test", at);
        assert_eq!(planned.outcome, None);
    }
}
