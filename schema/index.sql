-- SPDX-License-Identifier: MIT
--
-- index.sql: the SQLite index that `tracee-analyze index` writes.
--
-- Version: PRAGMA user_version. 1 is this schema. A change that old readers
-- cannot read bumps it; tracee-analyze refuses databases of another version.
--
-- Conventions
--   * Times are wall-clock nanoseconds since the Unix epoch (the recording's
--     CLOCK_BOOTTIME ns + the manifest's boot_to_wall_ns), as in the JSON
--     lines' "timestamp".
--   * Text from the kernel (paths, argv, comm) is bytes. It is stored in the
--     JSON lines' decoded form: valid UTF-8 as is, a backslash doubled, a byte
--     that is not UTF-8 as the four characters \xHH. So WHERE exe = '/usr/bin/ls'
--     works, and nothing is lost.
--   * A process is identified by (host_pid, start_ns), never host_pid alone.
--   * The index is written in one transaction from one replay: the same
--     recording gives the same rows with the same ids.
--
-- Questions and how to ask them
--   what did this process tree do (processes under row 42, and their detections):
--     WITH RECURSIVE tree(id) AS (SELECT 42 UNION ALL
--       SELECT p.id FROM processes p JOIN tree ON p.parent_id = tree.id)
--     SELECT d.* FROM detection_report d JOIN tree ON d.process_id = tree.id;
--   what fired between t1 and t2:
--     SELECT * FROM detection_report WHERE timestamp BETWEEN :t1 AND :t2;
--   where is the evidence: events.segment, frame_offset, record_index name
--     the record in the recording; events.json is the event as replay prints it.

PRAGMA user_version = 1;

-- One row per indexed recording (one per database today).
CREATE TABLE recordings (
	id		INTEGER PRIMARY KEY,
	path		TEXT NOT NULL,		-- the directory as given to `index`
	hostname	TEXT,			-- NULL: the manifest was unreadable
	kernel		TEXT,			-- kernel release
	boot_id		TEXT,
	format_version	INTEGER,
	tool_version	TEXT,			-- of the recorder
	boot_to_wall_ns	INTEGER NOT NULL,	-- 0 without a manifest
	start_ns	INTEGER,		-- when recording started
	stop_ns		INTEGER,		-- NULL if it never finished
	state		TEXT NOT NULL		-- how it ended:
			CHECK (state IN ('complete', 'interrupted', 'unknown')),
						-- interrupted: the recorder was killed
						-- unknown: no readable manifest
	end_reason	TEXT,			-- "duration", "signal SIGINT", ...
	events		INTEGER NOT NULL,	-- events replayed
	lost_total	INTEGER NOT NULL,	-- events lost, from the gap records
	damaged_frames	INTEGER NOT NULL,	-- frames skipped as damaged
	warnings	INTEGER NOT NULL,	-- warnings replay printed
	indexed_by	TEXT NOT NULL,		-- tracee-analyze version
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
	id		INTEGER PRIMARY KEY,	-- in the order given
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	damage		INTEGER NOT NULL CHECK (damage IN (0, 1)),
	file		TEXT,			-- the file it is about, if any
	offset		INTEGER,		-- byte offset in it, if any
	message		TEXT NOT NULL
);

-- Every process the replay's process tree knew: the /proc snapshot, every
-- fork, every process first seen by an event. Exited ones stay.
CREATE TABLE processes (
	id		INTEGER PRIMARY KEY,	-- stable for a recording
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	host_pid	INTEGER NOT NULL,
	start_ns	INTEGER NOT NULL,	-- with host_pid, the identity; /proc
						-- start times have 10 ms precision
	pid		INTEGER,		-- in its own pid namespace
	host_ppid	INTEGER,
	parent_id	INTEGER REFERENCES processes(id), -- NULL: parent unknown
	exe		TEXT,			-- last executed path; NULL if unknown
	comm		TEXT,
	argv		TEXT,			-- JSON array of strings; NULL if unknown
	cwd		TEXT,			-- from the snapshot, inherited on fork
	cgroup		TEXT,			-- cgroup v2 path
	uid		INTEGER,
	gid		INTEGER,
	source		TEXT NOT NULL		-- where it was first learned from
			CHECK (source IN ('snapshot', 'fork', 'event')),
	seen_ns		INTEGER,		-- time of that record
	execs		INTEGER NOT NULL,	-- execs seen during the recording
	exited		INTEGER NOT NULL,	-- 1: the whole thread group exited
	exit_code	INTEGER,
	exit_ns		INTEGER
);
CREATE INDEX processes_parent ON processes(parent_id);
CREATE INDEX processes_identity ON processes(host_pid, start_ns);

-- The events detections point at (not every event: the recording has those).
CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	ordinal		INTEGER NOT NULL,	-- 1-based line number in `tracee-replay DIR`
	segment		TEXT NOT NULL,		-- events/seg-NNNNNN.zst
	frame_offset	INTEGER NOT NULL,	-- byte offset of the frame in the segment
	record_index	INTEGER NOT NULL,	-- 0-based record in the frame
	timestamp	INTEGER NOT NULL,
	event_id	INTEGER NOT NULL,	-- catalog id (59 = execve, ...)
	event_name	TEXT NOT NULL,
	host_pid	INTEGER,
	host_tid	INTEGER,
	process_id	INTEGER REFERENCES processes(id),
	json		TEXT NOT NULL,		-- the event's JSON line, as replay prints it
	UNIQUE (recording_id, ordinal)
);
CREATE INDEX events_time ON events(timestamp);
CREATE INDEX events_process ON events(process_id);

-- The signatures the index was made with.
CREATE TABLE signatures (
	id		TEXT PRIMARY KEY,	-- "TRR-1001"
	event_id	INTEGER NOT NULL,	-- eventId of its findings in JSON
	name		TEXT NOT NULL,
	description	TEXT NOT NULL,
	severity	INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
						-- 0 info, 1 low, 2 medium, 3 high
	mitre_id	TEXT,			-- ATT&CK technique, "T1105"
	mitre_name	TEXT
);

-- One row per finding.
CREATE TABLE detections (
	id		INTEGER PRIMARY KEY,	-- in replay order
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	signature_id	TEXT NOT NULL REFERENCES signatures(id),
	trigger_id	INTEGER NOT NULL REFERENCES events(id), -- the triggering event
	process_id	INTEGER REFERENCES processes(id), -- the process it is about
	timestamp	INTEGER NOT NULL,	-- the triggering event's
	data		TEXT NOT NULL		-- JSON object of the signature's data
);
CREATE INDEX detections_time ON detections(timestamp);
CREATE INDEX detections_signature ON detections(signature_id, timestamp);
CREATE INDEX detections_process ON detections(process_id);

-- Events lost on a CPU, as the recording states them.
CREATE TABLE gaps (
	id		INTEGER PRIMARY KEY,
	recording_id	INTEGER NOT NULL REFERENCES recordings(id),
	ordinal		INTEGER NOT NULL,	-- line number of its lost_events line
	cpu		INTEGER NOT NULL,
	lost		INTEGER NOT NULL,
	timestamp	INTEGER NOT NULL	-- when the loss was noticed
);
CREATE INDEX gaps_time ON gaps(timestamp);

-- Detections with what a responder reads first.
CREATE VIEW detection_report AS
SELECT d.id, d.timestamp, d.signature_id, s.name AS signature, s.severity,
       s.mitre_id, p.host_pid, p.comm, p.exe, d.data, d.process_id, d.trigger_id,
       e.event_name, e.segment, e.frame_offset, e.record_index, e.ordinal
FROM detections d
JOIN signatures s ON s.id = d.signature_id
JOIN events e ON e.id = d.trigger_id
LEFT JOIN processes p ON p.id = d.process_id;
