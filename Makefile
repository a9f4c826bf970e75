# Front door. `make` runs the main job, `make test` every test, `make check` the fast unit tests.
# Everything else is driven by CMake (build/) and the runner-kernel CLI it produces.

BUILD_DIR ?= build/tool
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
RK := $(BUILD_DIR)/runner-kernel
CMAKE_FLAGS ?=

.PHONY: all deps configure tool all-targets check test conformance conformance-selftest bench fuzz \
	format clean fetch resolve config-check kernels boot-test image menuconfig olddefconfig \
	kernel-tests rootfs workload-test

# The main job: fetch and verify the sources, resolve and check every variant, build each
# kernel, boot-test it and run the CI workload on it, and package the ones that pass into out/
# (an OCI layout in out/oci).
all: tool fetch resolve config-check kernels workload-test image
	@echo "done: kernels in out/<branch>/<arch>/, OCI layout in out/oci/"

fetch: tool
	@$(RK) fetch $(BRANCHES)

resolve: tool
	@$(RK) config resolve $(VARIANTS)

config-check: tool
	@$(RK) config check $(VARIANTS)
	@$(RK) config lint $(VARIANTS)

kernels: tool
	@$(RK) build $(VARIANTS)

boot-test: tool
	@$(RK) test $(VARIANTS)

image: tool
	@$(RK) image $(VARIANTS)

# The workload tests' guest root filesystems (src/rootfs/README.md): built once per recipe and
# lock, refused when the mirror's versions differ from rootfs/<arch>.lock (ROOTFS_ARGS=--update
# accepts them).
rootfs: tool
	@$(RK) rootfs $(ROOTFS_ARGS)

# The probes and the CI workload on every built kernel (scripts/workload-test.sh, the same path
# `make test` takes for 6.1-x86_64): each arch's rootfs, then `runner-kernel test --workload`.
workload-test: tool
	@RK=$(abspath $(RK)) scripts/workload-test.sh $(VARIANTS)

# The kernel's own habits, natively: `make menuconfig ARCH=arm64 KERNEL_BRANCH=6.1` opens the
# multi-variant editor focused on that variant; `make olddefconfig ...` resolves it.
KERNEL_BRANCH ?= 6.1
ARCH ?= x86_64
RK_ARCH := $(patsubst x86,x86_64,$(patsubst aarch64,arm64,$(ARCH)))
menuconfig: tool
	@$(RK) menuconfig --focus $(KERNEL_BRANCH)-$(RK_ARCH)

olddefconfig: tool
	@$(RK) config resolve $(KERNEL_BRANCH)-$(RK_ARCH)

# Installs the Debian packages the project needs (no-op when all are present).
deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

# The main job needs only the tool and the in-guest probe; tests and benchmarks are built by
# the targets that run them.
tool: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target runner-kernel probe

all-targets: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

check: all-targets
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Every test. The kernel trees are fetched first, by the same `runner-kernel fetch` (and pins)
# as the main job, and RK_NO_SKIP turns a test that would skip for lack of trees, tmux or
# skopeo into a failure: nothing passes here by not running. Then conformance, then the kernel
# tests (tests/kernels/run.sh: the 6.1-x86_64 variant built twice and boot-tested, the negative
# control, a small arm64 kernel booted).
test: all-targets fetch
	@cd $(BUILD_DIR) && RK_NO_SKIP=1 ctest --output-on-failure -j $(JOBS)
	@tests/conformance/run.sh --tool $(abspath $(RK)) --fetch-with $(abspath $(RK))
	@BUILD_DIR=$(BUILD_DIR) tests/kernels/run.sh

kernel-tests: all-targets
	@BUILD_DIR=$(BUILD_DIR) tests/kernels/run.sh $(STEPS)

conformance: tool
	@tests/conformance/run.sh --tool $(abspath $(RK)) --fetch-with $(abspath $(RK))

# Proves the conformance harness catches a broken tool (runs conf against itself; the tool only
# fetches the tree).
conformance-selftest: tool
	@tests/conformance/run.sh --self-test --fetch-with $(abspath $(RK))

# conf vs runner-kernel on the kernel trees: table + out/bench/kconfig.json. See bench/README.md
# (RK_BENCH_REPS, RK_BENCH_VERSIONS, ...); BENCH_ARGS go to Google Benchmark.
bench: all-targets
	@$(BUILD_DIR)/bench/kconfig-bench $(BENCH_ARGS)
	@$(BUILD_DIR)/bench/config-bench $(BENCH_ARGS)
	@if [ -x $(BUILD_DIR)/bench/tui/tui-bench ]; then $(BUILD_DIR)/bench/tui/tui-bench $(BENCH_ARGS); fi

# Builds the libFuzzer targets with clang and fuzzes each for FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DRK_FUZZ=ON -DRK_BUILD_TESTS=OFF \
	  -DRK_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target kconfig_parse_fuzzer config_reader_fuzzer
	@mkdir -p build-fuzz/corpus-parse build-fuzz/corpus-config
	build-fuzz/fuzz/kconfig_parse_fuzzer -max_total_time=$(FUZZ_SECONDS) -dict=fuzz/kconfig.dict \
	  build-fuzz/corpus-parse fuzz/corpus
	build-fuzz/fuzz/config_reader_fuzzer -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus-config

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
