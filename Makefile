# The two commands of README.md: `make run` and `make test`.
BUILD_DIR ?= build
DATA_DIR ?= $(CURDIR)/data
JOBS ?= $(shell nproc)
# Leaks are reported by the fuzzers (per input), not by every short-lived process of the suite.
ASAN_OPTIONS_TEST ?= detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1

.PHONY: run test deps build viewer clean bench package sanitize-build test-asan fuzz

deps:
	@bash scripts/install-deps.sh

build: deps viewer
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The browser viewer: TypeScript compiled and bundled into viewer/dist (served by atrium serve at /).
viewer: deps
	@cd viewer && (test -d node_modules || npm ci --no-audit --no-fund --loglevel=error) && npm run --silent build >/dev/null

run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD_DIR)/atrium serve --config config/atrium.example.json --data $(DATA_DIR)

# Warnings are errors here and in CI (.ci/run calls make test), never in a user's own build. The
# whole suite then runs again under AddressSanitizer and UBSan (test-asan, its own build folder).
test: deps viewer
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATRIUM_WERROR=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 900
	@$(MAKE) --no-print-directory test-asan

# The same suite on a build with AddressSanitizer and UBSan (clang, its own folder, build-asan/), and
# coverage-guided fuzzing of every parser that takes outside input (fuzz/README.md), FUZZ_SECONDS each.
SAN_DIR ?= build-asan
FUZZ_SECONDS ?= 300
sanitize-build: viewer
	@bash scripts/install-deps.sh --sanitizers
	@cmake -S . -B $(SAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DATRIUM_SANITIZE=ON -DATRIUM_LIBFUZZER=ON >/dev/null
	@cmake --build $(SAN_DIR) -j $(JOBS)

test-asan: sanitize-build
	cd $(SAN_DIR) && ASAN_OPTIONS=$(ASAN_OPTIONS_TEST) UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure --timeout 1800 -j $(JOBS)

fuzz: sanitize-build
	@bash scripts/run-fuzzers.sh $(SAN_DIR) $(FUZZ_SECONDS)

# A Debian package (build/atrium_<version>_<arch>.deb): binary, viewer, model, /etc/atrium/atrium.json,
# a systemd unit running as user atrium with data in /var/lib/atrium. Install: apt install ./build/atrium_*.deb
package: build
	cd $(BUILD_DIR) && cpack -G DEB

bench: build
	/usr/bin/python3 bench/ingest --atrium $(BUILD_DIR)/atrium

clean:
	rm -rf $(BUILD_DIR) viewer/dist
