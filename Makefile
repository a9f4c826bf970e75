# Front door. `make` runs the main job, `make test` every test, `make check` the fast unit tests.
# Everything else is driven by CMake (build/) and the runner-kernel CLI it produces.

BUILD_DIR ?= build
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
RK := $(BUILD_DIR)/runner-kernel
CMAKE_FLAGS ?=

.PHONY: all deps configure tool check test conformance bench fuzz format clean

all: tool
	@echo "runner-kernel built: $(RK)"

# Installs the Debian packages the project needs (no-op when all are present).
deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

tool: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

check: tool
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test: check conformance

conformance: tool
	@tests/conformance/run.sh --tool $(abspath $(RK))

bench: tool
	@$(BUILD_DIR)/bench/kconfig-bench

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
