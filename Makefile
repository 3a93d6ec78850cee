# saerl — build with nothing but a C++17 compiler and make.
#
#   make          build build/saerl and the test binary
#   make test     build and run every doctest suite; last line: "N passed, N failed"
#   make run      build, train the DQN and one SAE of each variant on its hidden layer,
#                 label their features: out/dqn.bin, out/sae-*.bin, out/results.json,
#                 out/report.html
#   make mcu      train the tiny preset, export it as a C++ header, build the Cortex-M4 firmware
#                 (examples/mcu) in float and int8, run it under qemu and compare with the host
#   make vendor   build tests/vendor/app.cpp as a project that vendors saerl, by copying the
#                 headers and as a Meson subproject, with -std=c++17 and -std=c++20
#   make bench    build tests/bench.cpp at -O3 -march=native and run it: throughput vs this core's peak
#   make bench-peer  make bench, then the PyTorch peer (tests/bench_torch.py: Debian's python3-torch)
#                 on the same work, and the ratios against the targets (docs/PERFORMANCE.md)
#   make examples build and run the teaching programs, a few seconds each: an MLP learning XOR
#                 with its gradient check, a DQN solving the maze, a toy model of superposition,
#                 the rook-checkmate pipeline in miniature (examples/<name>.cpp)
#   make fuzz     build the libFuzzer targets (tests/fuzz/, with clang++) and run each for
#                 FUZZ_SECONDS (default 60): model files, checkpoints, .npy, results.json, options
#   make clean    remove build/ and out/
#
# Variables: CXX=clang++, OPT=-O3, EXTRA="-fno-exceptions -fno-rtti", BUILD=build-asan, ...
# ARCH (default -march=native: the program is built where it runs; AVX2/AVX-512 kernels make
# training 2.5x faster than plain SSE2 here) set empty builds binaries for any x86-64: ARCH=.
# PORTABLE=1 builds with -DSAERL_PORTABLE (plain C++17 loops only, no vector extension or
# intrinsics), into build-portable unless BUILD is given: `make test PORTABLE=1`.
SHELL := /bin/bash
# every build uses the machine's cores (make -jN overrides)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
CXX ?= g++
STD ?= -std=c++17
OPT ?= -O2
ARCH ?= -march=native
WARN := -Wall -Wextra -Wpedantic -Werror
EXTRA ?=
PORTABLE ?=
BUILD ?= $(if $(filter 1,$(PORTABLE)),build-portable,build)
OUT ?= out
FLAGS := $(STD) $(OPT) $(if $(filter 1,$(PORTABLE)),,$(ARCH)) $(WARN) -I. $(EXTRA) $(if $(filter 1,$(PORTABLE)),-DSAERL_PORTABLE)

TEST_SRCS := $(wildcard tests/test_*.cpp)
TEST_OBJS := $(TEST_SRCS:tests/%.cpp=$(BUILD)/tests/%.o) $(BUILD)/tests/main.o

.PHONY: all test run minimal bench bench-peer mcu vendor clean doctest examples fuzz fuzz-build
all: $(BUILD)/saerl $(BUILD)/saerl_tests

# the program: one object per command (examples/cli/*.cpp)
CLI_SRCS := $(wildcard examples/cli/*.cpp)
CLI_OBJS := $(CLI_SRCS:examples/cli/%.cpp=$(BUILD)/cli/%.o)

COMMIT := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(BUILD)/cli/run.o: FLAGS += -DSAERL_COMMIT='"$(COMMIT)"'
# run.o is rebuilt when the commit changes: commit.txt is rewritten only then
$(BUILD)/cli/run.o: $(BUILD)/commit.txt
$(BUILD)/commit.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(COMMIT)' | cmp -s - $@ || echo '$(COMMIT)' > $@
.PHONY: FORCE
FORCE:

$(BUILD)/cli/%.o: examples/cli/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/saerl: $(CLI_OBJS)
	$(CXX) $(FLAGS) $^ -o $@

# (doctest's REQUIRE needs this define when exceptions are off; harmless otherwise)
$(BUILD)/tests/%.o: tests/%.cpp | doctest
	@mkdir -p $(@D)
	$(CXX) $(FLAGS) -DDOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS -MMD -MP -c $< -o $@

$(BUILD)/saerl_tests: $(TEST_OBJS)
	$(CXX) $(FLAGS) $^ -o $@

# Runs the suites and ends with doctest's counts of test cases as "N passed, N failed".
test: $(BUILD)/saerl_tests $(BUILD)/saerl
	@SAERL_BIN=$(BUILD)/saerl $(BUILD)/saerl_tests $(TESTFLAGS) 2>&1 | tee $(BUILD)/test.log; rc=$${PIPESTATUS[0]}; \
	awk -F'|' '/test cases:/ { gsub(/[^0-9]/, "", $$2); gsub(/[^0-9]/, "", $$3); p = $$2; f = $$3 } \
	  END { if (p == "") { p = 0; f = 1 } printf "%d passed, %d failed\n", p, f }' $(BUILD)/test.log; exit $$rc

EXAMPLES := xor maze_dqn superposition rook_features

$(BUILD)/examples/%: examples/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(FLAGS) -MMD -MP $< -o $@

examples: $(EXAMPLES:%=$(BUILD)/examples/%)
	@for e in $(EXAMPLES); do echo "== $(BUILD)/examples/$$e"; $(BUILD)/examples/$$e || exit 1; echo; done

# examples/minimal.cpp: the study in one page, on the library's headers alone
$(BUILD)/minimal: examples/minimal.cpp
	@mkdir -p $(@D)
	$(CXX) $(FLAGS) -MMD -MP $< -o $@

minimal: $(BUILD)/minimal

run: $(BUILD)/saerl
	$(BUILD)/saerl run --preset default --out $(OUT)

bench:
	@mkdir -p $(BUILD)
	$(CXX) -std=c++17 -O3 -march=native -Wall -Wextra -Wpedantic -Werror -I. tests/bench.cpp -o $(BUILD)/bench-native
	set -o pipefail; $(BUILD)/bench-native | tee $(BUILD)/bench.txt

# The peer runs with the machine's OpenBLAS core-type overrides unset (they pin a slow kernel).
PYTHON ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
bench-peer: bench
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PYTHON) tests/bench_torch.py | tee $(BUILD)/bench_torch.txt
	@$(PYTHON) tests/bench_torch.py --compare $(BUILD)/bench.txt $(BUILD)/bench_torch.txt

mcu: $(BUILD)/saerl
	bash examples/mcu/check.sh $(BUILD)

vendor:
	bash tests/vendor/check.sh $(CXX)

# Fuzzing with clang's libFuzzer (Debian: clang and libclang-rt-dev). Each tests/fuzz/fuzz_X.cpp
# starts from tests/fuzz/seeds/X and the valid binary files make_seeds writes, and runs for
# FUZZ_SECONDS; a crash, leak or sanitizer report stops `make fuzz` and leaves the input as
# $(BUILD)/fuzz/X-crash-*. Prints each target's executions.
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/fuzz_*.cpp))
FUZZ_FLAGS := $(STD) -g -O1 $(WARN) -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -MMD -MP $< -o $@

$(BUILD)/fuzz/make_seeds: tests/fuzz/make_seeds.cpp
	@mkdir -p $(@D)
	$(CXX) $(FLAGS) -MMD -MP $< -o $@

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/make_seeds

fuzz: fuzz-build
	@s=$(BUILD)/fuzz/seeds; mkdir -p $$s/mlp $$s/sae $$s/npy $$s/dqn_checkpoint $$s/sae_checkpoint && $(BUILD)/fuzz/make_seeds $$s
	@for t in $(FUZZ_TARGETS); do x=$${t#fuzz_}; c=$(BUILD)/fuzz/corpus/$$x; mkdir -p $$c; \
	  $(BUILD)/fuzz/$$t $$c $$(ls -d tests/fuzz/seeds/$$x $(BUILD)/fuzz/seeds/$$x 2>/dev/null) -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/$$x- > $(BUILD)/fuzz/$$x.log 2>&1 || { tail -40 $(BUILD)/fuzz/$$x.log; exit 1; }; \
	  echo "$$t: $$(awk '/stat::number_of_executed_units/ { print $$2 }' $(BUILD)/fuzz/$$x.log) executions in $(FUZZ_SECONDS) s, no crash, leak or sanitizer report"; done

clean:
	rm -rf $(BUILD) $(OUT)

# doctest is the tests' one dependency: Debian's doctest-dev. Installed here when missing and
# we are root with apt-get; otherwise a one-line message says how.
doctest:
	@echo '#include <doctest/doctest.h>' | $(CXX) $(STD) -x c++ -fsyntax-only - 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "doctest missing: installing doctest-dev with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq doctest-dev >/dev/null; \
	  else echo "error: doctest not found; install it with: sudo apt-get install doctest-dev" >&2; exit 1; fi; }

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
