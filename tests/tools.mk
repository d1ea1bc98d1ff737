# SPDX-License-Identifier: MIT
# tests/tools.mk: small tools the shell tests use, included by the Makefile.

# dump_state prints the state records of segments as JSON lines.
DUMP_STATE := $(OUTPUT)/dump_state

$(DUMP_STATE): $(OUTPUT)/tests/dump_state.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

check test asan-tests: $(DUMP_STATE)

# fd_holder holds one fd of each kind for the live state test.
FD_HOLDER := $(OUTPUT)/fd_holder

$(FD_HOLDER): $(OUTPUT)/tests/fd_holder.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@

test asan-tests: $(FD_HOLDER)

# What a state checkpoint costs on this host (root).
.PHONY: bench-checkpoint
bench-checkpoint: all $(DUMP_STATE)
	$(Q)OUTPUT=$(OUTPUT) tests/bench/checkpoint.sh
