# Quick start: `make run` serves the bundled fixtures on port 8080; `make test` runs
# the whole suite (plain build, then AddressSanitizer + UndefinedBehaviorSanitizer).
# Both install the Debian packages they need when run as root.

PACKAGES := build-essential cmake pkg-config clang clang-format curl \
            libmicrohttpd-dev libcjson-dev libsqlite3-dev libgnutls28-dev libcurl4-openssl-dev
# Node for the OpenAPI response validator (tests/openapi). Checked by command, not by
# package: a NodeSource nodejs bundles npm and conflicts with Debian's npm package.
NODE_PACKAGES := nodejs npm
JOBS     := $(shell nproc 2>/dev/null || echo 2)
BUILD    := build
ASAN     := build-asan
PORT     ?= 8080

.PHONY: all deps test-deps build package run test test-plain test-asan format format-check bench soak fuzz test-valgrind clean

all: build

# Installs what is missing: as root directly, otherwise prints the one command to run.
define install_missing
	@missing=""; for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' \
	        || missing="$$missing $$p"; \
	done; \
	$(2) \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        export DEBIAN_FRONTEND=noninteractive; \
	        apt-get update && apt-get install -y $$missing; \
	    else \
	        echo "missing packages; run: sudo apt-get install -y$$missing"; exit 1; \
	    fi; \
	fi
endef

deps:
	$(call install_missing,$(PACKAGES),)

# Only the test suite needs Node (the OpenAPI response validator, tests/openapi, and
# Adobe's libraries, tests/sdk) and Python (tests/sdk).
test-deps: deps
	$(call install_missing,,command -v node >/dev/null && command -v npm >/dev/null || missing="$(NODE_PACKAGES)"; \
	    command -v python3 >/dev/null || missing="$$missing python3";)
	@# pytest for the Python helper's plugin test (clients/python), a JDK and Debian's
	@# JUnit 5 for the Java helper (clients/java).
	$(call install_missing,python3-pytest default-jdk-headless junit5,)
	@# xmllint validates the report's JUnit output against schema/report-junit.xsd.
	$(call install_missing,libxml2-utils,)
	@# The npm packages of the validator and of the SDK tests (Adobe's own libraries),
	@# each pinned by its package-lock.json.
	@if [ ! -d tests/openapi/node_modules ]; then npm ci --prefix tests/openapi; fi
	@if [ ! -d tests/sdk/node_modules ]; then npm ci --prefix tests/sdk; fi
	@# The dashboard's browser test (tests/ui): Debian's Chromium, driven by playwright-core.
	$(call install_missing,chromium,)
	@if [ ! -d tests/ui/node_modules ]; then npm ci --prefix tests/ui; fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Serving needs the server alone: not the tests, the benchmark or the fuzzers.
run: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target campaign-mock
	./$(BUILD)/campaign-mock --port $(PORT)

# A .deb of the server (CPack; its dependencies read off the binary by dpkg-shlibdeps),
# in $(BUILD)/package/. Install it with: sudo apt install ./$(BUILD)/package/*.deb
package: build
	cd $(BUILD) && cpack -G DEB

format-check: deps
	cmake -DSOURCE_DIR=$(CURDIR) -P cmake/format.cmake

format: deps
	cmake -DSOURCE_DIR=$(CURDIR) -DFIX=1 -P cmake/format.cmake

test-plain: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: test-deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCAMPAIGN_MOCK_SANITIZE=ON
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

test: format-check test-plain test-asan

# valgrind for the bench's instruction counts (callgrind); the smoke test does without.
.PHONY: bench-deps
bench-deps: deps
	$(call install_missing,valgrind,)

bench: build bench-deps
	./$(BUILD)/bench-campaign-mock

# The soak: one server under a mixed load for MINUTES (default 60), sampled every 10 s
# (a table on stdout, $(BUILD)/soak.csv); exit 1 when RSS, descriptors, threads or
# latency are not flat or an answer was not the one expected. SOAK_FLAGS adds options,
# e.g. make soak MINUTES=10 SOAK_FLAGS='--db /tmp/soak.db --rate 500'.
MINUTES    ?= 60
SOAK_FLAGS ?=
soak: build
	./$(BUILD)/soak-campaign-mock --minutes $(MINUTES) --csv $(BUILD)/soak.csv \
	    --server-log $(BUILD)/soak-server.log $(SOAK_FLAGS)

# The http tests (tests/http, ctest http.*) with every server process under valgrind
# memcheck, from a plain build of its own (-DCAMPAIGN_MOCK_VALGRIND=ON): fails unless
# each process that exited had 0 errors and nothing definitely, indirectly or possibly
# lost. One log per process in $(VALGRIND)/memcheck/, read by tests/valgrind/check.sh
# (also ctest's memcheck.check), whose summary is printed last. The tests left out, and
# why: tests/valgrind/excluded.txt.
VALGRIND     := build-valgrind
HTTP_TARGETS := $(patsubst tests/http/%.c,http_%,$(wildcard tests/http/test_*.c))

test-valgrind: deps
	$(call install_missing,valgrind,)
	cmake -S . -B $(VALGRIND) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAMPAIGN_MOCK_VALGRIND=ON
	cmake --build $(VALGRIND) -j $(JOBS) --target campaign-mock $(HTTP_TARGETS)
	@cd $(VALGRIND) && ctest --output-on-failure -j $(JOBS) -R '^http\.'; rc=$$?; \
	    echo; ../tests/valgrind/check.sh memcheck && exit $$rc

# libFuzzer over every fuzz target, SECONDS each (default 60), from a clang build of
# its own with -DCAMPAIGN_MOCK_FUZZ=ON. Each runs on a scratch copy of its corpus, so
# what it finds is not committed by accident; a crash, leak or hang fails the rule and
# its reproducer is kept under $(FUZZ)/fuzz-artifacts/ (see tests/fuzz/run.sh). One
# target, longer, on both cores: make fuzz FUZZ_TARGETS=jwt SECONDS=600 FUZZ_JOBS=2
FUZZ         := build-fuzz
SECONDS      ?= 60
FUZZ_JOBS    ?= 1
FUZZ_TARGETS ?= $(shell sed -n 's/^set(FUZZ_TARGETS \(.*\))$$/\1/p' tests/fuzz/CMakeLists.txt)

fuzz: deps
	@# clang's runtime (libFuzzer and the sanitizers, LeakSanitizer included) is a
	@# package of its own on Debian: libclang-rt-14-dev for clang 14.
	$(call install_missing,,v=$$(clang -dumpversion | cut -d. -f1); p=libclang-rt-$$v-dev; \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing=$$p;)
	CC=clang cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAMPAIGN_MOCK_FUZZ=ON
	cmake --build $(FUZZ) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ) $(SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ) $(VALGRIND)
