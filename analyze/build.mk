# SPDX-License-Identifier: MIT
# analyze/build.mk: extra rules for the analyze side, included by the Makefile.

# schema/index.sql is compiled into the indexer as a C string, so the
# database is made by exactly the documented schema and nothing else.
$(OUTPUT)/tr_index_sql.h: schema/index.sql
	@mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q){ echo '/* generated from schema/index.sql by analyze/build.mk: do not edit */'; \
	      echo 'static const char tr_index_sql[] = {'; \
	      od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	      echo '0x00 };'; } > $@

$(OUTPUT)/analyze/index.o: $(OUTPUT)/tr_index_sql.h

# analyze/ grows sub-folders (store/, ...): their objects go into the library
# too ($(LIB)'s recipe archives all its prerequisites).
ANALYZE_SUB_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(wildcard analyze/*/*.c))
$(LIB): $(ANALYZE_SUB_OBJS)
$(OUTPUT)/analyze/store/sqlite.o: $(OUTPUT)/tr_index_sql.h
LDLIBS += -larchive

# The index benchmark (root): rows/s with every event stored, bytes/event.
.PHONY: bench-index
bench-index: all $(OUTPUT)/bench/openloop
	$(Q)OUTPUT=$(OUTPUT) tests/bench/index.sh $(ROUNDS)

# schema/clickhouse.sql, the same way, for the ClickHouse store (issue 12).
$(OUTPUT)/tr_clickhouse_sql.h: schema/clickhouse.sql
	@mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q){ echo '/* generated from schema/clickhouse.sql by analyze/build.mk: do not edit */'; \
	      echo 'static const char tr_clickhouse_sql[] = {'; \
	      od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	      echo '0x00 };'; } > $@
$(OUTPUT)/analyze/store/clickhouse.o: $(OUTPUT)/tr_clickhouse_sql.h
LDLIBS += -lcurl

# The ClickHouse export benchmark (root; issue 12): events/s exported beside
# index, bytes/event, a cross-host detections question on both stores.
.PHONY: bench-clickhouse
bench-clickhouse: all $(OUTPUT)/bench/openloop
	$(Q)OUTPUT=$(OUTPUT) tests/bench/clickhouse.sh $(ROUNDS)
