//! Test harness: starts the local AWS emulator (moto in server mode plus hubfix's
//! extension, `tests/emulator/server.py`) on a free loopback port, builds real SDK
//! clients against it, and loads the sample events of `events/` as fixtures.

pub mod faults;
pub mod organization;
pub mod queue;
pub mod sandbox;
pub mod seeds;
pub mod storm;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use aws_config::{Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use hubfix::aws::{AwsContext, Clients};
use hubfix::{Engine, Finding, Policy};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

pub mod browser;
pub mod demo;
pub mod docs;

/// The account moto gives requests signed with unknown credentials.
pub const ACCOUNT: &str = "123456789012";
/// The region every test runs in.
pub const REGION: &str = "us-east-1";

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The Python interpreter of the project's virtualenv (`HUBFIX_PYTHON` overrides it).
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("HUBFIX_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = workspace().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "{} is missing: run `make test` (it installs the emulator into .venv)",
        venv.display()
    );
    venv
}

/// A running emulator; stopped when dropped (and, should the test process die, when
/// the server sees its stdin close).
pub struct Emulator {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    _child: Child,
    _stdin: ChildStdin,
}

impl Emulator {
    /// Starts an emulator on a free loopback port and waits until it answers.
    pub async fn start() -> Emulator {
        Self::start_with(&[], &[]).await
    }

    /// [`Emulator::start`] with more server options (`--latency-ms 20`) and environment
    /// (`HUBFIX_EMULATOR_QUOTAS=1`).
    pub async fn start_with(args: &[&str], env: &[(&str, &str)]) -> Emulator {
        let mut child = Command::new(python())
            .arg(workspace().join("tests/emulator/server.py"))
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the emulator");
        let stdin = child.stdin.take().expect("piped stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let endpoint = tokio::time::timeout(Duration::from_secs(90), async {
            while let Some(line) = lines.next_line().await.expect("read emulator output") {
                if let Some(url) = line.strip_prefix("HUBFIX_EMULATOR_READY ") {
                    return url.trim().to_owned();
                }
            }
            panic!("the emulator exited before it was ready");
        })
        .await
        .expect("the emulator did not start within 90 s");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Emulator {
            endpoint,
            _child: child,
            _stdin: stdin,
        }
    }

    /// Calls one of the emulator's admin endpoints (`/_hubfix/...`, see
    /// tests/emulator/README.md) with a JSON body; returns its JSON answer.
    pub async fn admin(&self, method: &str, path: &str, body: &Value) -> Value {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let address = self.endpoint.trim_start_matches("http://");
        let body = body.to_string();
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect to the emulator");
        let request = format!(
            "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.expect("read");
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
        assert!(
            head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
            "{method} {path}: {head}\n{body}"
        );
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"))
    }

    /// SDK configuration for the emulator: the default account's credentials.
    pub async fn config(&self) -> SdkConfig {
        self.config_with(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "hubfix-tests",
        ))
        .await
    }

    /// SDK configuration for the emulator with the given credentials.
    pub async fn config_with(&self, credentials: Credentials) -> SdkConfig {
        hubfix::aws::config_loader()
            .region(Region::new(REGION))
            .credentials_provider(credentials)
            .endpoint_url(&self.endpoint)
            .load()
            .await
    }

    /// An engine that reaches the emulator through `endpoint` (a [`faults::FaultProxy`]),
    /// with hubfix's number of attempts and a short backoff so retries are quick.
    pub async fn engine_via(&self, endpoint: &str, policy: Policy) -> Engine {
        let config = hubfix::aws::config_loader()
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_max_attempts(hubfix::aws::MAX_ATTEMPTS)
                    .with_initial_backoff(Duration::from_millis(10)),
            )
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "hubfix-tests",
            ))
            .endpoint_url(endpoint)
            .load()
            .await;
        let aws = AwsContext::new(config).with_member_role(policy.member_role.clone());
        Engine::new(policy, aws)
    }

    /// Clients for setting up and checking resources, as a user would with the CLI.
    pub async fn clients(&self) -> Clients {
        Clients::new(&self.config().await)
    }

    /// An engine against the emulator with the given policy.
    pub async fn engine(&self, policy: Policy) -> Engine {
        let aws = AwsContext::new(self.config().await).with_member_role(policy.member_role.clone());
        Engine::new(policy, aws)
    }

    /// Clients acting in another account, through a role assumed there (the emulator
    /// isolates accounts by the credentials' account).
    pub async fn clients_in(&self, account: &str, role: &str) -> Clients {
        Clients::new(&self.assumed_config(account, role).await)
    }

    /// SDK configuration acting in another account, through a role assumed there.
    pub async fn assumed_config(&self, account: &str, role: &str) -> SdkConfig {
        let home = aws_sdk_sts::Client::new(&self.config().await);
        let out = home
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
            .role_session_name("hubfix-tests")
            .send()
            .await
            .expect("AssumeRole");
        let c = out.credentials().expect("credentials");
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "assumed-role",
        );
        self.config_with(credentials).await
    }
}

/// Loads a sample event from `events/`.
pub fn event(name: &str) -> Value {
    let path = workspace().join("events").join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// Every sample Security Hub findings event (`source` `aws.securityhub`, a `Security Hub
/// Findings` detail type), by file name; the scheduled events and the drift guard's
/// CloudTrail events are not ones.
pub fn all_events() -> Vec<(String, Value)> {
    let mut names: Vec<_> = std::fs::read_dir(workspace().join("events"))
        .expect("events/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| (n.clone(), event(&n)))
        .filter(|(_, e)| {
            e["source"] == hubfix::finding::SECURITY_HUB_SOURCE
                && e["detail-type"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("Security Hub Findings"))
        })
        .collect()
}

/// Points every finding of an event at another resource (keeping the shape of its
/// ARN) and gives the finding an id unique to `tag`, so tests never share findings.
pub fn retarget(event: &mut Value, resource_id: &str, tag: &str) {
    let findings = event["detail"]["findings"]
        .as_array_mut()
        .expect("detail.findings");
    for f in findings {
        let id = f["Id"].as_str().expect("Id").to_owned();
        f["Id"] = Value::String(format!("{id}-{tag}"));
        f["Resources"][0]["Id"] = Value::String(resource_id.to_owned());
        if let Some(details) = f["Resources"][0].get_mut("Details") {
            *details = Value::Null;
            f["Resources"][0]
                .as_object_mut()
                .expect("resource object")
                .remove("Details");
        }
    }
}

/// Turns an Imported event into the `Remediate` custom action on the same findings, as
/// an analyst's click sends it (from the action target hubfix's template creates).
pub fn as_remediate_action(event: &mut Value) {
    event["detail-type"] = "Security Hub Findings - Custom Action".into();
    event["detail"]["actionName"] = "Remediate".into();
    event["detail"]["actionDescription"] = "Fix the selected findings with hubfix".into();
    event["resources"] = serde_json::json!([format!(
        "arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Remediate"
    )]);
}

/// The findings of an event, parsed.
pub fn findings_of(event: &Value) -> Vec<Finding> {
    event["detail"]["findings"]
        .as_array()
        .expect("detail.findings")
        .iter()
        .enumerate()
        .map(|(i, f)| hubfix::finding::parse_finding(i, f).expect("well-formed finding"))
        .collect()
}

/// Imports an event's findings into the emulator's Security Hub.
pub async fn import(clients: &Clients, event: &Value) {
    let failures = hubfix::securityhub::import(&clients.securityhub, &findings_of(event)).await;
    assert!(failures.is_empty(), "import failed: {failures:?}");
}

/// A finding as Security Hub holds it now: `(workflow status, note text)`.
pub async fn finding_state(clients: &Clients, id: &str) -> (String, Option<String>) {
    use aws_sdk_securityhub::types::{
        AwsSecurityFindingFilters, StringFilter, StringFilterComparison,
    };
    let out = clients
        .securityhub
        .get_findings()
        .filters(
            AwsSecurityFindingFilters::builder()
                .id(StringFilter::builder()
                    .value(id)
                    .comparison(StringFilterComparison::Equals)
                    .build())
                .build(),
        )
        .send()
        .await
        .expect("GetFindings");
    let findings = out.findings();
    assert_eq!(findings.len(), 1, "exactly one finding with id {id}");
    let f = &findings[0];
    (
        f.workflow()
            .and_then(|w| w.status())
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        f.note().map(|n| n.text().unwrap_or_default().to_owned()),
    )
}

/// Imports a control's sample event retargeted at `resource`, runs the engine on it
/// with `policy`, and returns the outcome and the finding's (workflow status, note).
pub async fn run_event(
    emulator: &Emulator,
    clients: &Clients,
    event_file: &str,
    resource: &str,
    policy: Policy,
) -> (hubfix::Outcome, String, String) {
    let mut ev = event(event_file);
    retarget(&mut ev, resource, &unique("f"));
    run_retargeted(emulator, clients, &ev, policy).await
}

/// [`run_event`] through the `Remediate` custom action: how a rule that is never
/// automatic (it deletes something) is applied.
pub async fn run_remediate_action(
    emulator: &Emulator,
    clients: &Clients,
    event_file: &str,
    resource: &str,
    policy: Policy,
) -> (hubfix::Outcome, String, String) {
    let mut ev = event(event_file);
    retarget(&mut ev, resource, &unique("f"));
    as_remediate_action(&mut ev);
    run_retargeted(emulator, clients, &ev, policy).await
}

/// [`run_event`] on a resource of another ASFF type than the sample's, for a rule that
/// acts on several (`IAM.27`: `AwsIamUser`, `AwsIamGroup`, `AwsIamRole`).
pub async fn run_event_on_type(
    emulator: &Emulator,
    clients: &Clients,
    event_file: &str,
    resource_type: &str,
    resource: &str,
    policy: Policy,
) -> (hubfix::Outcome, String, String) {
    let mut ev = event(event_file);
    retarget(&mut ev, resource, &unique("f"));
    for f in ev["detail"]["findings"]
        .as_array_mut()
        .expect("detail.findings")
    {
        f["Resources"][0]["Type"] = Value::String(resource_type.to_owned());
    }
    run_retargeted(emulator, clients, &ev, policy).await
}

async fn run_retargeted(
    emulator: &Emulator,
    clients: &Clients,
    ev: &Value,
    policy: Policy,
) -> (hubfix::Outcome, String, String) {
    import(clients, ev).await;
    let report = emulator
        .engine(policy)
        .await
        .handle_json(ev)
        .await
        .expect("a well-formed event");
    let outcome = report.outcomes[0].clone();
    let (status, note) = finding_state(clients, &outcome.finding_id).await;
    (outcome, status, note.unwrap_or_default())
}

/// Undoes the fix an outcome records (the rule's `undo`, then the read-back check of
/// [`hubfix::undo::restore`]) and returns the steps taken.
pub async fn undo_outcome(
    clients: &Clients,
    outcome: &hubfix::Outcome,
) -> Result<Vec<String>, hubfix::error::FixError> {
    undo_outcome_with(clients, outcome, &Policy::default().settings).await
}

/// [`undo_outcome`] with the fix settings the undo and its read-back use: the read-back
/// runs the rule's `inspect`, which for some rules (`S3.9`, `EC2.6`) needs the same
/// settings as the fix did.
pub async fn undo_outcome_with(
    clients: &Clients,
    outcome: &hubfix::Outcome,
    settings: &hubfix::settings::FixSettings,
) -> Result<Vec<String>, hubfix::error::FixError> {
    let rule_id = outcome.rule.as_deref().expect("the outcome names its rule");
    let rule = hubfix::registry::runbook_rule(rule_id, &settings.catalogue)
        .or_else(|| hubfix::registry::find(rule_id))
        .expect("a registered rule or a configured runbook");
    let target = outcome
        .target
        .as_ref()
        .expect("the outcome names its target");
    let before = outcome
        .before
        .as_ref()
        .expect("the outcome records a before-state");
    let fix = hubfix::remediate::Fix {
        clients,
        target,
        settings,
    };
    hubfix::undo::restore(rule, fix, before, &outcome.plan).await
}

/// The plain-text access key id of the `CodeBuild.2` tests: it must never be echoed.
pub const PLAINTEXT_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// The plain-text secret key of the `CodeBuild.2` tests: it must never be echoed.
pub const PLAINTEXT_SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn plaintext_variable(name: &str, value: &str) -> aws_sdk_codebuild::types::EnvironmentVariable {
    aws_sdk_codebuild::types::EnvironmentVariable::builder()
        .name(name)
        .value(value)
        .r#type(aws_sdk_codebuild::types::EnvironmentVariableType::Plaintext)
        .build()
        .unwrap()
}

/// A CodeBuild project with plain-text AWS credentials and one ordinary variable.
pub async fn codebuild_project_with_credentials(clients: &Clients, name: &str) -> String {
    clients
        .codebuild
        .create_project()
        .name(name)
        .source(
            aws_sdk_codebuild::types::ProjectSource::builder()
                .r#type(aws_sdk_codebuild::types::SourceType::S3)
                .location("sources/app.zip")
                .build()
                .unwrap(),
        )
        .artifacts(
            aws_sdk_codebuild::types::ProjectArtifacts::builder()
                .r#type(aws_sdk_codebuild::types::ArtifactsType::NoArtifacts)
                .build()
                .unwrap(),
        )
        .environment(
            aws_sdk_codebuild::types::ProjectEnvironment::builder()
                .r#type(aws_sdk_codebuild::types::EnvironmentType::LinuxContainer)
                .image("aws/codebuild/standard:7.0")
                .compute_type(aws_sdk_codebuild::types::ComputeType::BuildGeneral1Small)
                .environment_variables(plaintext_variable("AWS_ACCESS_KEY_ID", PLAINTEXT_KEY_ID))
                .environment_variables(plaintext_variable(
                    "AWS_SECRET_ACCESS_KEY",
                    PLAINTEXT_SECRET_KEY,
                ))
                .environment_variables(plaintext_variable("STAGE", "prod"))
                .build()
                .unwrap(),
        )
        .service_role(format!(
            "arn:aws:iam::{ACCOUNT}:role/service-role/codebuild"
        ))
        .tags(
            aws_sdk_codebuild::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .project()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned()
}

/// Creates a security group open to the world on SSH (tcp 22 from 0.0.0.0/0) in the
/// default VPC; returns its id.
pub async fn open_ssh_group(clients: &Clients, name: &str) -> String {
    let group = clients
        .ec2
        .create_security_group()
        .group_name(name)
        .description("SSH from anywhere")
        .send()
        .await
        .expect("create security group")
        .group_id()
        .unwrap_or_default()
        .to_owned();
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .expect("open the group");
    group
}

/// Creates `n` buckets (public: no Block Public Access) named after `prefix`.
pub async fn public_buckets(clients: &Clients, prefix: &str, n: usize) -> Vec<String> {
    let mut buckets = Vec::with_capacity(n);
    for _ in 0..n {
        let bucket = unique(prefix);
        clients
            .s3
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("create bucket");
        buckets.push(bucket);
    }
    buckets
}

/// A `Remediate` custom action over the buckets' S3.8 findings, imported into the
/// emulator's Security Hub.
pub async fn remediate_buckets_event(clients: &Clients, buckets: &[String]) -> Value {
    let mut ev = event("custom-action-remediate.json");
    let findings: Vec<Value> = buckets
        .iter()
        .map(|b| {
            let mut one = event("s3-8-imported.json");
            retarget(&mut one, &format!("arn:aws:s3:::{b}"), b);
            one["detail"]["findings"][0].clone()
        })
        .collect();
    ev["detail"]["findings"] = Value::Array(findings);
    import(clients, &ev).await;
    ev
}

/// A name unique within this test process, for buckets and groups.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Every control in automatic mode with these fix settings: how the catalogue tests run
/// a fix, as a team that opted its controls in does.
pub fn auto(settings: hubfix::settings::FixSettings) -> Policy {
    Policy {
        default_mode: Some(hubfix::policy::Mode::Auto),
        settings,
        ..Policy::default()
    }
}

/// The text between two marker lines of a file, and the file's text.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> (usize, usize, &'a str) {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("marker {start:?} missing"))
        + start.len();
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("marker {end:?} missing"));
    (from, to, &text[from..to])
}

/// Checks that the text between two markers of a generated section equals `expected`;
/// with `HUBFIX_UPDATE_GENERATED` set, rewrites it instead (`make generated`).
pub fn check_generated(path: &Path, start: &str, end: &str, expected: &str) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (from, to, current) = between(&text, start, end);
    if std::env::var_os("HUBFIX_UPDATE_GENERATED").is_some() {
        if current != expected {
            let updated = format!("{}{}{}", &text[..from], expected, &text[to..]);
            std::fs::write(path, updated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        return;
    }
    assert_eq!(
        current,
        expected,
        "{} is stale: run `make generated`",
        path.display()
    );
}

/// The AWS Lambda Runtime Interface Emulator shipped in the `aws-sam-cli` wheel.
pub fn rie_binary() -> PathBuf {
    let arch = match std::env::consts::ARCH {
        "aarch64" => "arm64",
        other => other,
    };
    let lib = workspace().join(".venv/lib");
    let found = std::fs::read_dir(&lib).ok().and_then(|dirs| {
        dirs.filter_map(|d| d.ok())
            .map(|d| {
                d.path()
                    .join("site-packages/samcli/local/rapid")
                    .join(format!("aws-lambda-rie-{arch}"))
            })
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!(
            "aws-lambda-rie-{arch} not found under {}: run `make test` (it installs aws-sam-cli into .venv)",
            lib.display()
        )
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A function binary running under the Runtime Interface Emulator, as Lambda runs it.
pub struct Rie {
    port: u16,
    logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _child: Child,
}

impl Rie {
    /// Starts `bootstrap` under the RIE with only the given environment (plus what a
    /// Lambda sandbox has), against the emulator.
    pub async fn start(bootstrap: &Path, emulator: &Emulator, env: &[(&str, &str)]) -> Rie {
        let port = free_port();
        let api_port = free_port();
        let mut command = Command::new(rie_binary());
        command
            .arg("--runtime-interface-emulator-address")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--runtime-api-address")
            .arg(format!("127.0.0.1:{api_port}"))
            .arg(bootstrap)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_REGION", REGION)
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_ENDPOINT_URL", &emulator.endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_LAMBDA_FUNCTION_NAME", "hubfix-test")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .expect("start the Runtime Interface Emulator");
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let logs = logs.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if std::env::var_os("HUBFIX_TEST_LOGS").is_some() {
                        eprintln!("[lambda] {line}");
                    }
                    logs.lock().unwrap_or_else(|p| p.into_inner()).push(line);
                }
            });
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the RIE did not listen within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Rie {
            port,
            logs,
            _child: child,
        }
    }

    /// The lines the function and the RIE logged so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The first structured (JSON) log line of this `level` (`ERROR`, ...), waiting up to
    /// 10 s for it: the function's output can reach the test after the RIE's answer.
    pub async fn log_line(&self, level: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let logs = self.logs();
            let found = logs
                .iter()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find(|l| l["level"] == level);
            if let Some(line) = found {
                return line;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no structured {level} line in {logs:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The lines logged so far, joined, once they contain every one of `needles`,
    /// waiting up to 10 s: the function's output can reach the test after the RIE's
    /// answer, most of all on a loaded machine.
    pub async fn logs_containing(&self, needles: &[&str]) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let logs = self.logs().join("\n");
            if needles.iter().all(|n| logs.contains(n)) {
                return logs;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not all of {needles:?} logged within 10 s: {logs}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Invokes the function with an event; returns the response body as JSON (for a
    /// failed invocation, Lambda's `{"errorType", "errorMessage"}`).
    pub async fn invoke(&self, event: &Value) -> Value {
        let (status, body) = self.invoke_raw(event).await;
        assert_eq!(status, 200, "RIE answered {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("response is not JSON ({e}): {body}"))
    }

    /// Invokes the function; returns the HTTP status and body as the RIE gave them.
    pub async fn invoke_raw(&self, event: &Value) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let body = serde_json::to_vec(event).expect("serialise event");
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect to the RIE");
        let head = format!(
            "POST /2015-03-31/functions/function/invocations HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("send");
        stream.write_all(&body).await.expect("send");
        let mut response = Vec::new();
        tokio::time::timeout(Duration::from_secs(120), stream.read_to_end(&mut response))
            .await
            .expect("the function answered within 120 s")
            .expect("read the response");
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head}"));
        (status, body.to_owned())
    }
}
