# The two commands of the README: `make run` and `make test`.
GO ?= go
DATA ?= $(HOME)/.local/share/worktalk-demo

.PHONY: run test setup bench serve

setup:
	@scripts/setup.sh

# Starts the reference server with the demo data.
run: setup
	$(GO) run ./cmd/worktalkd serve --demo --data $(DATA) --addr 127.0.0.1:8630

test: setup
	@scripts/test.sh

bench: setup
	$(GO) test -run '^$$' -bench . -benchmem ./...
