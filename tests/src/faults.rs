//! A fault-injecting HTTP proxy between hubfix and the emulator: on a seeded schedule it
//! answers with the throttling errors each AWS protocol uses (`SlowDown` 503 for S3,
//! `RequestLimitExceeded` 503 for EC2, `Throttling` 400 for IAM and STS,
//! `ThrottlingException` 429 for JSON services), resets connections before or after
//! the emulator saw the request, and delays responses. It counts what it did, and what
//! reached the emulator, so tests can check that retries succeed and nothing is applied
//! twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy can do to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Answer with the service's throttling error; the emulator never sees the request.
    Throttle,
    /// Close the connection before forwarding; the emulator never sees the request.
    ResetBefore,
    /// Forward, then close the connection instead of answering: the change happened
    /// but the client does not know.
    ResetAfter,
    /// Forward after a delay.
    Delay(Duration),
}

/// A request as the schedule sees it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// Path and query.
    pub target: String,
    /// The signing service name (`s3`, `ec2`, `securityhub`, ...).
    pub service: String,
    /// The body, as text (query-protocol actions are in it).
    pub body: String,
}

impl Request {
    /// The operation, for counting: method, path and query, and the query protocol's
    /// `Action`.
    pub fn operation(&self) -> String {
        let action = self
            .body
            .split('&')
            .find_map(|p| p.strip_prefix("Action="))
            .unwrap_or_default();
        format!("{} {} {action}", self.method, self.target)
    }
}

type Eligible = dyn Fn(&Request) -> bool + Send + Sync;

/// When to inject which fault.
#[derive(Clone)]
pub struct Schedule {
    /// Seed of the schedule's random numbers.
    pub seed: u64,
    /// Chance, per eligible request, of a fault.
    pub rate: f64,
    /// The faults drawn from, equally likely.
    pub faults: Vec<Fault>,
    /// After this many faults in a row of the same request (its retries: same method,
    /// target, service and body), it passes, so the SDK's retries can win; `None`: no
    /// limit. Counted per request: other requests in between do not reset it.
    pub max_in_a_row: Option<usize>,
    /// Which requests may get a fault.
    pub eligible: Arc<Eligible>,
}

impl Schedule {
    /// No faults at all: the proxy only counts what reaches the emulator.
    pub fn none() -> Self {
        Schedule {
            seed: 1,
            rate: 0.0,
            faults: Vec::new(),
            max_in_a_row: None,
            eligible: Arc::new(|_| false),
        }
    }

    /// Every request `eligible` admits is throttled, with no limit in a row: the SDK's
    /// retries run out.
    pub fn always_throttle(eligible: impl Fn(&Request) -> bool + Send + Sync + 'static) -> Self {
        Schedule {
            seed: 1,
            rate: 1.0,
            faults: vec![Fault::Throttle],
            max_in_a_row: None,
            eligible: Arc::new(eligible),
        }
    }
}

/// What the proxy did.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Faults injected, by kind.
    pub faults: HashMap<Fault, usize>,
    /// Requests that reached the emulator, by operation.
    pub forwarded: HashMap<String, usize>,
    /// Requests whose answer reached the client, by operation (a request the proxy
    /// reset after the emulator saw it is forwarded but not delivered).
    pub delivered: HashMap<String, usize>,
    /// Most requests of a group in flight at once (see [`FaultProxy::start_grouped`]).
    pub max_in_flight: HashMap<String, usize>,
    /// Requests of a group other than reads (`GET`, `HEAD`) whose answer reached the
    /// client, with when it did: the changes a run made, in time.
    pub grouped_writes: Vec<(String, Instant)>,
}

/// Names the group a request belongs to (an account and region, say), for
/// [`Stats::max_in_flight`].
pub type Group = dyn Fn(&Request) -> Option<String> + Send + Sync;

struct State {
    rng: u64,
    in_a_row: HashMap<u64, usize>,
    stats: Stats,
    in_flight: HashMap<String, usize>,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://host:port`) on a free loopback port.
    pub async fn start(upstream: &str, schedule: Schedule) -> FaultProxy {
        Self::start_grouped(upstream, schedule, Arc::new(|_| None)).await
    }

    /// [`FaultProxy::start`], also keeping the most requests of each `group` in flight
    /// at once.
    pub async fn start_grouped(
        upstream: &str,
        schedule: Schedule,
        group: Arc<Group>,
    ) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let state = Arc::new(Mutex::new(State {
            rng: schedule.seed.max(1),
            in_a_row: HashMap::new(),
            stats: Stats::default(),
            in_flight: HashMap::new(),
        }));
        let shared = state.clone();
        let schedule = Arc::new(schedule);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (state, schedule, upstream, group) = (
                    shared.clone(),
                    schedule.clone(),
                    upstream.clone(),
                    group.clone(),
                );
                tokio::spawn(async move {
                    let _ = serve(client, &upstream, &schedule, &state, group.as_ref()).await;
                });
            }
        });
        FaultProxy {
            endpoint,
            state,
            task,
        }
    }

    /// What the proxy did so far.
    pub fn stats(&self) -> Stats {
        self.state.lock().expect("stats").stats.clone()
    }
}

/// Serves one client connection, request after request, over one upstream connection
/// kept open while the emulator keeps it (a new one when it closed).
async fn serve(
    client: TcpStream,
    upstream: &str,
    schedule: &Schedule,
    state: &Mutex<State>,
    group: &Group,
) -> std::io::Result<()> {
    let mut client = BufReader::new(client);
    let mut conn: Option<BufReader<TcpStream>> = None;
    loop {
        let Some((head, body)) = read_request(&mut client).await? else {
            return Ok(());
        };
        let request = describe(&head, &body);
        let fault = decide(schedule, state, &request);
        match fault {
            Some(Fault::Throttle) => {
                client
                    .get_mut()
                    .write_all(&throttle(&request.service))
                    .await?;
                continue;
            }
            Some(Fault::ResetBefore) => return reset(client.into_inner()),
            Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
            Some(Fault::ResetAfter) | None => {}
        }
        let key = group(&request);
        if let Some(key) = &key {
            let mut s = state.lock().expect("state");
            let now = {
                let n = s.in_flight.entry(key.clone()).or_default();
                *n += 1;
                *n
            };
            let max = s.stats.max_in_flight.entry(key.clone()).or_default();
            *max = (*max).max(now);
        }
        let response = forward(upstream, &mut conn, &head, &body, &request.method).await;
        if let Some(key) = &key {
            if let Some(n) = state.lock().expect("state").in_flight.get_mut(key) {
                *n -= 1;
            }
        }
        let response = response?;
        let operation = request.operation();
        *state
            .lock()
            .expect("stats")
            .stats
            .forwarded
            .entry(operation.clone())
            .or_default() += 1;
        if fault == Some(Fault::ResetAfter) {
            return reset(client.into_inner());
        }
        client.get_mut().write_all(&response).await?;
        let mut s = state.lock().expect("stats");
        let is_write = !matches!(request.method.as_str(), "GET" | "HEAD");
        if key.is_some() && is_write {
            s.stats
                .grouped_writes
                .push((operation.clone(), Instant::now()));
        }
        *s.stats.delivered.entry(operation).or_default() += 1;
    }
}

fn reset(stream: TcpStream) -> std::io::Result<()> {
    stream.set_zero_linger()?;
    drop(stream);
    Ok(())
}

fn decide(schedule: &Schedule, state: &Mutex<State>, request: &Request) -> Option<Fault> {
    if !(schedule.eligible)(request) || schedule.faults.is_empty() {
        return None;
    }
    let same = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            &request.method,
            &request.target,
            &request.service,
            &request.body,
        )
            .hash(&mut h);
        h.finish()
    };
    let mut s = state.lock().expect("state");
    let draw = next(&mut s.rng);
    let so_far = s.in_a_row.get(&same).copied().unwrap_or(0);
    let limited = schedule.max_in_a_row.is_some_and(|max| so_far >= max);
    if limited || (draw % 10_000) as f64 >= schedule.rate * 10_000.0 {
        s.in_a_row.remove(&same);
        return None;
    }
    s.in_a_row.insert(same, so_far + 1);
    let fault = schedule.faults[(next(&mut s.rng) % schedule.faults.len() as u64) as usize];
    *s.stats.faults.entry(fault).or_default() += 1;
    Some(fault)
}

/// xorshift64*: small, seeded, good enough for a schedule.
fn next(x: &mut u64) -> u64 {
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    x.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// Reads one HTTP/1.1 request (head and body); `None` at the end of the connection.
async fn read_request(
    client: &mut BufReader<TcpStream>,
) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    client.read_exact(&mut body).await?;
    Ok(Some((head, body)))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn describe(head: &str, body: &[u8]) -> Request {
    let mut first = head.lines().next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default().to_owned();
    let service = header(head, "authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or_default()
        .to_owned();
    Request {
        method,
        target,
        service,
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

/// Sends the request to the emulator over `conn` (opened when there is none, opened
/// again once when the emulator had closed it) and reads the whole response.
async fn forward(
    upstream: &str,
    conn: &mut Option<BufReader<TcpStream>>,
    head: &str,
    body: &[u8],
    method: &str,
) -> std::io::Result<Vec<u8>> {
    let mut out: String = head
        .lines()
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: keep-alive\r\n\r\n");
    for attempt in 0..2 {
        let reused = conn.is_some();
        if conn.is_none() {
            *conn = Some(BufReader::new(TcpStream::connect(upstream).await?));
        }
        let stream = conn.as_mut().expect("a connection");
        let sent = async {
            stream.get_mut().write_all(out.as_bytes()).await?;
            stream.get_mut().write_all(body).await?;
            read_response(stream, method).await
        }
        .await;
        match sent {
            Ok((response, keep)) => {
                if !keep {
                    *conn = None;
                }
                return Ok(response);
            }
            // The emulator closed a kept connection meanwhile: once more on a new one.
            Err(_) if reused && attempt == 0 => *conn = None,
            Err(e) => {
                *conn = None;
                return Err(e);
            }
        }
    }
    Err(std::io::Error::other("the emulator closed the connection"))
}

/// Reads one HTTP/1.1 response: head, then a body framed by `Content-Length`, chunked,
/// or by the end of the connection. Also says whether the connection can be kept.
async fn read_response(
    stream: &mut BufReader<TcpStream>,
    method: &str,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection closed before a response",
            ));
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let closes = header(&head, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
        || head.starts_with("HTTP/1.0");
    let mut response = head.clone().into_bytes();
    let no_body =
        method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status);
    if no_body {
        return Ok((response, !closes));
    }
    if let Some(length) = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await?;
        response.extend(body);
        return Ok((response, !closes));
    }
    if header(&head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = String::new();
            stream.read_line(&mut size_line).await?;
            response.extend(size_line.as_bytes());
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).await?;
            response.extend(chunk);
            if size == 0 {
                return Ok((response, !closes));
            }
        }
    }
    stream.read_to_end(&mut response).await?;
    Ok((response, false))
}

/// The throttling error each protocol uses, as AWS sends it.
fn throttle(service: &str) -> Vec<u8> {
    let (status, content_type, extra, body) = match service {
        "s3" => (
            "503 Slow Down",
            "application/xml",
            "",
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".to_owned(),
        ),
        "ec2" => (
            "503 Service Unavailable",
            "text/xml",
            "",
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>fault</RequestID></Response>".to_owned(),
        ),
        "iam" | "sts" => (
            "400 Bad Request",
            "text/xml",
            "",
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>".to_owned(),
        ),
        _ => (
            "429 Too Many Requests",
            "application/json",
            "x-amzn-ErrorType: ThrottlingException\r\n",
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_owned(),
        ),
    };
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}x-amzn-RequestId: fault\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
