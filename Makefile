# The two commands of the README are `make run` and `make test`.
GO ?= go

.PHONY: run test setup smoke bench membench release serve

setup:
	@scripts/setup.sh

# The desktop app against an embedded server with the demo data.
run: setup
	$(GO) run ./cmd/worktalk --demo

# gofmt, go vet, every test with -race (UI headless), then the real app under Xvfb.
test: setup
	@scripts/test.sh
	@mkdir -p shots && scripts/smoke.sh shots/smoke.png

# The real app under Xvfb: waits for its window and saves a screenshot.
smoke: setup
	@mkdir -p shots && scripts/smoke.sh shots/smoke.png

# The reference server alone, with the demo data.
serve: setup
	$(GO) run ./cmd/worktalkd serve --demo --data $(HOME)/.local/share/worktalkd-demo --addr 127.0.0.1:8630

bench: setup
	$(GO) test -tags ci -run '^$$' -bench . -benchmem ./...

# The app's memory with a 10,000-message room against a bare Fyne window.
membench: setup
	@scripts/membench.sh

# Linux bundle (fyne package) and Windows .exe (MinGW); slow, kept out of `test`.
release: setup
	@scripts/release.sh
