# runnel — the Makefile is how everything is done.

GO        ?= go
BIN       := bin/runnel
FUZZTIME  ?= 10s

.PHONY: run build test vet unit race fuzz bench bench-go soak clean

## run: build and start the server on 127.0.0.1:6877 with data in ./runnel-data
run: build
	./$(BIN) serve

## build: build the runnel binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/runnel

## test: the whole suite — vet, unit/protocol/sqllogictest/client/crash tests, the
## concurrent packages again under the race detector, short fuzzing
test: vet unit race fuzz

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

unit:
	$(GO) test -count=1 -timeout 15m ./...
	cd bench/duckdb && $(GO) test -count=1 ./...

race:
	$(GO) test -race -count=1 -timeout 15m . ./storage ./operators ./server

## fuzz: a short run of each fuzz target (FUZZTIME each)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseText$$' -fuzztime $(FUZZTIME) ./vector
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeBinary$$' -fuzztime $(FUZZTIME) ./vector
	$(GO) test -run '^$$' -fuzz '^FuzzCompareJSON$$' -fuzztime $(FUZZTIME) ./vector
	$(GO) test -run '^$$' -fuzz '^FuzzArrayText$$' -fuzztime $(FUZZTIME) ./vector
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeBatch$$' -fuzztime $(FUZZTIME) ./vector
	$(GO) test -run '^$$' -fuzz '^FuzzConn$$' -fuzztime $(FUZZTIME) ./server
	$(GO) test -run '^$$' -fuzz '^FuzzSCRAMMessages$$' -fuzztime $(FUZZTIME) ./server
	$(GO) test -run '^$$' -fuzz '^FuzzStatement$$' -fuzztime $(FUZZTIME) .
	$(GO) test -run '^$$' -fuzz '^FuzzCopyFrom$$' -fuzztime $(FUZZTIME) .
	$(GO) test -run '^$$' -fuzz '^FuzzParseCursorText$$' -fuzztime $(FUZZTIME) .
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJSON$$' -fuzztime $(FUZZTIME) ./connectors/format
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCSV$$' -fuzztime $(FUZZTIME) ./connectors/format
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeDebezium$$' -fuzztime $(FUZZTIME) ./connectors/format
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeRawString$$' -fuzztime $(FUZZTIME) ./connectors/format
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeRawBytes$$' -fuzztime $(FUZZTIME) ./connectors/format

## bench: the Nexmark benchmark — every query as a pipeline into a blackhole, checked against
## the batch engine, 5 runs each (medians) — then DuckDB running q5 and q7 as batch queries over
## the same events, compared with runnel's figures. EVENTS sets the stream's size.
EVENTS ?= 10000000
bench: build
	mkdir -p bench-results
	./$(BIN) bench nexmark --events $(EVENTS) --runs 5 --output bench-results/runnel.json
	cd bench/duckdb && $(GO) run . --events $(EVENTS) --runs 5 --runnel ../../bench-results/runnel.json --json ../../bench-results/duckdb.json

## bench-go: the benchmarks of the engine's hot loops and the connectors (go test -bench), 5 runs
## each for benchstat
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./vector ./operators ./storage ./connectors/... .

## soak: the randomized view differential test with new seeds for SOAK (e.g. make soak SOAK=30m)
SOAK ?= 10m
soak:
	RUNNEL_SOAK=$(SOAK) $(GO) test -count=1 -timeout 0 -run '^TestViewsDifferential$$' .

clean:
	rm -rf bin bench-results

## bench-views: the materialized view benchmarks (views_bench_test.go), 3 runs each
.PHONY: bench-views
bench-views:
	$(GO) test -run '^$$' -bench '^BenchmarkView' -count 3 -timeout 60m .

## bench-clients: client-facing benchmarks (clients/bench_*_test.go): memory per idle
## connection, and pgbench point SELECTs on a view from 100 clients; 3 runs each
.PHONY: bench-clients
bench-clients:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 3 -timeout 30m ./clients
