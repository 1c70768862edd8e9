"""Whole-process benchmarks of hubfix (`make bench`), all in one run on one emulator
build, reported as times and ratios.

1. hubfix against Cloud Custodian (c7n) and against the bare API calls: N public buckets
   (S3.8) and N security groups open on SSH (EC2.13); Custodian fixes them with its
   policy (set-public-block, remove-permissions), hubfix from the matching findings
   (the custom-action handler, in-process, through `hubfix invoke`), the bare program with
   one API call per resource. Each tool gets a fresh emulator with the same resources,
   its one-off costs already paid (`warm`). Wall time, CPU time (wait4 rusage) and peak
   resident memory (VmHWM) of the tool's process.
2. Cold start of each function binary under the Lambda Runtime Interface Emulator: from
   process start to the first response (a real event; an event needing no API call),
   the same event warm; peak resident memory of the function.
3. Scaling: one custom-action event with 1 to 100 findings to a warm function.
4. With modelled latency (--latency-ms): 1 at N = 100, and 3, again with every API call
   held that long by the emulator (bench/counting_server.py), as the network and AWS's
   own time hold a call against AWS: what concurrency gains there.
5. Binary sizes.
6. API calls per resource of each tool at N = --calls, by operation, from the emulator
   behind bench/counting_server.py (not timed).

Usage: python bench/bench.py --bin-dir $CARGO_TARGET_DIR/measure --out bench/results.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_PYTHON = ROOT / ".venv/bin/python"
CUSTODIAN = ROOT / ".venv-bench/bin/custodian"
ACCOUNT = "123456789012"
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION}
# hubfix's blast-radius caps (50 fixes per invocation by default) would refuse part of a
# full 100-finding event: the benchmark measures the fixes, so it lifts them.
UNCAPPED = {"HUBFIX_MAX_FIXES_PER_INVOCATION": "100000", "HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR": "100000"}


class Emulator:
    """The test bed's emulator (moto + hubfix's extension) on a free loopback port; with
    `call_log` or `latency_ms`, behind bench/counting_server.py, which logs every API
    call it serves, or holds each for `latency_ms` (modelled network and AWS time)."""

    def __init__(self, call_log: Path | None = None, latency_ms: float = 0) -> None:
        script = ROOT / ("bench/counting_server.py" if call_log or latency_ms else "tests/emulator/server.py")
        env = {**os.environ, "HUBFIX_BENCH_CALL_LOG": str(call_log or ""), "HUBFIX_BENCH_LATENCY_MS": str(latency_ms)}
        self.proc = subprocess.Popen(
            [str(EMULATOR_PYTHON), str(script), "--host", "127.0.0.1", "--port", "0"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        deadline = time.time() + 90
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("HUBFIX_EMULATOR_READY "):
                self.endpoint = line.split()[1]
                return
        raise RuntimeError("the emulator did not start")

    def env(self) -> dict[str, str]:
        return {**os.environ, **CREDENTIALS, **UNCAPPED, "AWS_ENDPOINT_URL": self.endpoint}

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def memory_mb(pid: int) -> dict[str, float]:
    """The process's peak resident set so far (VmHWM) and its resident set now, split
    into heap and other anonymous memory (RssAnon) and mapped files, the binary's own
    pages above all (RssFile), in MB; empty once it has exited."""
    fields = {"VmHWM:": "peak", "VmRSS:": "rss", "RssAnon:": "anon", "RssFile:": "file"}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {fields[line.split()[0]]: int(line.split()[1]) / 1024
            for line in lines if line.split() and line.split()[0] in fields}


def measure(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> dict:
    """Runs a process; its wall time, CPU time (wait4) and peak RSS. The peak is read
    from /proc while it runs (VmHWM belongs to the program exec'd): wait4's maxrss would
    count the benchmark's own memory, which the child shares until exec."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = b"", b""
    streams = {proc.stdout.fileno(): "out", proc.stderr.fileno(): "err"}
    peak, at_peak = 0.0, {}
    while streams:
        now = memory_mb(proc.pid)
        peak = max(peak, now.get("peak", 0.0))
        if now.get("rss", 0.0) >= at_peak.get("rss", 0.0):
            at_peak = now
        ready, _, _ = select.select(list(streams), [], [], 0.005)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                del streams[fd]
            elif streams[fd] == "out":
                out += chunk
            else:
                err += chunk
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{argv[0]} exited {code}: {err.decode()[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": peak, "peak_anon_mb": at_peak.get("anon", 0.0),
            "peak_file_mb": at_peak.get("file", 0.0), "stdout": out.decode()}


def s3_finding(template: dict, bucket: str, account: str = ACCOUNT) -> dict:
    f = json.loads(json.dumps(template))
    f["Id"] = f"{f['Id']}-{bucket}"
    f["AwsAccountId"] = account
    f["Resources"][0]["Id"] = f"arn:aws:s3:::{bucket}"
    f["Resources"][0].pop("Details", None)
    return f


def sg_finding(template: dict, group: str) -> dict:
    f = json.loads(json.dumps(template))
    f["Id"] = f"{f['Id']}-{group}"
    f["Compliance"]["SecurityControlId"] = "EC2.13"
    f["GeneratorId"] = "security-control/EC2.13"
    f["Resources"][0]["Id"] = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}"
    f["Resources"][0].pop("Details", None)
    return f


def seed(emu: Emulator, kind: str, n: int, prefix: str | None = None) -> tuple[list[str], list[dict]]:
    """N non-compliant resources and their findings (imported into Security Hub),
    named `<prefix>-<i>` (default prefix: `bench-<n>`)."""
    prefix = prefix or f"bench-{n}"
    names, findings = [], []
    if kind == "s3":
        s3 = emu.client("s3")
        template = json.loads((ROOT / "events/s3-8-imported.json").read_text())["detail"]["findings"][0]
        for i in range(n):
            name = f"{prefix}-{i}"
            s3.create_bucket(Bucket=name)
            names.append(name)
            findings.append(s3_finding(template, name))
    else:
        ec2 = emu.client("ec2")
        template = json.loads((ROOT / "events/ec2-13-imported.json").read_text())["detail"]["findings"][0]
        for i in range(n):
            gid = ec2.create_security_group(GroupName=f"{prefix}-{i}", Description="open SSH")["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
            names.append(gid)
            findings.append(sg_finding(template, gid))
    hub = emu.client("securityhub")
    for i in range(0, len(findings), 100):
        hub.batch_import_findings(Findings=findings[i:i + 100])
    warm(emu)
    return names, findings


def warm(emu: Emulator) -> None:
    """Has the emulator do, before any measurement, what it does once per process: build
    the backend of each service the tools touch, and its first error responses. moto
    builds a backend on its first request; STS's (with IAM's, holding AWS's managed
    policies) took 0.4 to 1.7 s, EC2's 0.5 s; S3's first error responses (no tags, no
    Block Public Access: what hubfix and Custodian read first) stalled a burst of
    concurrent requests for 0.3 s. Whichever tool met them first would pay (hubfix and
    Custodian ask STS who they are and read what the bare program does not), and AWS
    has no such cost. The bucket used is deleted again: Custodian lists every bucket."""
    s3, ec2 = emu.client("s3"), emu.client("ec2")
    s3.create_bucket(Bucket="hubfix-bench-warm-up")
    for _ in range(2):
        emu.client("sts").get_caller_identity()
        emu.client("securityhub").get_findings(MaxResults=1)
        ec2.describe_security_groups(MaxResults=5)
        for read in (s3.get_bucket_tagging, s3.get_public_access_block):
            try:
                read(Bucket="hubfix-bench-warm-up")
            except s3.exceptions.ClientError:
                pass
        try:
            ec2.describe_security_groups(GroupIds=["sg-00000000000000000"])
        except ec2.exceptions.ClientError:
            pass
    s3.put_public_access_block(Bucket="hubfix-bench-warm-up", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.delete_public_access_block(Bucket="hubfix-bench-warm-up")
    s3.delete_bucket(Bucket="hubfix-bench-warm-up")


def custom_action_events(findings: list[dict], directory: Path) -> list[Path]:
    template = json.loads((ROOT / "events/custom-action-remediate.json").read_text())
    paths = []
    for i in range(0, len(findings), 100):
        event = dict(template)
        event["detail"] = {**template["detail"], "findings": findings[i:i + 100]}
        path = directory / f"event-{i // 100}.json"
        path.write_text(json.dumps(event))
        paths.append(path)
    return paths


def fixed(emu: Emulator, kind: str, names: list[str]) -> int:
    if kind == "s3":
        s3 = emu.client("s3")
        count = 0
        for name in names:
            try:
                c = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
                count += all(c.values())
            except s3.exceptions.ClientError:
                pass
        return count
    groups = emu.client("ec2").describe_security_groups(GroupIds=names)["SecurityGroups"]
    return sum(1 for g in groups if not g["IpPermissions"])


def custodian_policy(kind: str, n: int) -> str:
    if kind == "s3":
        return f"""policies:
  - name: s3-block-public
    resource: aws.s3
    filters:
      - {{type: value, key: Name, op: glob, value: "bench-{n}-*"}}
    actions:
      - {{type: set-public-block, BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}}
"""
    return """policies:
  - name: sg-open-ssh
    resource: aws.security-group
    filters:
      - {type: ingress, Ports: [22], Cidr: {value: "0.0.0.0/0"}}
    actions:
      - {type: remove-permissions, ingress: matched}
"""


def run_tool(tool: str, kind: str, n: int, bins: Path, call_log: Path | None = None, latency_ms: float = 0) -> dict:
    emu = Emulator(call_log, latency_ms)
    try:
        names, findings = seed(emu, kind, n)
        if call_log:
            call_log.write_text("")
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            if tool == "custodian":
                (tmp / "policy.yml").write_text(custodian_policy(kind, n))
                result = measure([str(CUSTODIAN), "run", "--cache-period", "0", "-s", str(tmp / "out"), str(tmp / "policy.yml")], emu.env(), tmp)
            elif tool == "hubfix":
                events = custom_action_events(findings, tmp)
                argv = [str(bins / "hubfix"), "invoke", "custom-action"]
                for e in events:
                    argv += ["--event", str(e)]
                result = measure(argv, emu.env())
            else:
                mode = "checked" if tool == "bare-checked" else "fix"
                (tmp / "resources").write_text("\n".join(
                    f"{name}\t{f['Id']}\t{f['ProductArn']}" for name, f in zip(names, findings)))
                result = measure([str(bins / "bare"), kind, str(tmp / "resources"), "8", mode], emu.env())
        result.pop("stdout")
        if call_log:
            result["calls"] = calls_per_resource(call_log, n)
        result["fixed"] = fixed(emu, kind, names)
        if result["fixed"] != n:
            raise RuntimeError(f"{tool} fixed {result['fixed']} of {n} {kind} resources")
        return result
    finally:
        emu.close()


def calls_per_resource(call_log: Path, n: int) -> dict:
    """The API calls a tool made, from the counting emulator's log: per resource fixed,
    by operation, with the emulator's time serving them."""
    by_op: dict[str, dict] = {}
    for line in call_log.read_text().splitlines():
        service, op, seconds = line.split("\t")
        entry = by_op.setdefault(f"{service} {op}", {"calls": 0, "emulator_s": 0.0})
        entry["calls"] += 1
        entry["emulator_s"] += float(seconds)
    total = sum(e["calls"] for e in by_op.values())
    return {"per_resource": total / n, "total": total,
            "emulator_s": sum(e["emulator_s"] for e in by_op.values()),
            "by_operation": dict(sorted(by_op.items(), key=lambda kv: -kv[1]["calls"]))}


TOOLS = ("bare", "bare-checked", "hubfix", "custodian")


def call_profile(bins: Path, n: int) -> dict:
    """Each tool once more, at N, against the counting emulator (not timed: the count
    and the emulator's time per operation say where each tool's time goes)."""
    profile: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("s3", "sg"):
            for tool in TOOLS:
                r = run_tool(tool, kind, n, bins, Path(tmp) / f"{kind}-{tool}.log")
                profile.setdefault(kind, {})[tool] = r["calls"]
                print(f"{kind:<3} N={n:<5} {tool:<10} {r['calls']['per_resource']:.2f} calls a resource, "
                      f"emulator {r['calls']['emulator_s']:.2f} s", flush=True)
    return profile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rie_binary() -> Path:
    arch = "arm64" if os.uname().machine == "aarch64" else "x86_64"
    found = list((ROOT / ".venv/lib").glob(f"*/site-packages/samcli/local/rapid/aws-lambda-rie-{arch}"))
    if not found:
        raise RuntimeError("aws-lambda-rie not found: run `make venv`")
    return found[0]


def invoke(port: int, event: dict, timeout: float = 120) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations",
                                 data=json.dumps(event).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def peak_rss_of_children(pid: int) -> float:
    """VmHWM (peak resident set) of the process's children, in MB."""
    peak = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def start_function(bootstrap: Path, emu: Emulator) -> tuple[subprocess.Popen, int, float]:
    port, api_port = free_port(), free_port()
    # HUBFIX_HOME_ACCOUNT as the template sets it for a deployed function.
    env = {**emu.env(), "AWS_LAMBDA_FUNCTION_NAME": bootstrap.name, "RUST_LOG": "warn",
           "AWS_EC2_METADATA_DISABLED": "true", "HUBFIX_HOME_ACCOUNT": ACCOUNT}
    started = time.perf_counter()
    proc = subprocess.Popen([str(rie_binary()), "--runtime-interface-emulator-address", f"127.0.0.1:{port}",
                             "--runtime-api-address", f"127.0.0.1:{api_port}", str(bootstrap)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port, started


def wait_for_response(port: int, event: dict) -> dict:
    deadline = time.time() + 30
    while True:
        try:
            return invoke(port, event)
        except (ConnectionError, urllib.error.URLError):
            if time.time() > deadline:
                raise
            time.sleep(0.002)


def cold_starts(bins: Path, repeats: int = 7) -> dict:
    """Process start to first response, and peak RSS, of each function binary: with a
    real event (the function handles one finding against the emulator: several API
    calls), the same kind of event again once warm, and, in another fresh process, an
    event that needs no API call (its one finding has no ProductArn: refused as
    malformed, nothing recorded), which is the start-up alone (RIE included). Each
    `repeats` times with fresh processes; the median, with the range."""
    results = {}
    for name, event_file in [("auto-remediate", "s3-8-imported.json"), ("custom-action", "custom-action-dryrun.json")]:
        emu = Emulator()
        try:
            names, findings = seed(emu, "s3", 2 * repeats)
            template = json.loads((ROOT / "events" / event_file).read_text())

            def event(finding: dict) -> dict:
                return {**template, "detail": {**template["detail"], "findings": [finding]}}

            new = [{**f, "Workflow": {"Status": "NEW"}} for f in findings]
            samples: dict[str, list[float]] = {"first_response_ms": [], "warm_response_ms": [],
                                               "no_call_first_response_ms": [], "peak_rss_mb": []}
            for i in range(repeats):
                no_call = {k: v for k, v in new[2 * i].items() if k != "ProductArn"}
                proc, port, started = start_function(bins / name, emu)
                wait_for_response(port, event(no_call))
                samples["no_call_first_response_ms"].append((time.perf_counter() - started) * 1000)
                proc.kill()
                proc.wait()

                proc, port, started = start_function(bins / name, emu)
                response = wait_for_response(port, event(new[2 * i]))
                samples["first_response_ms"].append((time.perf_counter() - started) * 1000)
                again = time.perf_counter()
                invoke(port, event(new[2 * i + 1]))
                samples["warm_response_ms"].append((time.perf_counter() - again) * 1000)
                samples["peak_rss_mb"].append(peak_rss_of_children(proc.pid))
                proc.kill()
                proc.wait()
            results[name] = {key: sorted(v)[len(v) // 2] for key, v in samples.items()}
            results[name]["range"] = {key: [min(v), max(v)] for key, v in samples.items()}
            results[name]["summary"] = response.get("summary")
        finally:
            emu.close()
    return results


SCALING_SIZES = (1, 3, 10, 30, 100)


def scaling(bins: Path, latency_ms: float = 0) -> dict:
    """One custom-action event with 1 to 100 findings to a warm function, for S3.8
    buckets and EC2.13 groups, each call held `latency_ms` by the emulator: ms per
    event, by kind and size."""
    results: dict = {}
    template = json.loads((ROOT / "events/custom-action-remediate.json").read_text())
    for kind in ("s3", "sg"):
        emu = Emulator(latency_ms=latency_ms)
        try:
            proc, port, _ = start_function(bins / "custom-action", emu)
            _, warm = seed(emu, kind, 1)
            wait_for_response(port, {**template, "detail": {**template["detail"], "findings": warm}})
            results[kind] = {}
            for k in SCALING_SIZES:
                _, findings = seed(emu, kind, k, prefix=f"scale-{k}")
                event = {**template, "detail": {**template["detail"], "findings": findings}}
                start = time.perf_counter()
                response = invoke(port, event)
                results[kind][k] = {"ms": (time.perf_counter() - start) * 1000,
                                    "summary": response.get("summary")}
            proc.kill()
            proc.wait()
        finally:
            emu.close()
    return results


PLOT_COLOURS = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd")


def plot(curves: dict[str, dict], path: Path) -> None:
    """Scaling curves as a small SVG, log-log: time per event against findings per
    event, each with the line of linear growth from one finding (dashed) for
    comparison. `curves` maps a legend label to a scaling curve."""
    curves = {label: {int(k): r for k, r in curve.items()} for label, curve in curves.items()}
    w, h, pad = 640, 400, 60
    ks = sorted({k for curve in curves.values() for k in curve})
    values = [r["ms"] for c in curves.values() for r in c.values()] + [c[ks[0]]["ms"] * ks[-1] for c in curves.values()]
    lo, hi = math.log10(min(values) / 1.5), math.log10(max(values) * 1.5)
    x = lambda k: pad + (w - 2 * pad) * math.log10(k) / math.log10(ks[-1])
    y = lambda ms: h - pad - (h - 2 * pad) * (math.log10(ms) - lo) / (hi - lo)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{pad}" y1="{h-pad}" x2="{w-pad}" y2="{h-pad}" stroke="black"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h-pad}" stroke="black"/>',
             f'<text x="{w/2}" y="{h-16}" text-anchor="middle">findings in one custom-action event (log scale)</text>',
             f'<text x="14" y="{h/2}" transform="rotate(-90 14 {h/2})" text-anchor="middle">ms per event (log scale)</text>',
             f'<text x="{w/2}" y="22" text-anchor="middle" font-weight="bold">hubfix custom-action function, warm: time per event</text>']
    for k in ks:
        parts.append(f'<text x="{x(k):.1f}" y="{h-pad+16}" text-anchor="middle">{k}</text>')
    for row, (label, curve) in enumerate(curves.items()):
        c, first = PLOT_COLOURS[row % len(PLOT_COLOURS)], curve[ks[0]]["ms"]
        points = " ".join(f"{x(k):.1f},{y(r['ms']):.1f}" for k, r in sorted(curve.items()))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{c}" stroke-width="2"/>')
        parts.append(f'<line x1="{x(ks[0]):.1f}" y1="{y(first):.1f}" x2="{x(ks[-1]):.1f}" y2="{y(first * ks[-1]):.1f}" stroke="{c}" stroke-dasharray="4 4"/>')
        for k, r in curve.items():
            parts.append(f'<circle cx="{x(k):.1f}" cy="{y(r["ms"]):.1f}" r="4" fill="{c}"/>')
            parts.append(f'<text x="{x(k) + 6:.1f}" y="{y(r["ms"]) + 14:.1f}" fill="{c}">{r["ms"]:.0f}</text>')
        parts.append(f'<text x="{pad + 10}" y="{pad - 14 + 16 * row}" fill="{c}">{label}</text>')
    parts.append(f'<text x="{w - pad}" y="{h - pad - 8}" text-anchor="end" fill="#555">dashed: linear growth from 1 finding</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts))


NAMES = {"s3": "S3.8 public buckets", "sg": "EC2.13 open SSH groups"}


def scaling_curves(results: dict) -> dict[str, dict]:
    """The run's scaling curves by legend label, with the modelled-latency ones."""
    curves = {NAMES[kind]: curve for kind, curve in results["scaling"].items()}
    if "latency" in results:
        ms = results["latency"]["ms"]
        curves |= {f"{NAMES[kind]}, {ms:g} ms a call": curve for kind, curve in results["latency"]["scaling"].items()}
    return curves


def tools_table(tools: dict) -> list[str]:
    """Each tool's wall time, CPU time and memory, by kind and N, with the ratios."""
    lines = ["| Resources | N | Tool | Wall s | CPU s | Peak MB | At peak: anonymous + file-backed MB | Custodian / hubfix (wall, CPU, memory) | hubfix over bare, same calls / fix alone (wall, per finding) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind, by_n in tools.items():
        for n, by_tool in by_n.items():
            c, h, b, bc = by_tool["custodian"], by_tool["hubfix"], by_tool["bare"], by_tool["bare-checked"]
            for name, r in (("Custodian", c), ("hubfix", h), ("bare: same calls as hubfix", bc), ("bare: the fix alone", b)):
                ratio = over = ""
                if "error" in r:
                    lines.append(f"| {NAMES[kind]} | {n} | {name} | failed: {r['error'].splitlines()[-1][:120]} | | | | | |")
                    continue
                if name == "hubfix" and not any("error" in t for t in (c, b, bc)):
                    ratio = f"{c['wall_s'] / h['wall_s']:.1f}x, {c['cpu_s'] / h['cpu_s']:.1f}x, {c['peak_rss_mb'] / h['peak_rss_mb']:.1f}x"
                    over = " / ".join(f"{(h['wall_s'] / base['wall_s'] - 1) * 100:+.0f}% ({(h['wall_s'] - base['wall_s']) / int(n) * 1000:+.1f} ms)"
                                      for base in (bc, b))
                split = f"{r.get('peak_anon_mb', 0):.1f} + {r.get('peak_file_mb', 0):.1f}"
                lines.append(f"| {NAMES[kind]} | {n} | {name} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_rss_mb']:.1f} | {split} | {ratio} | {over} |")
    return lines


def scaling_table(scale: dict) -> list[str]:
    """Time per event and per finding, by findings per event."""
    lines = ["| Findings in one event | S3.8: ms per event | ms per finding | EC2.13: ms per event | ms per finding |",
             "|---|---|---|---|---|"]
    s3, sg = scale["s3"], scale["sg"]
    for k in s3:
        lines.append(f"| {k} | {s3[k]['ms']:.0f} | {s3[k]['ms'] / int(k):.1f} | {sg[k]['ms']:.0f} | {sg[k]['ms'] / int(k):.1f} |")
    return lines


def markdown(results: dict) -> str:
    """The results as the tables of BENCHMARKS.md."""
    lines = tools_table(results["tools"])
    lines += ["", "| Function (median of fresh processes, range) | First response to a real event (process start to response) | Same event, warm | First response to an event needing no API call | Peak RSS |",
              "|---|---|---|---|---|"]
    for name, r in results["cold_start"].items():
        span = lambda key, unit, fmt: (f"{r[key]:{fmt}} {unit}" + (f" ({r['range'][key][0]:{fmt}}–{r['range'][key][1]:{fmt}})" if "range" in r else ""))
        lines.append(f"| {name} | {span('first_response_ms', 'ms', '.0f')} | {span('warm_response_ms', 'ms', '.0f')} | "
                     f"{span('no_call_first_response_ms', 'ms', '.0f')} | {span('peak_rss_mb', 'MB', '.1f')} |")
    lines += [""] + scaling_table(results["scaling"])
    if "latency" in results:
        latency = results["latency"]
        lines += ["", f"With {latency['ms']:g} ms held on every call (modelled network and AWS time):", ""]
        lines += tools_table(latency["tools"]) + [""] + scaling_table(latency["scaling"])
    lines += ["", f"| Binary (x86_64, {results.get('build', 'measure')} build) | MB |", "|---|---|"]
    for name, mb in results["binary_mb"].items():
        lines.append(f"| {name} | {mb:.1f} |")
    if "calls" in results:
        n = results["calls"]["n"]
        lines += ["", f"| Resources (N = {n}) | Tool | API calls a resource | Emulator s serving them | By operation (calls a resource) |",
                  "|---|---|---|---|---|"]
        for kind in ("s3", "sg"):
            for tool, label in (("bare", "bare: the fix alone"), ("bare-checked", "bare: same calls as hubfix"), ("hubfix", "hubfix"), ("custodian", "Custodian")):
                c = results["calls"][kind][tool]
                ops = ", ".join(f"{op} {e['calls'] / n:.2f}" for op, e in list(c["by_operation"].items())[:8])
                lines.append(f"| {NAMES[kind]} | {label} | {c['per_resource']:.2f} | {c['emulator_s']:.2f} | {ops} |")
    load = results["machine"]
    lines += ["", f"Load average (1, 5, 15 min) before the run: {', '.join(f'{x:.2f}' for x in load['load_before'])}; "
              f"after: {', '.join(f'{x:.2f}' for x in load.get('load_after', ()))}."]
    return "\n".join(lines) + "\n"


def compare(bins: Path, sizes: list[int], latency_ms: float = 0) -> dict:
    """Every tool on every kind of resource and N, each call held `latency_ms`."""
    tools: dict = {}
    for kind in ("s3", "sg"):
        for n in sizes:
            for tool in TOOLS:
                try:
                    r = run_tool(tool, kind, n, bins, latency_ms=latency_ms)
                except RuntimeError as e:
                    r = {"error": str(e)[-300:]}
                    print(f"{kind:<3} N={n:<5} {tool:<12} FAILED: {r['error']}", flush=True)
                else:
                    print(f"{kind:<3} N={n:<5} {tool:<12} wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:6.2f} s  "
                          f"peak {r['peak_rss_mb']:6.1f} MB{f'  ({latency_ms:g} ms a call)' if latency_ms else ''}", flush=True)
                tools.setdefault(kind, {}).setdefault(str(n), {})[tool] = r
    return tools


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--calls", type=int, default=100, metavar="N",
                        help="count each tool's API calls at N resources (0: do not)")
    parser.add_argument("--latency-ms", type=float, default=20, metavar="MS",
                        help="run the comparison at N = 100 and the scaling again with every call held MS "
                             "milliseconds, a model of AWS's network and service time (0: do not)")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    bins = args.bin_dir.resolve()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                 "load_before": os.getloadavg()},
                     "build": bins.name}
    results["tools"] = compare(bins, args.sizes)
    results["cold_start"] = cold_starts(bins)
    print(json.dumps(results["cold_start"]), flush=True)
    results["scaling"] = scaling(bins)
    print(json.dumps(results["scaling"]), flush=True)
    if args.latency_ms:
        results["latency"] = {"ms": args.latency_ms, "tools": compare(bins, [100], args.latency_ms),
                              "scaling": scaling(bins, args.latency_ms)}
        print(json.dumps(results["latency"]["scaling"]), flush=True)
    plot(scaling_curves(results), args.out.parent / "scaling.svg")
    results["binary_mb"] = {name: (bins / name).stat().st_size / 2**20 for name in ("auto-remediate", "custom-action", "hubfix")}
    if args.calls:
        results["calls"] = {"n": args.calls, **call_profile(bins, args.calls)}
    results["machine"]["load_after"] = os.getloadavg()
    args.out.write_text(json.dumps(results, indent=2))
    (args.out.parent / "results.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
