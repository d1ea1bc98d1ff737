# SPDX-License-Identifier: MIT
# tests/fuzz/fuzz.mk: libFuzzer targets for every reader of outside input,
# included by the Makefile.
#
#   make fuzz          build, then fuzz each target for FUZZ_SECONDS (30) over
#                      a working copy of its corpus in $(OUTPUT)/fuzz/corpus
#                      (make -j2 fuzz runs two at once); crashes go to
#                      $(OUTPUT)/fuzz/artifacts/TARGET/
#   make fuzz-regress  build, then run every checked-in seed of every target
#                      once: deterministic and quick, part of `make test`
#
# The readers are built again with clang, ASan, UBSan and libFuzzer's
# coverage into $(OUTPUT)/fuzz/obj, so the fuzzer sees the edges it reaches
# in them; the system libraries (zstd, zlib, jansson) stay uninstrumented.
# Every run has an RSS limit (FUZZ_RSS_MB, 512): a reader that a small input
# drives to gigabytes is a bug the fuzzer reports, like a crash.
# A crash found by `make fuzz` becomes a seed in tests/fuzz/corpus/TARGET/
# once fixed, so fuzz-regress keeps it fixed.

FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_SECONDS ?= 30
FUZZ_RSS_MB ?= 512
FUZZ_CC ?= $(CLANG)
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	       -fno-sanitize-recover=all -std=gnu11 -Wall -Wextra -Werror \
	       -Wno-missing-field-initializers -Wno-unused-parameter -D_GNU_SOURCE \
	       -DTR_VERSION='"$(VERSION)"' -Ischema -Ireplay -Ireplay/enrich -Ireplay/derive -Ireplay/output -Ireplay/input -Icapture -MMD -MP
FUZZ_LDLIBS := -ljansson -lzstd -lz -lcrypto -lpcap -lm

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
FUZZ_LIB_SRCS := $(wildcard schema/*.c) \
		 $(filter-out replay/tracee-replay.c,$(wildcard replay/*.c replay/*/*.c)) \
		 capture/pcap.c
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_LIB := $(FUZZ_DIR)/libtracee-fuzz.a

# Library objects: coverage instrumentation, no fuzzer main.
$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(FUZZ_LDLIBS) -o $@

.PHONY: fuzz-build fuzz fuzz-regress
fuzz-build: $(FUZZ_BINS)

# Each seed once (-runs=0 runs the corpus and stops). The log is shown only
# when a seed fails.
fuzz-regress: fuzz-build
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
		log=$(FUZZ_DIR)/$$t.regress.log; mkdir -p $(FUZZ_DIR)/artifacts/$$t; \
		if $(FUZZ_DIR)/$$t -runs=0 -rss_limit_mb=$(FUZZ_RSS_MB) -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/ \
			tests/fuzz/corpus/$$t >$$log 2>&1; then \
			echo "ok   $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) seeds"; \
		else \
			echo "FAIL $$t (log: $$log)"; tail -40 $$log; exit 1; \
		fi; \
	done

# One phony target per fuzzer, so make -j runs them side by side. The
# working corpus keeps what earlier runs found; the seeds are copied in
# without replacing anything.
fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz-run-%: $(FUZZ_DIR)/%
	@mkdir -p $(FUZZ_DIR)/corpus/$* $(FUZZ_DIR)/artifacts/$*
	$(Q)cp -n tests/fuzz/corpus/$*/* $(FUZZ_DIR)/corpus/$*/
	$(call msg,FUZZ,$* for $(FUZZ_SECONDS) s)
	$(Q)$< -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=$(FUZZ_RSS_MB) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/$*/ \
		$(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
		$(FUZZ_DIR)/corpus/$* >$(FUZZ_DIR)/$*.log 2>&1 || { tail -60 $(FUZZ_DIR)/$*.log; exit 1; }
	$(Q)grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' $(FUZZ_DIR)/$*.log | tail -1 | sed 's/^/  $* /'

test: fuzz-regress
