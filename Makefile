# SPDX-License-Identifier: MIT
# Build: `make` builds the three programs into $(OUTPUT); `make test` runs every
# test the README promises; `make check` the quick ones (no root needed);
# `make deps` installs the Debian packages the build and tests need.

OUTPUT ?= .output
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VERSION := 0.1.0

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS ?= -g -O2
# override: flags given on the command line (make asan) are added to, not lost
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	  -Wno-unused-parameter -D_GNU_SOURCE -DTR_VERSION='"$(VERSION)"' \
	  -Ischema -Ireplay -Ireplay/enrich -Ireplay/derive -Ireplay/output -Ireplay/input -Ianalyze -Icapture -Irecord -I$(OUTPUT) -MMD -MP
LDLIBS := -lbpf -lelf -lz -lzstd -lsqlite3 -ljansson -lcrypto -lpcap -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -I$(OUTPUT) -Ischema -Ibpf

.DELETE_ON_ERROR:
.SUFFIXES:

# The pipeline library: schema codec, replay engine, analyze desk, capture.
LIB_SRCS := $(wildcard schema/*.c) \
	    $(filter-out replay/tracee-replay.c,$(wildcard replay/*.c replay/*/*.c)) \
	    $(filter-out analyze/tracee-analyze.c,$(wildcard analyze/*.c)) \
	    $(wildcard capture/*.c)
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LIB_SRCS))
LIB := $(OUTPUT)/libtracee.a

RECORD_SRCS := $(wildcard record/*.c)
RECORD_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(RECORD_SRCS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
# Keep intermediates (BPF objects, test objects): no needless rebuilds.
.SECONDARY:

PROGS := $(OUTPUT)/tracee-record $(OUTPUT)/tracee-replay $(OUTPUT)/tracee-analyze

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%,$(UNIT_SRCS))

.PHONY: all
all: $(PROGS)

$(OUTPUT)/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# BPF: vmlinux.h from the running kernel's BTF, objects, skeletons.
$(OUTPUT)/vmlinux.h:
	@mkdir -p $(@D)
	$(call msg,BTF,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $@.d -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Every recorder object may include a skeleton, and so may capture's.
$(RECORD_OBJS): $(SKELS)
$(patsubst %.c,$(OUTPUT)/%.o,$(wildcard capture/*.c)): $(SKELS)

$(OUTPUT)/tracee-record: $(RECORD_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tracee-replay: $(OUTPUT)/replay/tracee-replay.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tracee-analyze: $(OUTPUT)/analyze/tracee-analyze.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/unit/%: $(OUTPUT)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -lcmocka -o $@

.PHONY: deps demo
deps:
	$(Q)scripts/deps.sh

# The main job end to end: record, replay, index, show detections (root).
demo: all $(OUTPUT)/scenario
	$(Q)OUTPUT=$(OUTPUT) scripts/demo.sh

# check: quick tests, no root. test: everything, live tests included (root).
.PHONY: check test unit
unit: $(UNIT_BINS)
	$(Q)set -e; for t in $(UNIT_BINS); do echo "== $$t"; (cd tests && ../$$t); done

check: all unit
	$(Q)OUTPUT=$(OUTPUT) tests/run.sh quick

# test ends with the sanitizer pass (make asan); ASAN=0 leaves it out.
test: all unit $(OUTPUT)/bench/openloop $(OUTPUT)/live/evasion
	$(Q)OUTPUT=$(OUTPUT) tests/run.sh all
	$(Q)$(if $(filter 0,$(ASAN)),:,$(MAKE) --no-print-directory asan)

# The sanitizer pass (root): the unit, CLI and live tests again under
# ASan+UBSan, built into their own directory; the live load test records
# LOAD_RUNS (20) times under load, so events flow through every stage. And
# the unit tests under valgrind.
.PHONY: asan asan-tests valgrind
ASAN_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
asan:
	$(Q)$(MAKE) --no-print-directory OUTPUT=.output-asan CFLAGS="$(ASAN_CFLAGS)" asan-tests
asan-tests: all unit $(OUTPUT)/bench/openloop $(OUTPUT)/live/evasion
	$(Q)OUTPUT=$(OUTPUT) LOAD_RUNS=$(or $(LOAD_RUNS),20) UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh all
valgrind: $(UNIT_BINS)
	$(Q)set -e; for t in $(UNIT_BINS); do echo "== valgrind $$t"; \
		(cd tests && valgrind -q --leak-check=full --error-exitcode=1 ../$$t); done

# Benchmarks (root): recording overhead and size against the floor (empty
# BPF programs on the same hooks) and perf record; the soak (200k events/s
# for 60 s, then replay).
.PHONY: bench soak
BENCH_BINS := $(OUTPUT)/bench/openloop $(OUTPUT)/bench/forkexec $(OUTPUT)/bench/floor
bench: all $(BENCH_BINS)
	$(Q)OUTPUT=$(OUTPUT) tests/bench/overhead.sh $(ROUNDS)
soak: all $(BENCH_BINS)
	$(Q)OUTPUT=$(OUTPUT) tests/bench/soak.sh $(SOAK_SECONDS)

# What each piece of recording costs per syscall (root): perf buffer
# against ring buffer, clock, task storage, a user string.
.PHONY: bench-hooks
bench-hooks: all $(BENCH_BINS)
	$(Q)OUTPUT=$(OUTPUT) tests/bench/hookcost.sh $(ROUNDS)

# Packet capture under a loopback flood (root).
.PHONY: bench-net
bench-net: all $(OUTPUT)/bench/udpflood
	$(Q)OUTPUT=$(OUTPUT) tests/bench/net.sh $(ROUNDS)

# the live capture test floods loopback with it too
test asan-tests: $(OUTPUT)/bench/udpflood

$(OUTPUT)/bench/udpflood: $(OUTPUT)/tests/bench/udpflood.o
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

$(OUTPUT)/bench/openloop: $(OUTPUT)/tests/bench/openloop.o
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

# The live tests' workloads (tests/live/*.c).
$(OUTPUT)/live/%: $(OUTPUT)/tests/live/%.o
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -pthread -o $@

$(OUTPUT)/bench/forkexec: $(OUTPUT)/tests/bench/forkexec.o
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

$(OUTPUT)/bench/floor.bpf.o: tests/bench/floor.bpf.c $(OUTPUT)/vmlinux.h
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/tests/bench/floor.o: $(OUTPUT)/bench/floor.skel.h
$(OUTPUT)/tests/bench/floor.o: override CFLAGS += -I$(OUTPUT)/bench

$(OUTPUT)/bench/floor: $(OUTPUT)/tests/bench/floor.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -lbpf -lelf -lz -pthread -o $@

# Rewrite the fixtures' golden outputs from the current build (review the diff!).
.PHONY: golden
golden: all
	$(Q)for d in fixtures/*/; do n=$$(basename $$d); [ -f $$d/manifest.json ] || continue; \
		$(OUTPUT)/tracee-replay --findings $$d >fixtures/$$n.golden.jsonl 2>fixtures/$$n.golden.stderr; \
		[ -s fixtures/$$n.golden.stderr ] || rm -f fixtures/$$n.golden.stderr; done

.PHONY: clean
clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include replay/build.mk analyze/build.mk
-include examples/build.mk
-include tests/fuzz/fuzz.mk
-include tests/tools.mk
-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
