# Zero-Copy Lab - build ./zcl, run the tests, the demo and the benchmarks.
#
#   make             build ./zcl
#   make test        build and run the Criterion suite (alias: make check)
#   make demo        check the runtime packages (installs the missing ones as root, else says
#                    the apt-get line), build, run the tour (animated on a terminal, else as
#                    text with one timeline); needs no test package and no root
#   make deps        install every Debian package, runtime and test (as root) or say the apt-get line
#   make version     print the version ./zcl --version says
#   make bench       tracer cost per syscall and the ratio to strace
#   make gradescope  build/gradescope-autograder.zip (after zcl selfcheck passes)
#   make dist-student  build/zero-copy-lab-student.tar.gz, without solutions/
#   make autolab     build/autolab/autograde.tar and autograde-Makefile (Autolab/Tango)
#   make SANITIZE=address|undefined   build with a sanitizer

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2
ifeq ($(CI),true)
WARN += -Werror
endif

SANITIZE ?=
ifneq ($(SANITIZE),)
ifeq ($(filter $(SANITIZE),address undefined),)
$(error SANITIZE must be address or undefined, not '$(SANITIZE)')
endif
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
endif

DEB_PACKAGES := gcc make pkg-config libseccomp-dev libcriterion-dev libncurses-dev libjson-c-dev gnuplot-nox asciinema strace tmux zip unzip git bubblewrap liburing-dev
# What running the lab needs (make demo, make) and what only the tests need
# (make test, make deps: CI); DEB_PACKAGES is both.
DEB_RUNTIME := gcc make pkg-config libseccomp-dev libncurses-dev libjson-c-dev liburing-dev
DEB_TEST := $(filter-out $(DEB_RUNTIME),$(DEB_PACKAGES)) mandoc python3-junitparser libxml2-utils nginx
DEB_PACKAGES := $(DEB_RUNTIME) $(sort $(DEB_TEST))

# The version, one place: zcl --version says it, with `git describe` when
# built in a git work tree (a tarball has none: the version alone).
VERSION := 1.0
GIT_DESCRIBE := $(shell [ -e .git ] && git describe --always --dirty 2>/dev/null)
VERSION_TEXT := $(VERSION)$(if $(GIT_DESCRIBE), (git $(GIT_DESCRIBE)))
# build/version.h is rewritten only when the text changes (help.o rebuilds then)
$(shell mkdir -p build && printf '#define ZCL_VERSION_TEXT "%s"\n' '$(VERSION_TEXT)' >build/version.h.new && \
	{ cmp -s build/version.h.new build/version.h && rm -f build/version.h.new || mv build/version.h.new build/version.h; })

SECCOMP_CFLAGS = $(shell $(PKG_CONFIG) --cflags libseccomp 2>/dev/null)
SECCOMP_LIBS = $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
CRITERION_LIBS = $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)
JSON_CFLAGS = $(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null)
JSON_LIBS = $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null || echo -ljson-c)
CURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)

ALL_CFLAGS = -std=c17 $(WARN) $(CFLAGS) $(SANFLAGS) $(SECCOMP_CFLAGS) $(JSON_CFLAGS) -MMD -MP -Ilab -Iviz
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -pthread

CLI_SRC := lab/main.c lab/cli_grade.c lab/class.c lab/cli_run.c lab/cli_trace.c lab/reset.c
CLI_OBJ := $(CLI_SRC:%.c=build/%.o)
LAB_SRC := $(filter-out $(CLI_SRC) lab/harness.c,$(wildcard lab/*.c))
LAB_OBJ := $(LAB_SRC:%.c=build/%.o)
VIZ_SRC := $(wildcard viz/*.c)
VIZ_OBJ := $(VIZ_SRC:%.c=build/%.o)
TEST_SRC := $(wildcard tests/test_*.c) tests/helpers.c tests/hostile_run.c
TEST_OBJ := $(TEST_SRC:%.c=build/%.o)

.PHONY: all test check demo deps deps-quiet deps-runtime bench clean gradescope dist-student autolab version

all: zcl

zcl: $(CLI_OBJ) $(LAB_OBJ) $(VIZ_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SECCOMP_LIBS) $(JSON_LIBS) $(CURSES_LIBS)

build/lab/help.o: ALL_CFLAGS += -Ibuild
build/lab/help.o: build/version.h
build/version.h: # after a clean in the same make run
	@mkdir -p build && printf '#define ZCL_VERSION_TEXT "%s"\n' '$(VERSION_TEXT)' >$@

# Only viz/term.c talks to curses (lab/ never does).
build/viz/term.o: viz/term.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CURSES_CFLAGS) -c -o $@ $<

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/test_zcl: $(TEST_OBJ) $(LAB_OBJ) $(VIZ_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SECCOMP_LIBS) $(JSON_LIBS) $(CRITERION_LIBS) $(CURSES_LIBS)

# Tests run stage binaries built from this tree (ZCL_ROOT) and the zcl binary.
test check: deps-quiet zcl build/test_zcl
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ZCL_ROOT=$(CURDIR) ZCL_BIN=$(CURDIR)/zcl \
		./build/test_zcl --jobs 2

# A student copy has no solutions/ to tour: it shows the stages instead.
demo: deps-runtime zcl
	@if [ -d solutions ] && [ -t 0 ] && [ -t 1 ]; then \
		./zcl tour; \
	elif [ -d solutions ]; then \
		./zcl tour && echo && ./zcl run 1 --solution --size 200K; \
	else \
		./zcl list && echo && { ./zcl check 1 || true; } && \
		echo "(no solutions/ here: edit exercises/01-readwrite.c, then ./zcl check 1)"; \
	fi

deps:
	@sh lab/deps.sh $(DEB_PACKAGES)

deps-quiet:
	@sh lab/deps.sh --quiet $(DEB_PACKAGES)

# make demo: only what running the lab needs (no Criterion, tmux, strace...)
deps-runtime:
	@sh lab/deps.sh --quiet $(DEB_RUNTIME)

version:
	@echo $(VERSION_TEXT)

bench: zcl
	@sh tests/bench.sh

# Class packages (lab/pack/). The autograder is packed only once every
# skeleton fails and every reference solution passes.
gradescope: zcl
	./zcl selfcheck
	@sh lab/pack/make-gradescope.sh

# Autolab: autograde.tar (no solutions/) and autograde-Makefile.
autolab:
	@sh lab/pack/make-autolab.sh

dist-student:
	@sh lab/pack/make-student.sh

clean:
	rm -rf build zcl

-include $(LAB_OBJ:.o=.d) $(VIZ_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# GitHub Classroom: build/classroom/, the student tree with the autograding
# workflow (lab/pack/github-classroom.yml) in .github/workflows/.
.PHONY: classroom
classroom:
	@sh lab/pack/make-classroom.sh
