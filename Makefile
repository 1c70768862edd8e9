# hubfix: the two commands a newcomer needs are `make demo` and `make test`.
# Everything they need (Rust crates, the Python emulator in .venv) is installed here.

VENV        := .venv
CHECKOV_VENV := .venv-checkov
PYTHON      := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip
SYSTEM_PY   ?= python3
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TERM_COLOR ?= never

# One package and feature set for every cargo invocation: the whole workspace. cargo
# resolves each dependency's features from the packages an invocation selects, so a
# `cargo build -p <a few packages>` after `cargo test --workspace` compiled every AWS SDK
# crate a second time. Every recipe below selects the workspace and names the targets it
# needs; tests/integration/makefile.rs checks that they do, and that dev-dependencies add
# no features either (see docs/development.md, "One build").
CARGO_PACKAGES := --workspace
DEBUG_BIN      := $(CARGO_TARGET_DIR)/debug
# Where `make cli` puts `hubfix`: where `cargo install` would.
CARGO_BIN_DIR  ?= $(or $(CARGO_INSTALL_ROOT),$(CARGO_HOME),$(HOME)/.cargo)/bin

.PHONY: test demo sandbox cli bench storm venv chromium checkov-venv lint templates unit emulator-test integration generated clean

## venv: the project-local virtualenv with the pinned AWS emulator (moto) and test tools.
venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt tests/emulator/requirements.txt
	$(SYSTEM_PY) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## chromium: the headless browser the compliance report's HTML test renders the page
## in. When it is missing, installs Debian's package if it can (root, apt-get: CI is a
## fresh Debian machine); otherwise stops at once with the command that installs it.
chromium:
	@sh tests/chromium.sh

## checkov: its own virtualenv, because its exact pins (boto3, networkx, packaging)
## conflict with the emulator's and cfn-lint's (requirements-checkov.txt).
checkov-venv: $(CHECKOV_VENV)/.installed

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(SYSTEM_PY) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

## demo: hubfix's main job, locally: the emulator, a misconfigured account, the real
## functions under the Lambda Runtime Interface Emulator, before and after, Security
## Hub's next check of the fixed resources, and the compliance report.
demo: venv
	cargo build --locked -q $(CARGO_PACKAGES) --bin auto-remediate --bin custom-action --bin demo
	HUBFIX_FUNCTIONS_DIR=$(DEBUG_BIN) $(DEBUG_BIN)/demo

## cli: the `hubfix` command, from the build `make test` and `make demo` share, copied
## into ~/.cargo/bin (`cargo install --locked --path cli` builds an optimised one).
cli:
	cargo build --locked -q $(CARGO_PACKAGES) --bin hubfix
	mkdir -p $(CARGO_BIN_DIR)
	cp $(DEBUG_BIN)/hubfix $(CARGO_BIN_DIR)/hubfix
	@echo "installed $(CARGO_BIN_DIR)/hubfix"

## sandbox: the emulator with two accounts' misconfigured resources and findings, and a
## bare organisation for `hubfix setup` (docs/foundation.md), for trying the `hubfix`
## command by hand; writes .sandbox.env; Enter stops it.
sandbox: venv
	cargo build --locked -q $(CARGO_PACKAGES) --bin sandbox
	$(DEBUG_BIN)/sandbox

## bench: hubfix against Cloud Custodian and the bare API calls, cold starts, scaling
## (whole processes, bench/bench.py), and the core in-process (criterion). See BENCHMARKS.md.
## Its own profile (`measure`), so it shares no artefacts with the debug build, but its
## two invocations share theirs.
bench: venv .venv-bench/.installed
	cargo build --locked -q --profile measure $(CARGO_PACKAGES) --bin auto-remediate --bin custom-action --bin hubfix --bin bare
	.venv-bench/bin/python bench/bench.py --bin-dir $(CARGO_TARGET_DIR)/measure --out bench/results.json
	cargo bench --locked --profile measure $(CARGO_PACKAGES) --bench core

.venv-bench/.installed: bench/requirements.txt
	$(SYSTEM_PY) -m venv .venv-bench
	.venv-bench/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

## storm: the automatic path at organisation scale, in the emulator (a benchmark, not
## part of `make test`, which runs a 2,000-finding storm): 60,000 findings from 500
## accounts x 3 regions in 10 minutes, then again through the fault-injecting proxy.
## Prints one last line per run; fails when a target is missed. See docs/scale.md.
FINDINGS ?= 60000
ACCOUNTS ?= 500
REGIONS  ?= 3
ARRIVAL  ?= 600
storm: venv
	cargo build --locked -q --profile measure $(CARGO_PACKAGES) --bin storm
	$(CARGO_TARGET_DIR)/measure/storm --findings $(FINDINGS) --accounts $(ACCOUNTS) --regions $(REGIONS) --arrival-secs $(ARRIVAL)
	$(CARGO_TARGET_DIR)/measure/storm --findings $(FINDINGS) --accounts $(ACCOUNTS) --regions $(REGIONS) --arrival-secs $(ARRIVAL) --faults

## lint: formatting and clippy, warnings are errors.
lint:
	cargo fmt --all -- --check
	cargo clippy --locked $(CARGO_PACKAGES) --all-targets -- -D warnings

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

## unit: the tests that need no emulator: every crate's unit tests and the core
## library's fuzz and redaction tests.
unit:
	cargo test --locked $(CARGO_PACKAGES) --lib --bins --test fuzz --test redaction

## integration: everything against the emulator, through the real SDK clients.
integration: venv chromium
	cargo test --locked $(CARGO_PACKAGES)

## test: every test hubfix has. CI runs this. The chromium check comes first, so that a
## machine without it stops at once.
test: chromium venv lint templates emulator-test integration

## generated: regenerate what is generated from the rule registry (the supported-controls
## table in docs/controls.md, the templates' IAM action lists).
generated:
	HUBFIX_UPDATE_GENERATED=1 cargo test --locked $(CARGO_PACKAGES) --test integration -- readme template asr

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .venv-bench target
