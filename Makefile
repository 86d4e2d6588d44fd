# Askeladden: a tiny C web server, from "it builds on my laptop" to a slim image
# on Kubernetes. Each v0.X/ directory is a standalone snapshot with its own
# Makefile; this one builds and tests them side by side.

SNAPSHOTS  := v0.1 v0.2
CC         ?= cc
CFLAGS     ?= -O2 -g
PREFIX     ?= /usr/local
PKG_CONFIG ?= pkg-config
export CC CFLAGS PKG_CONFIG

SANITIZE      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS   := -O1 -g $(SANITIZE)
# The server's own warnings (its Makefile's WARNINGS), for the tests too.
TEST_WARNINGS := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
                 -Wformat=2 -D_GNU_SOURCE
# Warnings are errors in make test's builds, whose compilers make setup
# installs; a reader's make with a newer compiler only prints them.
WERROR        ?=
TEST_BUILDS   := build-gcc build-clang test-unit test-asan test-soak test-memcheck test-fuzz fuzz \
                 test-images
$(TEST_BUILDS): export WERROR := -Werror
FUZZ_CFLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
FUZZ_SECONDS  ?= 60
FUZZ_SNAPSHOT := v0.2
MEMCHECK      := valgrind --quiet --error-exitcode=99 --leak-check=full \
                 --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
TEST_SOURCES  := $(wildcard tests/*.c) $(wildcard common/*.c)
TEST_HEADERS  := $(wildcard tests/*.h) $(wildcard common/*.h)
TEST_PKGS     := check libevent libevent_pthreads
TEST_CFLAGS    = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS))
TEST_LIBS      = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS)) -pthread

# Keep the libraries the pattern rules build on the way to a runner.
.SECONDARY:

.PHONY: all build-gcc build-clang setup install test test-lint test-unit test-asan test-soak test-mutants test-memcheck test-fuzz fuzz test-scripts \
        test-redeploy test-images test-setup test-compare-sizes test-docs images compare-sizes bench bench-compare-sizes figures \
        clean help FORCE

all: $(SNAPSHOTS:%=%/askeladden)

help:
	@echo 'make                 build both snapshots (v0.1/askeladden, v0.2/askeladden)'
	@echo 'make test            install what is missing, then run every test suite'
	@echo 'make build-gcc       build both snapshots with gcc, warnings as errors'
	@echo 'make build-clang     build both snapshots with clang too, warnings as errors'
	@echo 'make test-lint       the C code is in the format .clang-format describes'
	@echo 'make test-unit       the Check suites against both snapshots'
	@echo 'make test-asan       the same suites under AddressSanitizer and UBSan'
	@echo 'make test-soak N=20  the Check suites N times in a row with every core busy'
	@echo 'make test-mutants    break each promise of the server on purpose (tests/mutants.tsv): the unit stage must fail'
	@echo 'make test-memcheck   the built servers under valgrind memcheck, with load'
	@echo 'make test-fuzz       a bounded libFuzzer run of the server and libevent'"'"'s parser (FUZZ_SECONDS=$(FUZZ_SECONDS)); make fuzz for longer'
	@echo 'make test-scripts    shellcheck and the script tests'
	@echo 'make test-redeploy   registry.sh, the manifests, the posts'"'"' rollouts and redeploy.sh on a cluster (scripts/cluster.sh)'
	@echo 'make images          build askeladden:v0.1 and askeladden:v0.2'
	@echo 'make test-images     build both images from a clean state, with BuildKit and the legacy builder, and check them running'
	@echo 'make test-setup      setup.sh against dpkg states with dummy Docker packages and a throwaway APT; make compare-sizes as a non-root user'
	@echo 'make compare-sizes   measure and compare the two images'
	@echo 'make test-compare-sizes  compare-sizes: unit tests, then against both images: numbers, JSON, budgets'
	@echo 'make test-docs       run the posts'"'"' commands and compare their output (a cluster: scripts/cluster.sh when none answers)'
	@echo 'make test-debian13   post 1'"'"'s setup line, the builds, the unit stage, make images and compare-sizes in a Debian 13 root'
	@echo 'make figures         draw the posts'"'"' figures, docs/images/*.svg, from their .dot sources'
	@echo 'make bench           askeladden against nginx and Go: throughput, latency, memory, instructions'
	@echo 'make bench-compare-sizes  compare-sizes cold against docker save, its rerun and its peak memory'
	@echo 'make setup           install the build and test dependencies (root)'
	@echo 'make install         install v0.2/askeladden to $$(DESTDIR)$$(PREFIX)/bin (PREFIX=$(PREFIX))'
	@echo 'make clean           remove build outputs'
	@echo 'Variables: CC CFLAGS PREFIX PKG_CONFIG WERROR=-Werror'

setup:
	scripts/setup.sh build

# The server of the latest snapshot, to $(DESTDIR)$(PREFIX)/bin.
install:
	$(MAKE) -C v0.2 install PREFIX='$(PREFIX)'

# Each snapshot's own Makefile knows its dependencies: always ask it.
%/askeladden: FORCE
	$(MAKE) -C $*

%/build/libaskeladden.a: FORCE
	$(MAKE) -C $* lib

%/build/asan/askeladden: FORCE
	$(MAKE) -C $* BUILD=build/asan BIN=build/asan/askeladden CFLAGS='$(ASAN_CFLAGS)' LDFLAGS='$(SANITIZE)'

%/build/asan/libaskeladden.a: FORCE
	$(MAKE) -C $* BUILD=build/asan CFLAGS='$(ASAN_CFLAGS)' lib

# libevent for the fuzz target: built from Debian's source package with the
# fuzz flags, so that the fuzzer sees its HTTP parser (Debian's libevent is not
# instrumented). The script keeps the build and says when it has nothing to do.
LIBEVENT_FUZZ      := build/libevent-fuzz/prefix
LIBEVENT_FUZZ_LIBS := $(LIBEVENT_FUZZ)/lib/libevent_pthreads.a $(LIBEVENT_FUZZ)/lib/libevent.a
FUZZ_CLIENT        := common/test_http.c common/test_clock.c

$(LIBEVENT_FUZZ)/lib/libevent.a: FORCE
	scripts/setup.sh fuzz
	tests/fuzz/build-libevent.sh --prefix $(LIBEVENT_FUZZ) --cflags '$(FUZZ_CFLAGS)'

$(LIBEVENT_FUZZ)/lib/libevent_pthreads.a: $(LIBEVENT_FUZZ)/lib/libevent.a ;

# The server library compiled against that libevent's headers; objects older
# than the libevent build were compiled against other headers.
%/build/fuzz/libaskeladden.a: $(LIBEVENT_FUZZ)/lib/libevent.a FORCE
	if [ -e $@ ] && [ $< -nt $@ ]; then rm -rf $*/build/fuzz; fi
	PKG_CONFIG_LIBDIR='$(CURDIR)/$(LIBEVENT_FUZZ)/lib/pkgconfig' \
	  $(MAKE) -C $* CC=clang BUILD=build/fuzz CFLAGS='$(FUZZ_CFLAGS)' lib

build/fuzz/%/fuzz_http: tests/fuzz/fuzz_http.c $(FUZZ_CLIENT) %/build/fuzz/libaskeladden.a $(LIBEVENT_FUZZ_LIBS)
	@mkdir -p $(@D)
	clang $(TEST_WARNINGS) $(WERROR) -I$*/src -Icommon -I$(LIBEVENT_FUZZ)/include $(FUZZ_CFLAGS) \
	  -fsanitize=fuzzer -o $@ $^ -pthread

# One Check runner per snapshot, built from the same tests against that
# snapshot's server code, so a drift between v0.1 and v0.2 fails a test.
build/tests/%/check_askeladden: $(TEST_SOURCES) $(TEST_HEADERS) %/build/libaskeladden.a
	@mkdir -p $(@D)
	$(CC) $(TEST_WARNINGS) $(WERROR) -DSNAPSHOT_DIR='"$*"' -I$*/src -Icommon $(TEST_CFLAGS) $(CFLAGS) -o $@ $(TEST_SOURCES) $*/build/libaskeladden.a $(TEST_LIBS)

build/asan/%/check_askeladden: $(TEST_SOURCES) $(TEST_HEADERS) %/build/asan/libaskeladden.a
	@mkdir -p $(@D)
	$(CC) $(TEST_WARNINGS) $(WERROR) -DSNAPSHOT_DIR='"$*"' -I$*/src -Icommon $(TEST_CFLAGS) $(ASAN_CFLAGS) -o $@ $(TEST_SOURCES) $*/build/asan/libaskeladden.a $(TEST_LIBS) $(SANITIZE)

test: setup
	tests/run.sh

# make test's build stage: what make builds, with warnings as errors.
build-gcc: all

build-clang:
	for s in $(SNAPSHOTS); do \
	  $(MAKE) -C $$s CC=clang BUILD=build/clang BIN=build/clang/askeladden || exit 1; \
	done

# Every C file in the format .clang-format describes (clang-format 14).
test-lint:
	tests/lint_test.sh

test-unit: $(SNAPSHOTS:%=build/tests/%/check_askeladden) all
	tests/run-check.sh $(SNAPSHOTS:%=build/tests/%/check_askeladden)

test-asan: $(SNAPSHOTS:%=build/asan/%/check_askeladden) $(SNAPSHOTS:%=%/build/asan/askeladden)
	tests/run-check.sh --asan $(SNAPSHOTS:%=build/asan/%/check_askeladden)

# The Check suites N times in a row while busy loops take every core: no test
# may depend on timing luck. Minutes long, so not part of make test.
test-soak: N ?= 20
test-soak: $(SNAPSHOTS:%=build/tests/%/check_askeladden) all
	tests/run-soak.sh --runs $(N) $(SNAPSHOTS:%=build/tests/%/check_askeladden)

# Each mutant of tests/mutants.tsv applied to both snapshots in a copy of the
# tree: the unit stage must fail on every one. Minutes long, not in make test.
test-mutants:
	tests/run-mutants.sh

test-scripts:
	tests/scripts_test.sh
	/usr/bin/python3 scripts/bench/test_report.py
	/usr/bin/python3 scripts/bench/test_sizes.py
	/usr/bin/python3 tests/test_promises.py
	/usr/bin/python3 tests/promises.py check

# The built binaries under valgrind memcheck: the load suite, then every HTTP
# behaviour; any invalid access or leak makes the server exit non-zero.
test-memcheck: $(SNAPSHOTS:%=build/tests/%/check_askeladden) all
	ASKELADDEN_WRAPPER='$(MEMCHECK)' CK_TIMEOUT_MULTIPLIER=4 CK_RUN_SUITE=load \
	  tests/run-check.sh $(SNAPSHOTS:%=build/tests/%/check_askeladden)
	ASKELADDEN_WRAPPER='$(MEMCHECK)' CK_TIMEOUT_MULTIPLIER=4 CK_RUN_SUITE=http CK_RUN_CASE=binary \
	  tests/run-check.sh $(SNAPSHOTS:%=build/tests/%/check_askeladden)

# A bounded fuzz run for make test; `make fuzz FUZZ_SECONDS=3600` for longer.
test-fuzz fuzz: build/fuzz/$(FUZZ_SNAPSHOT)/fuzz_http
	tests/run-fuzz.sh --seconds $(FUZZ_SECONDS) $<

# A registry on 127.0.0.1:32000 stands in for microk8s's add-on when there is none.
# registry.sh, the manifests, then the cluster: each test runs even when one
# before it failed. tests/cluster_test.sh starts scripts/cluster.sh's cluster
# when no other answers (and stops it at the end), runs the posts' rollouts on
# it and then tests/redeploy_test.sh against it.
test-redeploy:
	scripts/setup.sh build docker registry kube cluster
	scripts/registry.sh start
	rc=0; for t in registry manifests cluster; do tests/$${t}_test.sh || rc=1; done; exit $$rc

# Docker images. The base images (gcc:12, debian:bookworm-slim) are pulled, or
# built once as local stand-ins when no registry answers (base-images.sh asks
# for the tools to build them only then); each snapshot's own Makefile then
# builds its image, with BuildKit where the docker client has it.
images:
	scripts/setup.sh docker
	scripts/base-images.sh
	for s in $(SNAPSHOTS); do $(MAKE) -C $$s image || exit 1; done

# Each image built from a clean state and checked running, also by the Check
# HTTP suite against the container.
test-images:
	scripts/setup.sh build docker
	$(MAKE) $(SNAPSHOTS:%=build/tests/%/check_askeladden)
	scripts/base-images.sh
	tests/images_test.sh $(SNAPSHOTS)

# The README's main job: what the multi-stage build saved, and where the bytes
# went. The script builds the images when they are missing or out of date. It
# asks only for what it uses: an engine and the Docker SDK for Python (and
# base-images.sh for mmdebstrap, when a base image must be built).
compare-sizes:
	scripts/setup.sh docker python-docker
	scripts/compare-sizes.sh

# setup.sh against throwaway dpkg databases holding dummy Docker packages,
# and make compare-sizes run by a user in the docker group (a throwaway user:
# run as root).
test-setup:
	scripts/setup.sh build images equivs
	scripts/base-images.sh
	tests/setup_test.sh

# The program's unit tests (small archives, no engine; they include mypy's
# check of its type hints, configured in mypy.ini), then the script against
# both images; the target fails when either does.
test-compare-sizes:
	scripts/setup.sh images registry
	status=0; /usr/bin/python3 tests/compare_sizes/run.py || status=1; \
	  tests/compare_sizes_test.sh || status=1; exit $$status

# The posts' figures: docs/images/NAME.svg from NAME.dot (sizes.svg comes from
# compare-sizes.sh --svg). Both the source and the SVG are committed.
FIGURES := $(patsubst %.dot,%.svg,$(wildcard docs/images/*.dot))
figures:
	scripts/setup.sh docs
	$(MAKE) $(FIGURES)

docs/images/%.svg: docs/images/%.dot
	dot -Tsvg -o $@ $<

# The posts' runnable blocks build, run and push the images themselves, to
# the registry on localhost:32000 (microk8s's, or one registry.sh starts).
test-docs: all
	scripts/setup.sh build images registry kube docs cluster
	scripts/base-images.sh
	scripts/registry.sh start
	tests/docs_test.sh

# Debian 13 beside Debian 12: a reader's fresh Debian 13 in a throwaway root
# (scripts/debian13-root.sh caches it) and namespaces of its own, its dockerd
# with the containerd image store. socat (setup.sh's cluster component) lets
# the root reach Debian's archive; the base images come from this engine.
.PHONY: test-debian13
test-debian13:
	scripts/setup.sh base-images cluster
	scripts/base-images.sh
	tests/debian13_test.sh

# Minutes long and wants the machine to itself, so not part of make test.
bench:
	scripts/bench.sh

# compare-sizes against its targets: cold against docker save, rerun, memory.
bench-compare-sizes: setup
	scripts/setup.sh images
	/usr/bin/python3 scripts/bench/sizes.py

# The bench clients speak HTTP through the tests' client in common/.
BENCH_CLIENT_SOURCES := common/test_http.c common/test_clock.c

build/bench/%: scripts/bench/%.c $(BENCH_CLIENT_SOURCES) common/test_http.h common/test_clock.h
	@mkdir -p $(@D)
	$(CC) $(TEST_WARNINGS) -O2 -Icommon -o $@ $< $(BENCH_CLIENT_SOURCES)

clean:
	for s in $(SNAPSHOTS); do $(MAKE) -C $$s clean; done
	rm -rf build
