# Thin wrappers for the commands a new user types. The real build is CMake; see README.md.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
CTEST_FLAGS ?=

.PHONY: all deps configure build check demo bench fuzz format package clean sanitize

all: build

deps:
	@bash packaging/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Every test: GUI tests on the offscreen platform, keychain tests against a real gnome-keyring under a private
# D-Bus session (packaging/with-keyring.sh).
# Line tables only (-g1): backtraces keep file and line, and a fresh build takes about a quarter less time.
check: CMAKE_FLAGS += -DMLFLOW_ADMIN_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
check: build
	@dbus-run-session -- bash packaging/with-keyring.sh \
		ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) --timeout 600 $(CTEST_FLAGS)

# The console on the embedded demo server (admin, user1, user2 and their experiments). Builds only the console,
# not the test suite. DEMO_FLAGS="--api 3" or "--api 3 --workspaces" picks the demo server's MLflow.
DEMO_FLAGS ?=
demo: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target mlflow-admin
	@$(BUILD_DIR)/app/mlflow-admin --demo $(DEMO_FLAGS)

# Without URL: the embedded server under wrk and the client benchmarks (tests/bench/run-benchmarks.sh).
# With URL: seeds that server (real MLflow or `mlflow-admin-cli serve`) through its REST API and times the CLI's
# matrix, access and snapshot save against it (tests/bench/bench-url.sh), e.g.
#   make bench URL=http://127.0.0.1:5000 USERS=300 EXPERIMENTS=300 GRANTS=1500 RUNS=3 ADMIN_USER=admin \
#        PASSWORD_FILE=~/.mlflow-admin-pw AUTH_DB=sqlite:////srv/mlflow/basic_auth.db
# The admin's password is the first line of PASSWORD_FILE (yours, mode 0600), or asked on the terminal; it goes to
# the CLI on stdin (--password-stdin), never on a command line or into the environment. AUTH_DB (optional) adds a
# second set of rows with --auth-db. Only mlflow-admin-cli is built in this mode.
bench: BUILD_TYPE = Release
bench: BUILD_DIR = build-release
ifeq ($(URL),)
bench: build
	@bash tests/bench/run-benchmarks.sh $(BUILD_DIR)
else
bench: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target mlflow-admin-cli
	@URL='$(URL)' USERS='$(USERS)' EXPERIMENTS='$(EXPERIMENTS)' GRANTS='$(GRANTS)' RUNS='$(RUNS)' \
		ADMIN_USER='$(ADMIN_USER)' PASSWORD_FILE='$(PASSWORD_FILE)' AUTH_DB='$(AUTH_DB)' \
		bash tests/bench/bench-url.sh $(BUILD_DIR)
endif

# The bounded fuzzer of the test suite (tests/server/tst_fuzz.cpp) with a large count, printing its figures.
# FUZZ_COUNT requests per MLflow generation; FUZZ_SEED picks another random sequence.
FUZZ_COUNT ?= 50000
FUZZ_SEED ?= 11
fuzz: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target tst_fuzz
	@QT_QPA_PLATFORM=offscreen QTEST_FUNCTION_TIMEOUT=86400000 MLFLOW_ADMIN_FUZZ_COUNT=$(FUZZ_COUNT) \
		MLFLOW_ADMIN_FUZZ_SEED=$(FUZZ_SEED) \
		$(BUILD_DIR)/tests/server/tst_fuzz

# ASan+UBSan build of the whole suite; leaks inside OpenSSL (Qt's TLS plugin never frees it) are suppressed.
sanitize:
	@LSAN_OPTIONS="suppressions=$(CURDIR)/packaging/lsan.supp:print_suppressions=0" \
		$(MAKE) check BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DMLFLOW_ADMIN_SANITIZE=ON"

package: BUILD_TYPE = Release
package: BUILD_DIR = build-release
package: build
	@cd $(BUILD_DIR) && cpack -G DEB

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	@rm -rf build build-release build-asan
