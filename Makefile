# hubfix: the two commands a newcomer needs are `make demo` and `make test`.
# Everything they need (Rust crates, the Python emulator in .venv) is installed here.

VENV        := .venv
CHECKOV_VENV := .venv-checkov
PYTHON      := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip
SYSTEM_PY   ?= python3
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TERM_COLOR ?= never

.PHONY: test demo sandbox cli bench storm venv chromium checkov-venv lint templates unit emulator-test integration generated clean

## venv: the project-local virtualenv with the pinned AWS emulator (moto) and test tools.
venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt tests/emulator/requirements.txt
	$(SYSTEM_PY) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## chromium: the headless browser the compliance report's HTML test renders the page
## in; installs Debian's package when it is missing (CI is a fresh Debian machine).
chromium:
	command -v chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

## checkov: its own virtualenv, because its exact pins (boto3, networkx, packaging)
## conflict with the emulator's and cfn-lint's (requirements-checkov.txt).
checkov-venv: $(CHECKOV_VENV)/.installed

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(SYSTEM_PY) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

## demo: hubfix's main job, locally: the emulator, a misconfigured account, the real
## functions under the Lambda Runtime Interface Emulator, before and after, and the
## compliance report.
demo: venv
	cargo build --locked -q -p auto-remediate -p custom-action -p hubfix-tests --bin demo
	HUBFIX_FUNCTIONS_DIR=$(CARGO_TARGET_DIR)/debug $(CARGO_TARGET_DIR)/debug/demo

## cli: the `hubfix` command, installed into ~/.cargo/bin.
cli:
	cargo install --locked --path cli

## sandbox: the emulator with two accounts' misconfigured resources and findings, and a
## bare organisation for `hubfix setup` (docs/foundation.md), for trying the `hubfix`
## command by hand; writes .sandbox.env; Enter stops it.
sandbox: venv
	cargo build --locked -q -p hubfix-tests --bin sandbox
	$(CARGO_TARGET_DIR)/debug/sandbox

# One package set for both cargo invocations of `make bench`, so that they resolve the same
# features and the SDK crates are compiled once.
BENCH_PACKAGES := -p auto-remediate -p custom-action -p hubfix-cli -p hubfix-tests -p hubfix-bench

## bench: hubfix against Cloud Custodian and the bare API calls, cold starts, scaling
## (whole processes, bench/bench.py), and the core in-process (criterion). See BENCHMARKS.md.
bench: venv .venv-bench/.installed
	cargo build --locked -q --profile measure $(BENCH_PACKAGES) --bin auto-remediate --bin custom-action --bin hubfix --bin bare
	.venv-bench/bin/python bench/bench.py --bin-dir $(CARGO_TARGET_DIR)/measure --out bench/results.json
	cargo bench --locked --profile measure $(BENCH_PACKAGES) --bench core

.venv-bench/.installed: bench/requirements.txt
	$(SYSTEM_PY) -m venv .venv-bench
	.venv-bench/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

## storm: the automatic path at organisation scale, in the emulator (a benchmark, not
## part of `make test`, which runs a 2,000-finding storm): 60,000 findings from 500
## accounts x 3 regions in 10 minutes, then again through the fault-injecting proxy.
## Prints one last line per run; fails when a target is missed. See README, Scale.
FINDINGS ?= 60000
ACCOUNTS ?= 500
REGIONS  ?= 3
ARRIVAL  ?= 600
storm: venv
	cargo build --locked -q -p auto-remediate -p custom-action -p hubfix-tests --bin storm
	$(CARGO_TARGET_DIR)/debug/storm --findings $(FINDINGS) --accounts $(ACCOUNTS) --regions $(REGIONS) --arrival-secs $(ARRIVAL)
	$(CARGO_TARGET_DIR)/debug/storm --findings $(FINDINGS) --accounts $(ACCOUNTS) --regions $(REGIONS) --arrival-secs $(ARRIVAL) --faults

## lint: formatting and clippy, warnings are errors.
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

## templates: the SAM templates validate, lint and pass checkov's security checks clean
## (offline; justified skips are in each resource's Metadata.checkov).
templates: venv checkov-venv
	SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint --template template.yaml
	$(VENV)/bin/cfn-lint template.yaml templates/member-role.yaml templates/drift-forwarder.yaml
	$(CHECKOV_VENV)/bin/checkov -f template.yaml -f templates/member-role.yaml -f templates/drift-forwarder.yaml \
		--framework cloudformation --compact --quiet --skip-download

## emulator-test: the emulator extension's own tests (real HTTP, boto3).
emulator-test: venv
	$(VENV)/bin/pytest -q tests/emulator

## unit: the core library's unit tests.
unit:
	cargo test --locked -p hubfix

## integration: everything against the emulator, through the real SDK clients.
integration: venv chromium
	cargo test --locked --workspace

## test: every test hubfix has. CI runs this.
test: venv lint templates emulator-test integration

## generated: regenerate what is generated from the rule registry (the README's
## supported-controls table, the templates' IAM action lists).
generated:
	HUBFIX_UPDATE_GENERATED=1 cargo test --locked -p hubfix-tests --test integration -- readme template

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .venv-bench target
