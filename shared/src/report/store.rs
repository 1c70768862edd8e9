//! Reports kept in S3, one folder per day: `<prefix><yyyy>/<mm>/<dd>/report.json`
//! (with `report.html` and `report.txt` next to it). Earlier `report.json` files are
//! read back for the trend.

use std::collections::VecDeque;

use aws_sdk_s3::primitives::ByteStream;

use crate::error::FixError;

use super::model::{ComplianceReport, TrendPoint};
use super::render::Format;
use super::{Date, ReportError};

/// The key prefix reports are stored under unless told otherwise.
pub const DEFAULT_PREFIX: &str = "reports/";
/// How many earlier reports the trend shows unless told otherwise.
pub const DEFAULT_TREND_REPORTS: usize = 30;

/// Where reports are kept.
#[derive(Debug, Clone)]
pub struct ReportStore {
    s3: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
}

impl ReportStore {
    /// Reports in `bucket` under `prefix` (a `/` is added when it lacks one).
    pub fn new(s3: aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Self {
        let mut prefix = prefix.trim().trim_start_matches('/').to_owned();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        ReportStore {
            s3,
            bucket: bucket.to_owned(),
            prefix,
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key of a report's file for a date, e.g. `reports/2025/02/23/report.json`.
    pub fn key(&self, date: Date, format: Format) -> String {
        format!(
            "{}{:04}/{:02}/{:02}/report.{}",
            self.prefix,
            date.year(),
            date.month(),
            date.day(),
            format.extension()
        )
    }

    /// The date a `report.json` key is for, when it is one.
    pub fn date_of_key(&self, key: &str) -> Option<Date> {
        let rest = key.strip_prefix(&self.prefix)?;
        let day = rest.strip_suffix("/report.json")?;
        let mut parts = day.split('/');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        format!("{y}-{m}-{d}").parse().ok()
    }

    /// Stores the report in every format; returns the keys written (JSON first).
    pub async fn save(&self, report: &ComplianceReport) -> Result<Vec<String>, ReportError> {
        let date: Date = report.date.parse().unwrap_or_else(|_| Date::today());
        let mut keys = Vec::new();
        for format in [Format::Json, Format::Html, Format::Text] {
            let key = self.key(date, format);
            self.s3
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .content_type(format.content_type())
                .body(ByteStream::from(report.render(format).into_bytes()))
                .send()
                .await
                .map_err(|e| {
                    ReportError::Storage(FixError::from_sdk("s3:PutObject", &key, &[], e))
                })?;
            keys.push(key);
        }
        Ok(keys)
    }

    /// The scores of the last `limit` reports dated before `before`, oldest first.
    /// Files that cannot be read as reports are skipped (and logged).
    pub async fn trend(&self, before: Date, limit: usize) -> Result<Vec<TrendPoint>, ReportError> {
        let mut keys: VecDeque<String> = VecDeque::new();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&self.prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                ReportError::Storage(FixError::from_sdk(
                    "s3:ListBucket",
                    &self.bucket,
                    &["NoSuchBucket"],
                    e,
                ))
            })?;
            for key in page.contents().iter().filter_map(|o| o.key()) {
                // S3 lists keys in ascending order: the last `limit` are the latest.
                if self.date_of_key(key).is_some_and(|d| d < before) {
                    keys.push_back(key.to_owned());
                    if keys.len() > limit {
                        keys.pop_front();
                    }
                }
            }
        }
        let mut points = Vec::new();
        for key in &keys {
            match self.read(key).await {
                Ok(bytes) => match TrendPoint::from_report_json(&bytes) {
                    Some(point) => points.push(point),
                    None => tracing::warn!(key, "not a hubfix report; left out of the trend"),
                },
                Err(e) => {
                    tracing::warn!(key, error = %e, "earlier report unreadable; left out of the trend")
                }
            }
        }
        Ok(points)
    }

    async fn read(&self, key: &str) -> Result<Vec<u8>, ReportError> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                ReportError::Storage(FixError::from_sdk("s3:GetObject", key, &["NoSuchKey"], e))
            })?;
        let body = out.body.collect().await.map_err(|e| {
            ReportError::Storage(FixError::Api {
                operation: "s3:GetObject",
                code: "ReadBody".to_owned(),
                message: e.to_string(),
            })
        })?;
        Ok(body.into_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(prefix: &str) -> ReportStore {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .build();
        ReportStore::new(aws_sdk_s3::Client::from_conf(config), "b", prefix)
    }

    #[test]
    fn keys_by_date_and_back() {
        let s = store("reports");
        let date: Date = "2025-02-03".parse().unwrap();
        assert_eq!(s.key(date, Format::Json), "reports/2025/02/03/report.json");
        assert_eq!(s.key(date, Format::Html), "reports/2025/02/03/report.html");
        assert_eq!(s.date_of_key("reports/2025/02/03/report.json"), Some(date));
        for other in [
            "reports/2025/02/03/report.html",
            "reports/2025/2/3/report.json",
            "reports/2025/02/31/report.json",
            "other/2025/02/03/report.json",
            "reports/x/2025/02/03/report.json",
        ] {
            assert_eq!(s.date_of_key(other), None, "{other}");
        }
        assert_eq!(store("").key(date, Format::Text), "2025/02/03/report.txt");
    }
}
