-- SPDX-License-Identifier: MIT
--
-- index.sql: the case database that `tracee-analyze index` writes.
--
-- Identity and version: PRAGMA application_id = 0x54524358 ("TRCX") marks
-- the file as ours; PRAGMA user_version is the schema version, 2 for this
-- file. tracee-analyze refuses a file with another application_id (not
-- ours) or a newer user_version (made by a newer tracee-analyze). Version 1
-- (one recording, only the events detections point at) is migrated in place
-- by `index` (analyze/store/sqlite.c, migrate_1_2): its rows are kept, with
-- the ids they had.
--
-- Conventions
--   * One database holds several recordings of several hosts. Each table
--     has recording_id; a row id is (recording_id << 40) + n, where n is the
--     row's position within its recording (the event's ordinal, the process
--     tree's creation order + 1, ...). So re-indexing a recording gives the
--     same rows with the same ids, and rows of different recordings never
--     collide. recordings.uid (hostname, boot id, start time) says which
--     recording a directory holds: indexing it again replaces its rows.
--   * Times are wall-clock nanoseconds since the Unix epoch (the recording's
--     CLOCK_BOOTTIME ns + the manifest's boot_to_wall_ns), as in the JSON
--     lines' "timestamp"; each *_ns or timestamp column has a UTC text twin
--     ("2026-12-01T04:05:06.123456789Z"), computed (a virtual column costs
--     no space).
--   * Text from the kernel (paths, argv, comm) is bytes. It is stored in the
--     decoded form of the JSON lines: valid UTF-8 as is, a backslash doubled,
--     a byte that is not UTF-8 as the four characters \xHH. So
--     WHERE exe = '/usr/bin/ls' works, and nothing is lost. argv and events'
--     args are JSON (json_extract(args, '$.pathname')), decoded once: not a
--     JSON string inside a JSON string.
--   * A process is identified by (host_pid, start_ns) on its host, never by
--     host_pid alone; entity_id spells that identity as "HOST:PID:START_NS".
--
-- Questions and how to ask them
--   which process connected to 127.0.0.1:4444:
--     SELECT p.entity_id, p.exe, f.time FROM flows f JOIN processes p
--       ON p.id = f.process_id WHERE f.dst_addr = '127.0.0.1' AND f.dst_port = 4444;
--   what did this process tree do (processes under row :id, and their events):
--     WITH RECURSIVE tree(id) AS (SELECT :id UNION ALL
--       SELECT p.id FROM processes p JOIN tree ON p.parent_id = tree.id)
--     SELECT e.* FROM events e JOIN tree ON e.process_id = tree.id;
--   what touched a file:
--     SELECT * FROM files WHERE path GLOB '/etc/*' ORDER BY timestamp;
--   what fired between t1 and t2:
--     SELECT * FROM detection_report WHERE timestamp BETWEEN :t1 AND :t2;
--   where is the evidence: events.segment_index (segments.path),
--     frame_offset, record_index name the record in the recording.

PRAGMA application_id = 1414677336;
PRAGMA user_version = 2;

-- One row per indexed recording.
CREATE TABLE recordings (
	id		INTEGER PRIMARY KEY,	-- 1, 2, ... in the order first indexed
	uid		TEXT NOT NULL UNIQUE,	-- hostname/boot_id/start boot ns (or the
						-- path, without a manifest)
	path		TEXT NOT NULL,		-- the directory as given to `index`
	hostname	TEXT,			-- NULL: the manifest was unreadable
	kernel		TEXT,			-- kernel release
	boot_id		TEXT,
	cpu_count	INTEGER,
	format_version	INTEGER,
	tool_version	TEXT,			-- of the recorder
	options		TEXT,			-- JSON array: the recorder's argv
	boot_to_wall_ns	INTEGER NOT NULL,	-- 0 without a manifest
	start_ns	INTEGER,		-- when recording started
	start_time	TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', start_ns / 1000000000, 'unixepoch') || printf('.%09dZ', start_ns % 1000000000)) VIRTUAL,
	stop_ns		INTEGER,		-- NULL if it never finished
	stop_time	TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', stop_ns / 1000000000, 'unixepoch') || printf('.%09dZ', stop_ns % 1000000000)) VIRTUAL,
	state		TEXT NOT NULL		-- how it ended:
			CHECK (state IN ('complete', 'interrupted', 'unknown')),
						-- interrupted: the recorder was killed
						-- unknown: no readable manifest
	end_reason	TEXT,			-- "duration", "signal SIGINT", ...
	events		INTEGER NOT NULL,	-- events replayed
	lost_total	INTEGER NOT NULL,	-- events lost, from the gap records
	damaged_frames	INTEGER NOT NULL,	-- frames skipped as damaged
	warnings	INTEGER NOT NULL,	-- warnings replay printed
	manifest_sha256	TEXT,			-- of manifest.json as indexed
	detections_only	INTEGER NOT NULL,	-- 1: only the events detections point at
	indexed		INTEGER NOT NULL,	-- 0 while (or if a crash stopped) indexing
	indexed_by	TEXT NOT NULL,		-- tracee-analyze version
	indexed_ns	INTEGER NOT NULL,
	damage		TEXT			-- NULL: the recording proved whole (sizes,
						-- counts, sha256, frame_seq, hash chain,
						-- per-CPU seq); else a JSON array of the
						-- damage found, one string each (rows of
						-- warnings with damage = 1)
);

-- Every warning replay gave while indexing: damage (damage = 1: the input
-- is damaged or incomplete) and oddities (0), such as a signature that
-- cannot run on this recording.
CREATE TABLE warnings (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + n, in the order given
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	damage		INTEGER NOT NULL CHECK (damage IN (0, 1)),
	file		TEXT,			-- the file it is about, if any
	offset		INTEGER,		-- byte offset in it, if any
	message		TEXT NOT NULL
);

-- The recording's files as its manifest lists them: the source hashes.
CREATE TABLE recording_files (
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	kind		TEXT NOT NULL CHECK (kind IN ('segment', 'pcap', 'artifact')),
	path		TEXT NOT NULL,		-- relative to the recording
	bytes		INTEGER,
	sha256		TEXT,
	PRIMARY KEY (recording_id, path)
);

-- The segments read, by their position in reading order (events point here).
CREATE TABLE segments (
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	segment_index	INTEGER NOT NULL,	-- 0-based, reading order
	path		TEXT NOT NULL,		-- events/seg-NNNNNN.zst
	PRIMARY KEY (recording_id, segment_index)
);

-- Every process the replay's process tree knew: the /proc snapshot, every
-- fork, every process first seen by an event. Exited ones stay.
CREATE TABLE processes (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + tree index + 1
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	entity_id	TEXT NOT NULL,		-- "HOST:PID:START_NS"
	host_pid	INTEGER NOT NULL,
	start_ns	INTEGER NOT NULL,	-- with host_pid, the identity; /proc
						-- start times have 10 ms precision
	start_time	TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', start_ns / 1000000000, 'unixepoch') || printf('.%09dZ', start_ns % 1000000000)) VIRTUAL,
	pid		INTEGER,		-- in its own pid namespace
	host_ppid	INTEGER,
	parent_id	INTEGER REFERENCES processes(id), -- NULL: parent unknown
	parent_entity_id TEXT,
	exe		TEXT,			-- last executed path; NULL if unknown
	comm		TEXT,
	argv		TEXT,			-- JSON array of strings; NULL if unknown
	cwd		TEXT,			-- from the snapshot, inherited on fork
	cgroup		TEXT,			-- cgroup v2 path
	container_id	TEXT,			-- 64 hex digits found in the cgroup path
	uid		INTEGER,
	user		TEXT,			-- user name, when the recording has it
	gid		INTEGER,
	source		TEXT NOT NULL		-- where it was first learned from
			CHECK (source IN ('snapshot', 'fork', 'event')),
	seen_ns		INTEGER,		-- time of that record
	execs		INTEGER NOT NULL,	-- execs seen during the recording
	exited		INTEGER NOT NULL,	-- 1: the whole thread group exited
	exit_code	INTEGER,
	exit_ns		INTEGER,
	exit_time	TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', exit_ns / 1000000000, 'unixepoch') || printf('.%09dZ', exit_ns % 1000000000)) VIRTUAL
);
CREATE INDEX processes_parent ON processes(parent_id);
CREATE INDEX processes_identity ON processes(host_pid, start_ns);
CREATE INDEX processes_entity ON processes(entity_id);

-- Every event replayed (with --detections-only: those detections point at).
CREATE TABLE events (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + ordinal
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	ordinal		INTEGER NOT NULL,	-- 1-based line number in `tracee-replay DIR`
	timestamp	INTEGER NOT NULL,
	time		TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', timestamp / 1000000000, 'unixepoch') || printf('.%09dZ', timestamp % 1000000000)) VIRTUAL,
	event_id	INTEGER NOT NULL,	-- the recording's catalog id
	event_name	TEXT NOT NULL,		-- "openat", "sched_process_exec", ...
	host_pid	INTEGER,
	host_tid	INTEGER,
	process_id	INTEGER REFERENCES processes(id),
	retval		INTEGER,
	args		TEXT NOT NULL,		-- JSON object {"name": value} of the
						-- arguments the record has, each value as
						-- replay prints it (replay prints a zero
						-- value for an argument the record lacks)
	segment_index	INTEGER NOT NULL,	-- segments(recording_id, segment_index)
	frame_offset	INTEGER NOT NULL,	-- byte offset of the frame in the segment
	record_index	INTEGER NOT NULL	-- 0-based record in the frame
);
CREATE INDEX events_time ON events(timestamp);
CREATE INDEX events_process ON events(process_id);

-- The signatures the database was indexed with (the latest run's wins).
CREATE TABLE signatures (
	id		TEXT PRIMARY KEY,	-- "TRR-1001"
	event_id	INTEGER NOT NULL,	-- eventId of its findings in JSON
	name		TEXT NOT NULL,
	description	TEXT NOT NULL,
	severity	INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
						-- 0 info, 1 low, 2 medium, 3 high
	mitre_id	TEXT,			-- ATT&CK technique, "T1105"
	mitre_name	TEXT,
	origin		TEXT NOT NULL,		-- "builtin", or the rule file
	version		TEXT NOT NULL,		-- tool version for built-ins
	rule_sha256	TEXT			-- of the rule file; NULL for built-ins
);

-- One row per finding.
CREATE TABLE detections (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + n, replay order
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	signature_id	TEXT NOT NULL REFERENCES signatures(id),
	trigger_id	INTEGER NOT NULL REFERENCES events(id), -- the triggering event
	trigger_ordinal	INTEGER NOT NULL,	-- its ordinal
	process_id	INTEGER REFERENCES processes(id), -- the process it is about
	severity	INTEGER NOT NULL,	-- the signature's, at indexing
	timestamp	INTEGER NOT NULL,	-- the triggering event's
	time		TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', timestamp / 1000000000, 'unixepoch') || printf('.%09dZ', timestamp % 1000000000)) VIRTUAL,
	data		TEXT NOT NULL		-- JSON object of the signature's data
);
CREATE INDEX detections_time ON detections(timestamp);
CREATE INDEX detections_signature ON detections(signature_id, timestamp);
CREATE INDEX detections_process ON detections(process_id);

-- Files touched: every open, and every unlink, rename, chmod the catalog
-- records. path is absolute when the process's cwd (or the dirfd) was known,
-- else as given.
CREATE TABLE files (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + ordinal of the event
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	event_ordinal	INTEGER NOT NULL,	-- events(id) is (recording_id << 40) + this
	process_id	INTEGER REFERENCES processes(id),
	timestamp	INTEGER NOT NULL,
	time		TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', timestamp / 1000000000, 'unixepoch') || printf('.%09dZ', timestamp % 1000000000)) VIRTUAL,
	how		TEXT NOT NULL		-- open: read only; write: opened for
			CHECK (how IN ('open', 'write', 'unlink', 'rename', 'chmod')),
						-- writing, created or truncated
	path		TEXT NOT NULL,
	new_path	TEXT,			-- rename's target
	flags		INTEGER,		-- open flags, chmod mode
	retval		INTEGER			-- < 0: failed with -errno
);
CREATE INDEX files_path ON files(path);
CREATE INDEX files_process ON files(process_id);

-- Network flows: one row per connect/accept call. When the recording has
-- pcaps (net/), the TCP/UDP conversation with that peer nearest in time
-- gives the local end, proto, bytes each way (on the wire) and packets, and
-- a DNS answer (A/AAAA, from port 53) before it gives dns_name.
CREATE TABLE flows (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + ordinal of the event
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	event_ordinal	INTEGER NOT NULL,
	process_id	INTEGER REFERENCES processes(id),
	timestamp	INTEGER NOT NULL,
	time		TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', timestamp / 1000000000, 'unixepoch') || printf('.%09dZ', timestamp % 1000000000)) VIRTUAL,
	direction	TEXT NOT NULL CHECK (direction IN ('out', 'in')), -- connect / accept
	family		TEXT NOT NULL,		-- AF_INET, AF_INET6, AF_UNIX, ...
	proto		TEXT,			-- tcp, udp; NULL: not known
	src_addr	TEXT,
	src_port	INTEGER,
	dst_addr	TEXT,			-- the peer, or a unix socket path
	dst_port	INTEGER,
	dns_name	TEXT,			-- a name that resolved to dst_addr
	bytes_out	INTEGER,
	bytes_in	INTEGER,
	packets		INTEGER,
	retval		INTEGER
);
CREATE INDEX flows_dst ON flows(dst_addr, dst_port);
CREATE INDEX flows_process ON flows(process_id);

-- Artifacts the recorder captured (--capture exec, --capture write): one
-- row per artifact record (FORMAT.md TR_REC_ARTIFACT), tied to the process
-- and the event that made the file wanted; stored is NULL when the file was
-- not copied (too big, budget spent, gone, ...).
CREATE TABLE artifacts (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + n
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	sha256		TEXT NOT NULL,
	path		TEXT,			-- the file's path on the host
	stored		TEXT,			-- where it is in the recording
	bytes		INTEGER,
	process_id	INTEGER REFERENCES processes(id),
	event_ordinal	INTEGER,		-- the event that produced it
	timestamp	INTEGER,
	time		TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', timestamp / 1000000000, 'unixepoch') || printf('.%09dZ', timestamp % 1000000000)) VIRTUAL
);
CREATE INDEX artifacts_sha256 ON artifacts(sha256);

-- Events lost on a CPU, as the recording states them.
CREATE TABLE gaps (
	id		INTEGER PRIMARY KEY,	-- (recording_id << 40) + ordinal
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	ordinal		INTEGER NOT NULL,	-- line number of its lost_events line
	cpu		INTEGER NOT NULL,
	lost		INTEGER NOT NULL,
	timestamp	INTEGER NOT NULL,	-- when the loss was noticed
	time		TEXT GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%S', timestamp / 1000000000, 'unixepoch') || printf('.%09dZ', timestamp % 1000000000)) VIRTUAL
);
CREATE INDEX gaps_time ON gaps(timestamp);

-- Detections with what a responder reads first.
CREATE VIEW detection_report AS
SELECT d.id, d.recording_id, r.hostname, d.timestamp, d.time, d.signature_id,
       s.name AS signature, d.severity, s.mitre_id, p.host_pid, p.entity_id, p.comm,
       p.exe, d.data, d.process_id, d.trigger_id, d.trigger_ordinal,
       e.event_name, g.path AS segment, e.frame_offset, e.record_index
FROM detections d
JOIN recordings r ON r.id = d.recording_id
JOIN signatures s ON s.id = d.signature_id
LEFT JOIN events e ON e.id = d.trigger_id
LEFT JOIN segments g ON g.recording_id = e.recording_id AND g.segment_index = e.segment_index
LEFT JOIN processes p ON p.id = d.process_id;
