# Thin wrapper over CMake.  `make run` sets up, builds and runs the main job;
# `make test` sets up, builds and runs the test suite (also under ASan+UBSan).

BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Debian packages the build and the tests need.
PACKAGES = cmake make gcc pkg-config libopenblas-openmp-dev liblapacke-dev zlib1g-dev \
           libssl-dev libcjson-dev python3-numpy python3-pandas libcairo2-dev libpng-dev libxml2-dev fonts-dejavu-core \
           clang libclang-rt-14-dev libomp-14-dev man-db libopenmpi-dev openmpi-bin

.PHONY: all deps build install run test test-fast asan bench analyze fuzz fuzz-build fuzz-short clean

all: build

# Only the browser test of the report needs these; it is skipped without them.
OPTIONAL_PACKAGES = chromium

deps:
	@sh scripts/deps.sh $(PACKAGES)
	@sh scripts/deps.sh --optional $(OPTIONAL_PACKAGES)

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# `make install [PREFIX=/usr/local] [DESTDIR=staging]`: the command, headers,
# libraries, pkg-config and CMake packages, the man page and the data.
PREFIX ?= /usr/local
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

run: build
	$(BUILD)/dval demo

test: build asan-build fuzz-build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 DV_SANITIZED=1 ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-short

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan-build: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDV_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

asan: asan-build
	cd $(ASAN_BUILD) && DV_SANITIZED=1 ctest --output-on-failure -j $(JOBS)

bench: build
	sh bench/run.sh $(BUILD)

# The file readers under libFuzzer (clang, ASan+UBSan; see fuzz/README.md):
# `make fuzz` runs each harness FUZZ_SECONDS; `make test` runs a short,
# repeatable FUZZ_RUNS inputs of each.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_RUNS ?= 4000

fuzz-build: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDV_FUZZ=ON \
	    -DDV_WERROR=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all

fuzz: fuzz-build
	sh fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-short: fuzz-build
	sh fuzz/run.sh $(FUZZ_BUILD) -runs $(FUZZ_RUNS)

# gcc's static analyzer over the library, the figures and the command; the
# findings it still prints are explained in docs/RELIABILITY.md.
analyze: deps
	cmake -S . -B build-analyze -DCMAKE_BUILD_TYPE=Debug -DDV_WERROR=OFF \
	    -DCMAKE_C_FLAGS=-fanalyzer >/dev/null
	cmake --build build-analyze -j $(JOBS) --target dval_cli dval_plot 2>&1 | \
	    grep -E 'warning: .*\[-Wanalyzer' | sort -u

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-analyze
