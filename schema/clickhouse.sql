-- SPDX-License-Identifier: MIT
--
-- clickhouse.sql: the case database of schema/index.sql in ClickHouse 18.16,
-- for a fleet (`tracee-analyze export --clickhouse URL`). Same tables, same
-- columns, same values; what differs:
--   * Engines: MergeTree, each table ordered by the key its usual question
--     reads (host and time: recording_id, timestamp; signature, time;
--     entity id) and partitioned by day of a DateTime twin of its time.
--   * Times: the *_ns / timestamp columns are UInt64 wall-clock ns (as in
--     SQLite); `ts` (DateTime, seconds, MATERIALIZED) is their coarse twin
--     for partitions and date functions; the text twins (time, start_time,
--     ...) are ALIAS columns computed on read, as SQLite's virtual ones.
--     There is no DateTime64 in 18.16.
--   * Addresses are String (no IPv6 type in 18.16), as in SQLite.
--   * Ids: recording_id is chosen by the exporter from the recording's uid
--     (hostname/boot id/start, recordings.uid), so different collectors
--     exporting different hosts need no coordination; row ids are
--     (recording_id << 40) + n as in SQLite.
--   * Re-export replaces a recording: ALTER TABLE t DELETE WHERE
--     recording_id = R on each table, waited for in system.mutations, then
--     the rows again. Counts are exact at once (no FINAL, no merge needed).
--   * signatures is shared by all recordings: the exporter deletes the
--     signature ids it is about to write (a mutation) and inserts them.
--   * No views with several JOINs (18.16 takes one JOIN a query): the
--     questions join in C or with one JOIN (analyze/questions.c).
-- Statements are separated by a line ending in ';' (the exporter sends them
-- one by one, in the database given by --database, made if missing).

CREATE TABLE IF NOT EXISTS recordings (
	id		Int64,
	uid		String,
	path		String,
	hostname	Nullable(String),
	kernel		Nullable(String),
	boot_id		Nullable(String),
	cpu_count	Nullable(Int64),
	format_version	Nullable(Int64),
	tool_version	Nullable(String),
	options		Nullable(String),
	boot_to_wall_ns	Int64,
	start_ns	Nullable(UInt64),
	start_time	Nullable(String) ALIAS if(isNull(start_ns), NULL, concat(replaceOne(toString(toDateTime(intDiv(assumeNotNull(start_ns), 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + assumeNotNull(start_ns) % 1000000000), 2), 'Z')),
	stop_ns		Nullable(UInt64),
	stop_time	Nullable(String) ALIAS if(isNull(stop_ns), NULL, concat(replaceOne(toString(toDateTime(intDiv(assumeNotNull(stop_ns), 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + assumeNotNull(stop_ns) % 1000000000), 2), 'Z')),
	state		String,
	end_reason	Nullable(String),
	events		Int64,
	lost_total	Int64,
	damaged_frames	Int64,
	warnings	Int64,
	manifest_sha256	Nullable(String),
	detections_only	Int64,
	indexed		Int64,
	indexed_by	String,
	indexed_ns	Int64,
	damage		Nullable(String),
	ts		DateTime MATERIALIZED toDateTime(intDiv(ifNull(start_ns, 0), 1000000000))
) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY id;

CREATE TABLE IF NOT EXISTS warnings (
	id		Int64,
	recording_id	Int64,
	damage		Int64,
	file		Nullable(String),
	offset		Nullable(Int64),
	message		String
) ENGINE = MergeTree ORDER BY (recording_id, id);

CREATE TABLE IF NOT EXISTS recording_files (
	recording_id	Int64,
	kind		String,
	path		String,
	bytes		Nullable(Int64),
	sha256		Nullable(String)
) ENGINE = MergeTree ORDER BY (recording_id, path);

CREATE TABLE IF NOT EXISTS segments (
	recording_id	Int64,
	segment_index	Int64,
	path		String
) ENGINE = MergeTree ORDER BY (recording_id, segment_index);

CREATE TABLE IF NOT EXISTS processes (
	id		Int64,
	recording_id	Int64,
	entity_id	String,
	host_pid	Int64,
	start_ns	UInt64,
	start_time	String ALIAS concat(replaceOne(toString(toDateTime(intDiv(start_ns, 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + start_ns % 1000000000), 2), 'Z'),
	pid		Nullable(Int64),
	host_ppid	Nullable(Int64),
	parent_id	Nullable(Int64),
	parent_entity_id Nullable(String),
	exe		Nullable(String),
	comm		Nullable(String),
	argv		Nullable(String),
	cwd		Nullable(String),
	cgroup		Nullable(String),
	container_id	Nullable(String),
	uid		Nullable(Int64),
	user		Nullable(String),
	gid		Nullable(Int64),
	source		String,
	seen_ns		Nullable(UInt64),
	execs		Int64,
	exited		Int64,
	exit_code	Nullable(Int64),
	exit_ns		Nullable(UInt64),
	exit_time	Nullable(String) ALIAS if(isNull(exit_ns), NULL, concat(replaceOne(toString(toDateTime(intDiv(assumeNotNull(exit_ns), 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + assumeNotNull(exit_ns) % 1000000000), 2), 'Z')),
	ts		DateTime MATERIALIZED toDateTime(intDiv(start_ns, 1000000000))
) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY (recording_id, id);

CREATE TABLE IF NOT EXISTS events (
	id		Int64,
	recording_id	Int64,
	ordinal		Int64,
	timestamp	UInt64,
	time		String ALIAS concat(replaceOne(toString(toDateTime(intDiv(timestamp, 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + timestamp % 1000000000), 2), 'Z'),
	event_id	Int64,
	event_name	String,
	host_pid	Nullable(Int64),
	host_tid	Nullable(Int64),
	process_id	Nullable(Int64),
	retval		Nullable(Int64),
	args		String,
	segment_index	Int64,
	frame_offset	Int64,
	record_index	Int64,
	ts		DateTime MATERIALIZED toDateTime(intDiv(timestamp, 1000000000))
) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY (recording_id, timestamp, id);

CREATE TABLE IF NOT EXISTS signatures (
	id		String,
	event_id	Int64,
	name		String,
	description	String,
	severity	Int64,
	mitre_id	Nullable(String),
	mitre_name	Nullable(String),
	origin		String,
	version		String,
	rule_sha256	Nullable(String)
) ENGINE = MergeTree ORDER BY id;

CREATE TABLE IF NOT EXISTS detections (
	id		Int64,
	recording_id	Int64,
	signature_id	String,
	trigger_id	Int64,
	trigger_ordinal	Int64,
	process_id	Nullable(Int64),
	severity	Int64,
	timestamp	UInt64,
	time		String ALIAS concat(replaceOne(toString(toDateTime(intDiv(timestamp, 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + timestamp % 1000000000), 2), 'Z'),
	data		String,
	ts		DateTime MATERIALIZED toDateTime(intDiv(timestamp, 1000000000))
) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY (signature_id, timestamp, id);

CREATE TABLE IF NOT EXISTS files (
	id		Int64,
	recording_id	Int64,
	event_ordinal	Int64,
	process_id	Nullable(Int64),
	timestamp	UInt64,
	time		String ALIAS concat(replaceOne(toString(toDateTime(intDiv(timestamp, 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + timestamp % 1000000000), 2), 'Z'),
	how		String,
	path		String,
	new_path	Nullable(String),
	flags		Nullable(Int64),
	retval		Nullable(Int64),
	ts		DateTime MATERIALIZED toDateTime(intDiv(timestamp, 1000000000))
) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY (path, timestamp, id);

CREATE TABLE IF NOT EXISTS flows (
	id		Int64,
	recording_id	Int64,
	event_ordinal	Int64,
	process_id	Nullable(Int64),
	timestamp	UInt64,
	time		String ALIAS concat(replaceOne(toString(toDateTime(intDiv(timestamp, 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + timestamp % 1000000000), 2), 'Z'),
	direction	String,
	family		String,
	proto		Nullable(String),
	src_addr	Nullable(String),
	src_port	Nullable(Int64),
	dst_addr	Nullable(String),
	dst_port	Nullable(Int64),
	dns_name	Nullable(String),
	bytes_out	Nullable(Int64),
	bytes_in	Nullable(Int64),
	packets		Nullable(Int64),
	retval		Nullable(Int64),
	ts		DateTime MATERIALIZED toDateTime(intDiv(timestamp, 1000000000))
) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY (recording_id, timestamp, id);

CREATE TABLE IF NOT EXISTS artifacts (
	id		Int64,
	recording_id	Int64,
	sha256		String,
	path		Nullable(String),
	stored		Nullable(String),
	bytes		Nullable(Int64),
	process_id	Nullable(Int64),
	event_ordinal	Nullable(Int64),
	timestamp	Nullable(UInt64),
	time		Nullable(String) ALIAS if(isNull(timestamp), NULL, concat(replaceOne(toString(toDateTime(intDiv(assumeNotNull(timestamp), 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + assumeNotNull(timestamp) % 1000000000), 2), 'Z'))
) ENGINE = MergeTree ORDER BY (sha256, id);

CREATE TABLE IF NOT EXISTS gaps (
	id		Int64,
	recording_id	Int64,
	ordinal		Int64,
	cpu		Int64,
	lost		Int64,
	timestamp	UInt64,
	time		String ALIAS concat(replaceOne(toString(toDateTime(intDiv(timestamp, 1000000000)), 'UTC'), ' ', 'T'), '.', substring(toString(1000000000 + timestamp % 1000000000), 2), 'Z'),
	ts		DateTime MATERIALIZED toDateTime(intDiv(timestamp, 1000000000))
) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY (recording_id, timestamp, id);
