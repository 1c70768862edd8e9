//! Inputs of the in-process benchmarks: events of many findings, built from the sample
//! events, as Security Hub sends them.

use serde_json::Value;

/// A custom-action event with `n` S3.8 findings (distinct ids and buckets).
pub fn custom_action_event(n: usize) -> Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(name)).expect("sample event"))
            .expect("JSON")
    };
    let finding = read("s3-8-imported.json")["detail"]["findings"][0].clone();
    let mut event = read("custom-action-remediate.json");
    event["detail"]["findings"] = (0..n)
        .map(|i| {
            let mut f = finding.clone();
            f["Id"] = Value::from(format!("finding-{i}"));
            f["Resources"][0]["Id"] = Value::from(format!("arn:aws:s3:::bucket-{i}"));
            f
        })
        .collect();
    event
}
