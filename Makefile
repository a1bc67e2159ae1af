# golive: the commands people run. `make run` starts the bot, `make test`
# runs the checks CI runs. Go fetches the modules itself on first build.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Static build: go-sqlite3 needs cgo; these tags drop what would need the
# dynamic loader (extension loading, cgo DNS and user lookups).
STATIC_TAGS    := sqlite_omit_load_extension netgo osusergo
STATIC_LDFLAGS := -s -w $(LDFLAGS) -linkmode external -extldflags "-static"
IMAGE   ?= golive:$(VERSION)

.PHONY: run test faults fmt-check vet bench build build-static cgo lint boundaries docker up clean

## run: build and run `golive serve`, with the variables in .env when it exists.
run: build
	@set -a; if [ -f ./.env ]; then . ./.env; fi; set +a; \
	GOLIVE_LOG_FORMAT="$${GOLIVE_LOG_FORMAT:-text}" exec ./bin/golive serve

## test: gofmt check, go vet, and every test with the race detector; then
## the store's tests again on PostgreSQL, so that neither database drifts.
## The PostgreSQL tests start their own throwaway cluster, and skip without
## PostgreSQL unless GOLIVE_REQUIRE_POSTGRES=1 (docs/development.md).
test: cgo fmt-check vet
	$(GO) test -race ./...
	GOLIVE_TEST_STORE=postgres $(GO) test -race ./store/

## faults: the fault-injection suite (docs/development.md): the real binary
## killed with SIGKILL and Slack failing while launches run, every post
## counted. GOLIVE_FAULTS_RUNS raises the number of kill runs (50).
## Run from its directory, so that go test prints its summary table.
FAULTS_PARALLEL ?= 12
faults:
	cd faults && $(GO) test -tags faults -timeout 20m -parallel $(FAULTS_PARALLEL)

fmt-check:
	@files=$$( { git ls-files --cached --others --exclude-standard -- '*.go' 2>/dev/null \
		|| find . -name '*.go' -not -path './.git/*'; } | while read -r f; do [ -f "$$f" ] && echo "$$f"; done ); \
	unformatted=$$(echo "$$files" | xargs -r gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

## bench: every benchmark, with allocations.
## bench: every benchmark; PostgreSQL's throwaway cluster keeps fsync on, so
## that its commits compare with SQLite's synced ones (docs/benchmarks.md).
bench:
	GOLIVE_TEST_POSTGRES_DURABLE=1 $(GO) test -run '^$$' -bench . -benchmem ./...

## build: bin/golive for this machine.
build: cgo
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/golive ./cmd/golive

# cgo: SQLite (go-sqlite3) is C, built with cgo, which needs a C compiler.
# Without one Go turns cgo off and the build fails far from the cause, so
# say it first; and say that the first build takes minutes, not hang silent.
cgo:
	@if [ "$$($(GO) env CGO_ENABLED)" != 1 ]; then \
		echo "golive builds SQLite with cgo, which is off: no C compiler ($$($(GO) env CC)) was found, or CGO_ENABLED=0 is set." >&2; \
		echo "Install gcc and make (on Debian or Ubuntu: apt-get install build-essential), then run make again." >&2; \
		exit 1; fi
	@if [ "$$($(GO) list -f '{{.Stale}}' github.com/mattn/go-sqlite3)" != false ]; then \
		echo "First build: compiling SQLite's C code (go-sqlite3) takes a few minutes; later builds take seconds."; fi

## build-static: bin/golive-static, fully static (for the distroless image),
## then checks that it is static and that it starts.
build-static:
	CGO_ENABLED=1 $(GO) build -tags '$(STATIC_TAGS)' -ldflags '$(STATIC_LDFLAGS)' -o bin/golive-static ./cmd/golive
	@if command -v file >/dev/null; then file bin/golive-static | grep -qE 'statically linked|static-pie linked' \
		|| { echo "bin/golive-static is not statically linked:"; file bin/golive-static; exit 1; }; fi
	@if ldd bin/golive-static >/dev/null 2>&1; then echo "bin/golive-static is dynamic:"; ldd bin/golive-static; exit 1; fi
	./bin/golive-static version

## lint: go vet, gofmt, and the import boundaries.
lint: vet fmt-check boundaries

# Only cmd/ may import both bot/ and store/; internal/ and store/ import
# neither bot/ nor slack-go. The transports feed the bot through its entry
# points and import no other golive package, so that the bot's own tests
# can serve through them.
TRANSPORTS := ./bot/slackhttp ./bot/slacksocket
boundaries:
	@fail=0; mod=$$($(GO) list -m); \
	for pkg in $$($(GO) list $(TRANSPORTS)); do \
		if $(GO) list -deps "$$pkg" | grep -v "^$$pkg$$" | grep -qE "^$$mod/"; then \
			echo "$$pkg must import no other golive package: it is a transport"; fail=1; fi; \
	done; \
	for pkg in $$($(GO) list ./internal/... ./store/...); do \
		if $(GO) list -deps "$$pkg" | grep -qE "^($$mod/bot(/|$$)|github.com/slack-go/slack)"; then \
			echo "$$pkg must not depend on bot/ or slack-go"; fail=1; fi; \
	done; \
	for pkg in $$($(GO) list ./... | grep -v "^$$mod/cmd/"); do \
		deps=$$($(GO) list -deps "$$pkg"); \
		if echo "$$deps" | grep -qE "^$$mod/bot(/|$$)" && echo "$$deps" | grep -qE "^$$mod/store$$"; then \
			echo "$$pkg depends on both bot/ and store/: only cmd/ may wire them together"; fail=1; fi; \
	done; \
	exit $$fail

## docker: build the image (needs a Docker engine).
docker:
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE) .

## up: build the image of this version and start it with Docker Compose
## (.env is read when it exists).
up:
	VERSION=$(VERSION) docker compose up -d --build

clean:
	rm -rf bin
