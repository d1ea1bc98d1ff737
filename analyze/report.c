// SPDX-License-Identifier: MIT
/*
 * report.c: the HTML report (analyze/report.h).
 *
 * The data goes into the page as one JSON document inside
 * <script type="application/json"> (every "<" written as \u003c, so no
 * string from a recording can close the script element), and the page's
 * script puts it on screen with textContent only: an exe name full of
 * markup stays text.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "questions.h"
#include "report.h"
#include "store/store.h"

#define MAX_ROWS 5000	/* per section; the page says when it shows fewer */
#define MAX_TREE 2000	/* processes drawn */

/* The JSON lines a question writes, as a JSON array (at most MAX_ROWS). */
static int question_rows(struct tr_store *s, const char *name, json_t **out, int *truncated, char *err,
			 size_t errlen)
{
	struct tr_qargs a = { .min_severity = -1, .since = INT64_MIN, .until = INT64_MAX, .fmt = TR_OUT_JSON };
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int rc;

	*out = json_array();
	*truncated = 0;
	a.out = open_memstream(&text, &len);
	if (!a.out || !*out)
		return -ENOMEM;
	rc = tr_question__find(name)->run(s, &a, err, errlen);
	fclose(a.out);
	for (line = strtok_r(text, "\n", &save); !rc && line; line = strtok_r(NULL, "\n", &save)) {
		json_t *row;

		if (json_array_size(*out) >= MAX_ROWS) {
			*truncated = 1;
			break;
		}
		row = json_loads(line, 0, NULL);
		if (row)
			json_array_append_new(*out, row);
	}
	free(text);
	return rc;
}

/* Rows of a select as an array of objects. */
struct rows {
	json_t *a;
	int truncated;
};

static int rows_row(void *ctx, const char *const *names, const struct tr_val *c, size_t n)
{
	struct rows *r = ctx;
	json_t *o = json_object();

	if (json_array_size(r->a) >= MAX_ROWS) {
		r->truncated = 1;
		json_decref(o);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, names[i], c[i].type == TR_VAL_INT ? json_integer(c[i].i) :
						 c[i].type == TR_VAL_TEXT ? json_stringn_nocheck(c[i].s, c[i].len) :
						 json_null());
	json_array_append_new(r->a, o);
	return 0;
}

static int select_rows(struct tr_store *s, const char *sql, json_t **out, int *truncated)
{
	struct rows r = { .a = json_array() };
	int rc = s->ops->select(s, sql, NULL, 0, rows_row, &r);

	*out = r.a;
	*truncated = r.truncated;
	return rc;
}

/* The process tree of the processes involved: those with detections, their
 * ancestors and descendants (every process when nothing was detected),
 * at most MAX_TREE. */
static int tree_rows(struct tr_store *s, json_t **out, int *truncated)
{
	json_t *all, *dets;
	int t1, t2, rc;
	size_t n, i;
	char *mark;
	int64_t *ids, *parent;
	int any = 0;

	*out = json_array();
	*truncated = 0;
	if ((rc = select_rows(s, "SELECT p.id, p.parent_id AS parent, r.hostname AS host, p.host_pid AS pid, "
				 "coalesce(p.exe, p.comm) AS exe, p.argv, p.entity_id AS entity, "
				 "p.start_time AS start, p.exit_code FROM processes p JOIN recordings r "
				 "ON r.id = p.recording_id ORDER BY p.id", &all, &t1)))
		return rc;
	if ((rc = select_rows(s, "SELECT process_id, signature_id FROM detections WHERE process_id IS NOT NULL "
				 "ORDER BY timestamp", &dets, &t2))) {
		json_decref(all);
		return rc;
	}
	n = json_array_size(all);
	mark = calloc(n + 1, 1);
	ids = calloc(n + 1, sizeof(*ids));
	parent = calloc(n + 1, sizeof(*parent));
	if (!mark || !ids || !parent) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		ids[i] = json_integer_value(json_object_get(json_array_get(all, i), "id"));
	/* parent index by binary search on the ordered ids */
	for (i = 0; i < n; i++) {
		json_int_t pid = json_integer_value(json_object_get(json_array_get(all, i), "parent"));
		size_t lo = 0, hi = n;

		parent[i] = -1;
		while (pid && lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (ids[mid] == pid) {
				parent[i] = (int64_t)mid;
				break;
			}
			if (ids[mid] < pid)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	for (size_t d = 0; d < json_array_size(dets); d++) {
		json_t *row = json_array_get(dets, d);
		json_int_t pid = json_integer_value(json_object_get(row, "process_id"));

		for (i = 0; i < n; i++) {
			json_t *p = json_array_get(all, i), *list;

			if (ids[i] != pid)
				continue;
			list = json_object_get(p, "detections");
			if (!list)
				json_object_set_new(p, "detections", list = json_array());
			json_array_append(list, json_object_get(row, "signature_id"));
			mark[i] = 2;
			any = 1;
		}
	}
	/* ancestors of the marked, then descendants (ids grow with creation) */
	for (i = 0; i < n; i++)
		if (mark[i] == 2)
			for (int64_t up = parent[i]; up >= 0 && !mark[up]; up = parent[up])
				mark[up] = 1;
	for (i = 0; i < n; i++)
		if (!mark[i] && parent[i] >= 0 && (mark[parent[i]] == 2 || mark[parent[i]] == 3))
			mark[i] = 3;
	for (i = 0; i < n; i++) {
		json_t *p = json_array_get(all, i);

		if (any && !mark[i])
			continue;
		if (json_array_size(*out) >= MAX_TREE) {
			*truncated = 1;
			break;
		}
		json_object_set_new(p, "role", json_string(mark[i] == 1 ? "ancestor" : mark[i] == 2 ? "detected" :
							   mark[i] == 3 ? "descendant" : "process"));
		json_array_append(*out, p);
	}
out:
	free(mark);
	free(ids);
	free(parent);
	json_decref(all);
	json_decref(dets);
	return rc;
}

static const char page_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	"script-src 'unsafe-inline'; img-src data:\">\n"
	"<title>tracee-analyze report</title>\n<style>\n"
	"body{font:14px/1.4 system-ui,sans-serif;margin:0 2em 3em;color:#222}\n"
	"h1{font-size:1.5em;margin:.8em 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}\n"
	"table{border-collapse:collapse;width:100%;font-size:12px}th,td{border:1px solid #ddd;padding:2px 6px;"
	"text-align:left;vertical-align:top}th{background:#f3f3f3}td{word-break:break-all}\n"
	".sev3{background:#fdd}.sev2{background:#ffe9cc}.sev1{background:#ffffd8}.note{color:#666;font-size:12px}\n"
	"svg text{font:12px monospace;cursor:pointer}svg .det text{fill:#b00;font-weight:bold}"
	"svg line,svg path{stroke:#999;fill:none}svg circle{stroke:#555;fill:#fff}svg .closed circle{fill:#555}\n"
	".kind-detection{background:#fdd}.kind-gap{background:#eee}\n"
	"</style></head><body>\n<h1>tracee-analyze report</h1>\n<p class=\"note\" id=\"made\"></p>\n"
	"<h2>Recordings</h2><div id=\"recordings\"></div>\n"
	"<h2>Detections</h2><div id=\"detections\"></div>\n"
	"<h2>Process tree</h2><p class=\"note\">The processes involved in detections, with their ancestors and "
	"descendants. Click a process to fold or unfold its children.</p><div id=\"tree\"></div>\n"
	"<h2>Timeline</h2><div id=\"timeline\"></div>\n"
	"<h2>Network flows</h2><div id=\"flows\"></div>\n"
	"<h2>Artifacts</h2><div id=\"artifacts\"></div>\n"
	"<h2>Gaps</h2><div id=\"gaps\"></div>\n"
	"<script type=\"application/json\" id=\"data\">";

static const char page_tail[] =
	"</script>\n<script>\n"
	"'use strict';\n"
	"const D = JSON.parse(document.getElementById('data').textContent);\n"
	"const SVG = 'http://www.w3.org/2000/svg';\n"
	"function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null)"
	" e.textContent = String(text); if (cls) e.className = cls; return e; }\n"
	"function show(v) { return v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : v; }\n"
	"function table(id, rows, cols, rowClass, truncated) {\n"
	"  const host = document.getElementById(id);\n"
	"  if (!rows.length) { host.appendChild(el('p', 'None.', 'note')); return; }\n"
	"  const t = el('table'), h = el('tr');\n"
	"  cols.forEach(c => h.appendChild(el('th', c)));\n"
	"  t.appendChild(h);\n"
	"  rows.forEach(r => { const tr = el('tr'); if (rowClass) tr.className = rowClass(r);\n"
	"    cols.forEach(c => tr.appendChild(el('td', show(r[c])))); t.appendChild(tr); });\n"
	"  host.appendChild(t);\n"
	"  if (truncated) host.appendChild(el('p', 'Only the first ' + rows.length + ' rows are shown.', 'note'));\n"
	"}\n"
	"document.getElementById('made').textContent = 'Made ' + D.made + ' by ' + D.tool + ' from ' + D.db;\n"
	"table('recordings', D.summary, ['recording', 'host', 'kernel', 'start', 'stop', 'state', 'events', 'lost',"
	" 'damaged_frames', 'processes', 'detections_high', 'detections_medium', 'detections_low', 'top_processes']);\n"
	"table('detections', D.detections, ['time', 'host', 'signature_id', 'signature', 'severity', 'pid', 'exe',"
	" 'entity_id', 'event', 'ordinal', 'data'], r => 'det sev' + ({info: 0, low: 1, medium: 2, high: 3})[r.severity],"
	" D.truncated.detections);\n"
	"table('timeline', D.timeline, ['host', 'time', 'kind', 'what', 'pid', 'exe', 'detail'], r => 'kind-' + r.kind,"
	" D.truncated.timeline);\n"
	"table('flows', D.flows, ['time', 'host', 'direction', 'family', 'dst_addr', 'dst_port', 'dns_name', 'bytes_out',"
	" 'bytes_in', 'pid', 'exe', 'retval'], null, D.truncated.flows);\n"
	"table('artifacts', D.artifacts, ['time', 'host', 'sha256', 'path', 'stored', 'bytes', 'pid', 'exe'], null,"
	" D.truncated.artifacts);\n"
	"table('gaps', D.gaps, ['time', 'host', 'cpu', 'lost'], null, D.truncated.gaps);\n"
	"/* the tree: SVG, one row per process, folded nodes hide their children */\n"
	"const nodes = new Map(), kids = new Map(), closed = new Set();\n"
	"D.tree.forEach(p => { nodes.set(p.id, p); kids.set(p.id, []); });\n"
	"const roots = [];\n"
	"D.tree.forEach(p => { if (p.parent !== null && nodes.has(p.parent)) kids.get(p.parent).push(p); else roots.push(p); });\n"
	"function drawTree() {\n"
	"  const host = document.getElementById('tree');\n"
	"  host.textContent = '';\n"
	"  if (!roots.length) { host.appendChild(el('p', 'None.', 'note')); return; }\n"
	"  const rows = [];\n"
	"  (function walk(list, depth, parentRow) { list.forEach(p => { const row = rows.length;\n"
	"    rows.push({p: p, depth: depth, parentRow: parentRow});\n"
	"    if (!closed.has(p.id)) walk(kids.get(p.id), depth + 1, row); }); })(roots, 0, -1);\n"
	"  const svg = document.createElementNS(SVG, 'svg'), H = 20;\n"
	"  let width = 400;\n"
	"  rows.forEach((r, i) => {\n"
	"    const x = 10 + r.depth * 18, y = 12 + i * H;\n"
	"    if (r.parentRow >= 0) { const px = 10 + rows[r.parentRow].depth * 18, py = 12 + r.parentRow * H;\n"
	"      const l = document.createElementNS(SVG, 'path'); l.setAttribute('d', 'M' + px + ' ' + (py + 5) + ' V' + y + ' H' + (x - 5));\n"
	"      svg.appendChild(l); }\n"
	"    const g = document.createElementNS(SVG, 'g');\n"
	"    g.setAttribute('class', 'node' + (r.p.detections ? ' det' : '') + (closed.has(r.p.id) ? ' closed' : ''));\n"
	"    g.setAttribute('transform', 'translate(' + x + ',' + y + ')');\n"
	"    const c = document.createElementNS(SVG, 'circle'); c.setAttribute('r', kids.get(r.p.id).length ? 5 : 3);\n"
	"    g.appendChild(c);\n"
	"    const t = document.createElementNS(SVG, 'text'); t.setAttribute('x', 10); t.setAttribute('y', 4);\n"
	"    t.textContent = r.p.pid + ' ' + show(r.p.exe) + (r.p.argv ? ' ' + r.p.argv : '') +\n"
	"      (r.p.detections ? '  [' + r.p.detections.join(', ') + ']' : '') + (r.p.host ? '  @' + r.p.host : '');\n"
	"    g.appendChild(t);\n"
	"    const tip = document.createElementNS(SVG, 'title'); tip.textContent = r.p.entity + ' started ' + r.p.start;\n"
	"    g.appendChild(tip);\n"
	"    g.addEventListener('click', () => { if (closed.has(r.p.id)) closed.delete(r.p.id); else closed.add(r.p.id); drawTree(); });\n"
	"    svg.appendChild(g);\n"
	"    width = Math.max(width, x + 20 + t.textContent.length * 7.3);\n"
	"  });\n"
	"  svg.setAttribute('width', Math.min(width, 4000)); svg.setAttribute('height', rows.length * H + 10);\n"
	"  host.appendChild(svg);\n"
	"  if (D.truncated.tree) host.appendChild(el('p', 'Only the first ' + D.tree.length + ' processes are drawn.', 'note'));\n"
	"}\n"
	"/* #folded: every root folded (how the test exercises folding) */\n"
	"if (location.hash === '#folded') roots.forEach(r => closed.add(r.id));\n"
	"drawTree();\n"
	"</script>\n</body></html>\n";

/* JSON text for inside <script>: "<" as \u003c (JSON strings allow it). */
static int write_json_safely(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("\\u003c", f);
		else
			fputc(*s, f);
	}
	return 0;
}

int tr_report__write(const char *db, const char *out, char *err, size_t errlen)
{
	static const struct { const char *key, *sql; } selects[] = {
		{ "flows", "SELECT f.time, r.hostname AS host, f.direction, f.family, f.dst_addr, f.dst_port, f.dns_name, "
			   "f.bytes_out, f.bytes_in, p.host_pid AS pid, p.exe, f.retval FROM flows f "
			   "JOIN recordings r ON r.id = f.recording_id LEFT JOIN processes p ON p.id = f.process_id "
			   "ORDER BY f.timestamp, f.id" },
		{ "artifacts", "SELECT a.time, r.hostname AS host, a.sha256, a.path, a.stored, a.bytes, p.host_pid AS pid, "
			       "p.exe FROM artifacts a JOIN recordings r ON r.id = a.recording_id "
			       "LEFT JOIN processes p ON p.id = a.process_id ORDER BY a.id" },
		{ "gaps", "SELECT g.time, r.hostname AS host, g.cpu, g.lost FROM gaps g JOIN recordings r "
			  "ON r.id = g.recording_id ORDER BY g.timestamp, g.id" },
	};
	static const char *const questions[] = { "summary", "detections", "timeline" };
	struct tr_store *s = NULL;
	json_t *root = json_object(), *trunc = json_object(), *v;
	char *text = NULL, made[64], *tmp = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc, t, fd;
	FILE *f;

	err[0] = '\0';
	if ((rc = tr_store__open(&s, db, TR_STORE_READ, err, errlen)))
		goto out;
	gmtime_r(&now, &tm);
	strftime(made, sizeof(made), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(root, "made", json_string(made));
	json_object_set_new(root, "tool", json_string("tracee-analyze " TR_VERSION));
	json_object_set_new(root, "db", json_string(db));
	for (size_t i = 0; i < sizeof(questions) / sizeof(questions[0]); i++) {
		if ((rc = question_rows(s, questions[i], &v, &t, err, errlen))) {
			json_decref(v);
			goto out;
		}
		json_object_set_new(root, questions[i], v);
		json_object_set_new(trunc, questions[i], json_boolean(t));
	}
	for (size_t i = 0; i < sizeof(selects) / sizeof(selects[0]); i++) {
		if ((rc = select_rows(s, selects[i].sql, &v, &t))) {
			json_decref(v);
			snprintf(err, errlen, "%s", s->err);
			goto out;
		}
		json_object_set_new(root, selects[i].key, v);
		json_object_set_new(trunc, selects[i].key, json_boolean(t));
	}
	if ((rc = tree_rows(s, &v, &t))) {
		json_decref(v);
		snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" : s->err);
		goto out;
	}
	json_object_set_new(root, "tree", v);
	json_object_set_new(trunc, "tree", json_boolean(t));
	json_object_set_new(root, "truncated", trunc);
	trunc = NULL;
	text = json_dumps(root, JSON_COMPACT);
	if (!text || asprintf(&tmp, "%s.tmp", out) < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fputs(page_head, f);
	write_json_safely(f, text);
	fputs(page_tail, f);
	if (fclose(f) || rename(tmp, out)) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot write: %s", out, strerror(errno));
		unlink(tmp);
	}
out:
	json_decref(root);
	json_decref(trunc);
	free(text);
	free(tmp);
	tr_store__close(s);
	return rc;
}
