# The two commands of README.md: `make run` and `make test`.
BUILD_DIR ?= build
DATA_DIR ?= $(CURDIR)/data
JOBS ?= $(shell nproc)

.PHONY: run test deps build viewer clean bench package

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

# Warnings are errors here and in CI (.ci/run calls make test), never in a user's own build.
test: deps viewer
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATRIUM_WERROR=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 900

# A Debian package (build/atrium_<version>_<arch>.deb): binary, viewer, model, /etc/atrium/atrium.json,
# a systemd unit running as user atrium with data in /var/lib/atrium. Install: apt install ./build/atrium_*.deb
package: build
	cd $(BUILD_DIR) && cpack -G DEB

bench: build
	/usr/bin/python3 bench/ingest --atrium $(BUILD_DIR)/atrium

clean:
	rm -rf $(BUILD_DIR) viewer/dist
