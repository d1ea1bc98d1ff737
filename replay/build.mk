# SPDX-License-Identifier: MIT
# replay/build.mk: extra rules for the replay side, included by the Makefile.

# gen_recording writes synthetic recordings for the CLI tests and the replay
# benchmark; the quick tests need it, so they depend on it.
GEN_RECORDING := $(OUTPUT)/gen_recording

$(GEN_RECORDING): $(OUTPUT)/tests/gen_recording.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

unit check test: $(GEN_RECORDING)

# reframe: the size cost of bounding frames by records (README, figures).
$(OUTPUT)/bench/reframe: $(OUTPUT)/tests/bench/reframe.o $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@
