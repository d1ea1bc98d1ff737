# SPDX-License-Identifier: MIT
# examples/build.mk: the out-of-tree signature example, and what plugins
# and Sigma rules need from the programs (included by the Makefile).

# Plugins call tr_sig__report & co. from the program that loads them.
LDLIBS += -rdynamic -lyaml -lpcre2-8

EXAMPLE_SO := $(OUTPUT)/examples/sig_example.so

$(EXAMPLE_SO): examples/sig_example.c replay/signature.h replay/view.h
	@mkdir -p $(@D)
	$(call msg,CC-SO,$@)
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -fPIC -shared $< -o $@
	$(Q)chmod 0644 $@

all unit check test: $(EXAMPLE_SO)

# gen_events: recordings from event lists, for the signature and Sigma tests.
GEN_EVENTS := $(OUTPUT)/gen_events

$(GEN_EVENTS): $(OUTPUT)/tests/scenarios/gen_events.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

unit check test: $(GEN_EVENTS)

# The Sigma fuzz target links the YAML and regex libraries.
$(OUTPUT)/fuzz/fuzz_sigma: FUZZ_LDLIBS += -lyaml -lpcre2-8

# The scenario program the live signature test records (tests/scenarios/).
SCENARIO := $(OUTPUT)/scenario

$(SCENARIO): $(OUTPUT)/tests/scenarios/scenario.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

check test asan-tests: $(SCENARIO)

# The signature benchmark (tests/bench/signatures.sh).
$(OUTPUT)/bench/sigbench: $(OUTPUT)/tests/bench/sigbench.o $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

.PHONY: bench-signatures
bench-signatures: all $(OUTPUT)/bench/sigbench $(OUTPUT)/gen_recording
	$(Q)OUTPUT=$(OUTPUT) tests/bench/signatures.sh $(ROUNDS)
