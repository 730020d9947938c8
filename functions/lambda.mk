# How `sam build` builds the functions (BuildMethod: makefile, run with --build-in-source):
# for each function, SAM runs `make build-<LogicalId>` in the function's folder (its CodeUri)
# with ARTIFACTS_DIR set. The first call builds the ten functions' binaries in one
# cargo-lambda run for arm64 — one dependency graph, the shared `missive` crate compiled once
# for all of them — and the next calls find them built. Each copies its own as `bootstrap`.
ROOT := $(abspath $(CURDIR)/../..)
CRATE := $(notdir $(CURDIR))
FUNCTIONS := ws-authorizer ws-connect ws-disconnect ws-message http-api notify-worker email-worker scheduler deploy-check canary

build-%:
	cd $(ROOT) && cargo lambda build --release --arm64 $(addprefix --package ,$(FUNCTIONS))
	cp $(ROOT)/target/lambda/$(CRATE)/bootstrap $(ARTIFACTS_DIR)/bootstrap
