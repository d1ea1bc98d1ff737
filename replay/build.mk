# SPDX-License-Identifier: MIT
# replay/build.mk: extra rules for the replay side, included by the Makefile.

# gen_recording writes synthetic recordings for the CLI tests and the replay
# benchmark; the quick tests need it, so they depend on it.
GEN_RECORDING := $(OUTPUT)/gen_recording

$(GEN_RECORDING): $(OUTPUT)/tests/gen_recording.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

unit check test: $(GEN_RECORDING)

# The Tracee-JSON fixture's golden output (make golden rewrites it too).
.PHONY: golden-tracee-json
golden: golden-tracee-json
golden-tracee-json: all
	$(Q)$(OUTPUT)/tracee-replay --input tracee-json --findings -e all fixtures/tracee-json.jsonl \
		>fixtures/tracee-json.golden.jsonl 2>fixtures/tracee-json.golden.stderr; \
		[ $$? -eq 3 ] || { echo "tracee-json fixture: expected exit 3 (it has bad lines)"; exit 1; }

# Replay speed (tests/bench/replay.sh; root: it records first).
.PHONY: bench-replay
bench-replay: all $(OUTPUT)/bench/openloop
	$(Q)OUTPUT=$(OUTPUT) tests/bench/replay.sh $(ROUNDS)

# reframe: the size cost of bounding frames by records (README, figures).
$(OUTPUT)/bench/reframe: $(OUTPUT)/tests/bench/reframe.o $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@
