// SPDX-License-Identifier: MIT
/* sigma.c: Sigma rules for Linux (replay/sigma/sigma.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <yaml.h>

#include "catalog.h"
#include "sigma.h"
#include "signatures/sigutil.h"

#define WILD_ANY '\x01'		/* "*" in a compiled pattern */
#define WILD_ONE '\x02'		/* "?" */
#define SIGMA_FILE_MAX (1U << 20)
#define SIGMA_DEPTH_MAX 64	/* condition nesting */
#define SIGMA_EVENT_BASE 7000

/* ---- fields and categories ---- */

enum field {
	F_IMAGE, F_ORIGINALFILENAME, F_COMMANDLINE, F_PARENTIMAGE, F_PARENTCOMMANDLINE, F_USER,
	F_LOGONID, F_CURRENTDIRECTORY, F_PROCESSID, F_PARENTPROCESSID, F_TARGETFILENAME,
	F_SOURCEFILENAME, F_DESTINATIONIP, F_DESTINATIONPORT, F_DESTINATIONHOSTNAME, F_SOURCEIP,
	F_SOURCEPORT, F_INITIATED, F_PROTOCOL, F_MAX,
};

static const char *const field_names[F_MAX] = {
	"Image", "OriginalFileName", "CommandLine", "ParentImage", "ParentCommandLine", "User",
	"LogonId", "CurrentDirectory", "ProcessId", "ParentProcessId", "TargetFilename",
	"SourceFilename", "DestinationIp", "DestinationPort", "DestinationHostname", "SourceIp",
	"SourcePort", "Initiated", "Protocol",
};

enum category { C_PROC, C_FILE_EVENT, C_FILE_DELETE, C_FILE_RENAME, C_NET, C_MAX };

static const struct {
	const char *name;
	const char *const *events;
	uint32_t nevents;
} categories[C_MAX] = {
	[C_PROC] = { "process_creation", (const char *const[]){ "sched_process_exec" }, 1 },
	[C_FILE_EVENT] = { "file_event", (const char *const[]){ TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS,
								 "magic_write" }, 8 },
	[C_FILE_DELETE] = { "file_delete", (const char *const[]){ TR_SIGU_UNLINK_EVENTS }, 3 },
	[C_FILE_RENAME] = { "file_rename", (const char *const[]){ TR_SIGU_RENAME_EVENTS }, 4 },
	[C_NET] = { "network_connection", (const char *const[]){ "security_socket_connect", "connect" }, 2 },
};

/* ---- compiled rules ---- */

enum mkind { M_GLOB, M_RE, M_CIDR, M_LT, M_LTE, M_GT, M_GTE, M_EXISTS, M_NULL };

/* What a glob pattern is, for the fast paths: most Sigma values are plain
 * strings, prefixes, suffixes or substrings. */
enum gshape { G_ANY, G_EQ, G_PREFIX, G_SUFFIX, G_CONTAINS };

struct matcher {
	enum mkind kind;
	char *pat;		/* M_GLOB: WILD_* for wildcards, lowercased unless cased */
	size_t plen;
	enum gshape shape;	/* M_GLOB */
	const char *lit;	/* the literal part (in pat) for the fast shapes */
	size_t llen;
	int cased;
	pcre2_code *re;
	uint8_t net[16];	/* M_CIDR */
	int family, prefix;
	double num;		/* M_LT.. */
	int exists;		/* M_EXISTS */
};

struct fcond {			/* field|mods: values */
	enum field field;
	int all;		/* every value must match (|all) */
	struct matcher *m;
	size_t nm;
};

struct search {			/* a named search: OR of AND-groups of field conditions */
	char *name;
	struct group {
		struct fcond *c;
		size_t n;
	} *g;
	size_t ng;
};

enum ckind { N_REF, N_AND, N_OR, N_NOT, N_ONE_OF, N_ALL_OF };

struct cnode {
	enum ckind kind;
	size_t ref;		/* N_REF */
	size_t *refs;		/* N_*_OF */
	size_t nrefs;
	struct cnode *a, *b;	/* N_AND, N_OR (a, b), N_NOT (a) */
};

struct rule {
	struct tr_signature sig;
	char *id, *title, *desc, *level, *file;
	char *mitre;
	char **tags;
	size_t ntags;
	char *category_tag;
	enum category cat;
	struct search *s;
	size_t ns;
	struct cnode *cond;
	uint64_t fields_used;	/* 1 << F_* */
};

struct reason {
	char *text;
	size_t n;
};

struct tr_sigma {
	struct rule **r;
	size_t n, cap;
	const struct tr_signature **sigs;
	struct reason *reasons;
	size_t nreasons;
	size_t refused;
};

/* ---- errors while compiling: a reason (grouping key) and details ---- */

struct cerr {
	char reason[128];	/* "unsupported modifier" */
	char detail[384];	/* "utf16le in CommandLine|utf16le" */
};

__attribute__((format(printf, 3, 4)))
static int refuse(struct cerr *e, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (!e->reason[0]) {
		snprintf(e->reason, sizeof(e->reason), "%s", reason);
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- YAML helpers ---- */

static yaml_node_t *ynode(yaml_document_t *d, int i)
{
	return i ? yaml_document_get_node(d, i) : NULL;
}

static const char *yscalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *yget(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = yscalar(ynode(d, p->key));

		if (k && !strcmp(k, key))
			return ynode(d, p->value);
	}
	return NULL;
}

static int ynull(yaml_node_t *n)
{
	const char *s = yscalar(n);

	return !n || (s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		      (!*s || !strcmp(s, "null") || !strcmp(s, "~") || !strcmp(s, "Null") || !strcmp(s, "NULL")));
}

/* ---- values ---- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64(const uint8_t *p, size_t n, int pad)
{
	char *o = malloc(n / 3 * 4 + 8), *q = o;

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);

		*q++ = b64chars[v >> 18 & 63];
		*q++ = b64chars[v >> 12 & 63];
		*q++ = i + 1 < n ? b64chars[v >> 6 & 63] : '=';
		*q++ = i + 2 < n ? b64chars[v & 63] : '=';
	}
	*q = '\0';
	if (!pad)
		while (q > o && q[-1] == '=')
			*--q = '\0';
	return o;
}

/* The three base64offset forms of s: the base64 of s placed at offset 0,
 * 1, 2 of a stream, without the characters that also depend on the bytes
 * before or after it. */
static char *b64_offset(const char *s, int off)
{
	static const size_t start[3] = { 0, 2, 3 }, endcut[3] = { 0, 3, 2 };
	size_t n = strlen(s), tot = (size_t)off + n, len, cut;
	uint8_t *buf = malloc(tot + 1);
	char *e, *o;

	if (!buf)
		return NULL;
	memset(buf, ' ', (size_t)off);
	memcpy(buf + off, s, n);
	e = b64(buf, tot, 1);
	free(buf);
	if (!e)
		return NULL;
	len = strlen(e);
	cut = endcut[tot % 3];
	len = len > cut ? len - cut : 0;
	o = strndup(e + (start[off] < len ? start[off] : len), len > start[off] ? len - start[off] : 0);
	free(e);
	return o;
}

/* value -> pattern: wildcards unless escaped, lowercase unless cased. */
static char *compile_glob(const char *v, int raw, int cased, const char *pre, const char *post, size_t *plen)
{
	size_t n = strlen(v);
	char *o = malloc(n + 3), *q = o;

	if (!o)
		return NULL;
	if (pre)
		*q++ = WILD_ANY;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		if (!raw && c == '\\' && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
			c = v[++i];
		} else if (!raw && c == '*') {
			*q++ = WILD_ANY;
			continue;
		} else if (!raw && c == '?') {
			*q++ = WILD_ONE;
			continue;
		}
		*q++ = cased ? c : (char)tolower((unsigned char)c);
	}
	if (post)
		*q++ = WILD_ANY;
	*plen = (size_t)(q - o);
	*q = '\0';
	return o;
}

static void classify(struct matcher *m)
{
	size_t n = m->plen, lo = 0, hi = n;
	int lead, trail;

	m->shape = G_ANY;
	if (memchr(m->pat, WILD_ONE, n))
		return;
	lead = n && m->pat[0] == WILD_ANY;
	trail = n > (size_t)lead && m->pat[n - 1] == WILD_ANY;
	lo = (size_t)lead;
	hi = n - (size_t)trail;
	if (memchr(m->pat + lo, WILD_ANY, hi - lo))
		return;
	m->lit = m->pat + lo;
	m->llen = hi - lo;
	m->shape = lead && trail ? G_CONTAINS : lead ? G_SUFFIX : trail ? G_PREFIX : G_EQ;
}

static int glob_match(const char *p, size_t pn, const char *s, size_t sn, int cased)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	while (si < sn) {
		char c = cased ? s[si] : (char)tolower((unsigned char)s[si]);

		if (pi < pn && (p[pi] == WILD_ONE || p[pi] == c)) {
			pi++;
			si++;
		} else if (pi < pn && p[pi] == WILD_ANY) {
			star_p = pi++;
			star_s = si;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return 0;
		}
	}
	while (pi < pn && p[pi] == WILD_ANY)
		pi++;
	return pi == pn;
}

static int parse_cidr(struct matcher *m, const char *v)
{
	char ip[64];
	const char *slash = strchr(v, '/');

	snprintf(ip, sizeof(ip), "%.*s", slash ? (int)(slash - v) : (int)strlen(v), v);
	m->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(m->family, ip, m->net) != 1)
		return -1;
	m->prefix = slash ? atoi(slash + 1) : (m->family == AF_INET ? 32 : 128);
	return m->prefix < 0 || m->prefix > (m->family == AF_INET ? 32 : 128) ? -1 : 0;
}

static int cidr_match(const struct matcher *m, const char *s)
{
	uint8_t a[16];
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET, bits = m->prefix;

	if (fam != m->family || inet_pton(fam, s, a) != 1)
		return 0;
	for (int i = 0; bits > 0; i++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((a[i] & mask) != (m->net[i] & mask))
			return 0;
	}
	return 1;
}

/* ---- compiling a field condition ---- */

enum mod {
	MOD_CONTAINS = 1 << 0, MOD_STARTSWITH = 1 << 1, MOD_ENDSWITH = 1 << 2, MOD_ALL = 1 << 3,
	MOD_RE = 1 << 4, MOD_CIDR = 1 << 5, MOD_BASE64 = 1 << 6, MOD_BASE64OFFSET = 1 << 7,
	MOD_WINDASH = 1 << 8, MOD_EXISTS = 1 << 9, MOD_LT = 1 << 10, MOD_LTE = 1 << 11,
	MOD_GT = 1 << 12, MOD_GTE = 1 << 13, MOD_CASED = 1 << 14, MOD_RE_I = 1 << 15,
	MOD_RE_M = 1 << 16, MOD_RE_S = 1 << 17,
};

static const struct {
	const char *name;
	unsigned bit;
} mods[] = {
	{ "contains", MOD_CONTAINS }, { "startswith", MOD_STARTSWITH }, { "endswith", MOD_ENDSWITH },
	{ "all", MOD_ALL }, { "re", MOD_RE }, { "cidr", MOD_CIDR }, { "base64", MOD_BASE64 },
	{ "base64offset", MOD_BASE64OFFSET }, { "windash", MOD_WINDASH }, { "exists", MOD_EXISTS },
	{ "lt", MOD_LT }, { "lte", MOD_LTE }, { "gt", MOD_GT }, { "gte", MOD_GTE }, { "cased", MOD_CASED },
	{ "i", MOD_RE_I }, { "m", MOD_RE_M }, { "s", MOD_RE_S },
};

static int add_matcher(struct fcond *c, struct matcher m)
{
	struct matcher *v = realloc(c->m, (c->nm + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->m = v;
	c->m[c->nm++] = m;
	return 0;
}

/* The string forms one value stands for after base64/base64offset/windash. */
static int expand_value(const char *v, unsigned mo, char **out, size_t *n)
{
	*n = 0;
	if (mo & MOD_WINDASH) {
		/* a leading - (or /) of an option may be any of -, /, en dash,
		 * em dash, horizontal bar */
		static const char *const dashes[] = { "-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95" };

		for (size_t d = 0; d < 5; d++) {
			size_t len = strlen(v);
			char *o = malloc(len * 3 + 1), *q = o;

			if (!o)
				return -ENOMEM;
			for (size_t i = 0; i < len; i++) {
				if ((v[i] == '-' || v[i] == '/') && (i == 0 || v[i - 1] == ' ')) {
					memcpy(q, dashes[d], strlen(dashes[d]));
					q += strlen(dashes[d]);
				} else {
					*q++ = v[i];
				}
			}
			*q = '\0';
			out[(*n)++] = o;
		}
		return 0;
	}
	if (mo & MOD_BASE64) {
		out[0] = b64((const uint8_t *)v, strlen(v), 0);
		*n = 1;
		return out[0] ? 0 : -ENOMEM;
	}
	if (mo & MOD_BASE64OFFSET) {
		for (int off = 0; off < 3; off++)
			if (!(out[(*n)++] = b64_offset(v, off)))
				return -ENOMEM;
		return 0;
	}
	out[0] = strdup(v);
	*n = 1;
	return out[0] ? 0 : -ENOMEM;
}

static int compile_value(struct fcond *c, yaml_node_t *vn, unsigned mo, const char *key, struct cerr *e)
{
	struct matcher m = { .kind = M_GLOB, .cased = !!(mo & MOD_CASED) };
	const char *v = yscalar(vn);
	char *forms[8];
	size_t nf = 0;
	int rc = 0;

	if (!vn || (vn->type != YAML_SCALAR_NODE))
		return refuse(e, "unsupported value", "%s: a value that is a list or map inside a list", key);
	if (ynull(vn) && !(mo & MOD_EXISTS)) {
		m.kind = M_NULL;
		return add_matcher(c, m);
	}
	if (mo & MOD_EXISTS) {
		m.kind = M_EXISTS;
		if (strcasecmp(v, "true") && strcasecmp(v, "false"))
			return refuse(e, "invalid value", "%s: exists takes true or false, not '%s'", key, v);
		m.exists = !strcasecmp(v, "true");
		return add_matcher(c, m);
	}
	if (mo & (MOD_LT | MOD_LTE | MOD_GT | MOD_GTE)) {
		char *end;

		m.kind = mo & MOD_LT ? M_LT : mo & MOD_LTE ? M_LTE : mo & MOD_GT ? M_GT : M_GTE;
		m.num = strtod(v, &end);
		if (end == v || *end)
			return refuse(e, "invalid value", "%s: '%s' is not a number", key, v);
		return add_matcher(c, m);
	}
	if (mo & MOD_CIDR) {
		m.kind = M_CIDR;
		if (parse_cidr(&m, v))
			return refuse(e, "invalid value", "%s: '%s' is not a CIDR network", key, v);
		return add_matcher(c, m);
	}
	if (mo & MOD_RE) {
		int code;
		PCRE2_SIZE off;
		uint32_t opt = (mo & MOD_RE_I ? PCRE2_CASELESS : 0) | (mo & MOD_RE_M ? PCRE2_MULTILINE : 0) |
			       (mo & MOD_RE_S ? PCRE2_DOTALL : 0);

		m.kind = M_RE;
		m.re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, opt, &code, &off, NULL);
		if (!m.re) {
			PCRE2_UCHAR msg[128];

			pcre2_get_error_message(code, msg, sizeof(msg));
			return refuse(e, "invalid regular expression", "%s: '%s' at offset %zu: %s", key, v,
				      (size_t)off, (char *)msg);
		}
		/* JIT where the platform has it: rules run on every event */
		pcre2_jit_compile(m.re, PCRE2_JIT_COMPLETE);
		return add_matcher(c, m);
	}
	rc = expand_value(v, mo, forms, &nf);
	for (size_t i = 0; !rc && i < nf; i++) {
		int raw = !!(mo & (MOD_BASE64 | MOD_BASE64OFFSET));
		int contains = !!(mo & MOD_CONTAINS) || raw;

		m.pat = compile_glob(forms[i], raw, m.cased, contains || (mo & MOD_ENDSWITH) ? "*" : NULL,
				     contains || (mo & MOD_STARTSWITH) ? "*" : NULL, &m.plen);
		if (m.pat)
			classify(&m);
		rc = m.pat ? add_matcher(c, m) : -ENOMEM;
		if (rc)
			free(m.pat);
	}
	for (size_t i = 0; i < nf; i++)
		free(forms[i]);
	return rc;
}

static int compile_fcond(struct rule *r, struct fcond *c, const char *key, yaml_document_t *d, yaml_node_t *vn,
			 struct cerr *e)
{
	char buf[256], *save = NULL, *tok;
	unsigned mo = 0;
	int f = -1;

	snprintf(buf, sizeof(buf), "%s", key);
	tok = strtok_r(buf, "|", &save);
	for (int i = 0; tok && i < F_MAX; i++)
		if (!strcmp(tok, field_names[i]))
			f = i;
	if (!tok || f < 0)
		return refuse(e, "unsupported field", "%s", tok ? tok : key);
	while ((tok = strtok_r(NULL, "|", &save))) {
		unsigned bit = 0;

		for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
			if (!strcmp(tok, mods[i].name))
				bit = mods[i].bit;
		if (!strcmp(tok, "expand"))
			return refuse(e, "unsupported modifier", "expand in %s: no placeholders are configured", key);
		if (!bit)
			return refuse(e, "unsupported modifier", "%s in %s", tok, key);
		if ((bit & (MOD_RE_I | MOD_RE_M | MOD_RE_S)) && !(mo & MOD_RE))
			return refuse(e, "unsupported modifier", "%s without re in %s", tok, key);
		mo |= bit;
	}
	c->field = (enum field)f;
	c->all = !!(mo & MOD_ALL);
	r->fields_used |= 1ULL << f;
	if (vn && vn->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++)
			if (compile_value(c, ynode(d, *it), mo, key, e))
				return -EINVAL;
		return 0;
	}
	if (vn && vn->type == YAML_MAPPING_NODE)
		return refuse(e, "unsupported value", "%s: a map as a value", key);
	return compile_value(c, vn, mo, key, e);
}

static int compile_group(struct rule *r, struct search *s, yaml_document_t *d, yaml_node_t *map, struct cerr *e)
{
	struct group g = { 0 };
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	struct group *v;

	g.c = calloc(n ? n : 1, sizeof(*g.c));
	v = realloc(s->g, (s->ng + 1) * sizeof(*v));
	if (!g.c || !v) {
		free(g.c);
		if (v)
			s->g = v;
		return -ENOMEM;
	}
	s->g = v;
	s->g[s->ng++] = g;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *key = yscalar(ynode(d, p->key));
		struct group *cur = &s->g[s->ng - 1];

		if (!key)
			return refuse(e, "unsupported detection", "a non-scalar key in %s", s->name);
		if (compile_fcond(r, &cur->c[cur->n++], key, d, ynode(d, p->value), e))
			return -EINVAL;
	}
	return 0;
}

static int compile_search(struct rule *r, struct search *s, yaml_document_t *d, yaml_node_t *n, struct cerr *e)
{
	if (n && n->type == YAML_MAPPING_NODE)
		return compile_group(r, s, d, n, e);
	if (n && n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			yaml_node_t *m = ynode(d, *it);

			if (!m || m->type != YAML_MAPPING_NODE)
				return refuse(e, "unsupported detection",
					      "keyword (full-text) search in %s: name the field", s->name);
			if (compile_group(r, s, d, m, e))
				return -EINVAL;
		}
		return 0;
	}
	return refuse(e, "unsupported detection", "keyword (full-text) search in %s: name the field", s->name);
}

/* ---- conditions ---- */

struct lex {
	const char *p;
	char tok[256];
	struct rule *r;
	struct cerr *e;
	int depth;
};

static void next_tok(struct lex *l)
{
	size_t n = 0;

	while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n')
		l->p++;
	if (*l->p == '(' || *l->p == ')' || *l->p == '|') {
		l->tok[0] = *l->p++;
		l->tok[1] = '\0';
		return;
	}
	while (*l->p && !strchr(" \t\n()|", *l->p) && n + 1 < sizeof(l->tok))
		l->tok[n++] = *l->p++;
	l->tok[n] = '\0';
}

static struct cnode *node(enum ckind k)
{
	struct cnode *c = calloc(1, sizeof(*c));

	if (c)
		c->kind = k;
	return c;
}

static void cnode_free(struct cnode *c)
{
	if (!c)
		return;
	cnode_free(c->a);
	cnode_free(c->b);
	free(c->refs);
	free(c);
}

static struct cnode *parse_or(struct lex *l);

static struct cnode *parse_primary(struct lex *l)
{
	struct cnode *c;

	if (++l->depth > SIGMA_DEPTH_MAX) {
		refuse(l->e, "invalid condition", "nested deeper than %d", SIGMA_DEPTH_MAX);
		return NULL;
	}
	if (!strcmp(l->tok, "(")) {
		next_tok(l);
		c = parse_or(l);
		if (!c)
			return NULL;
		if (strcmp(l->tok, ")")) {
			cnode_free(c);
			refuse(l->e, "invalid condition", "a '(' without its ')'");
			return NULL;
		}
		next_tok(l);
		l->depth--;
		return c;
	}
	if (!strcmp(l->tok, "not")) {
		next_tok(l);
		c = node(N_NOT);
		if (!c || !(c->a = parse_primary(l))) {
			cnode_free(c);
			return NULL;
		}
		l->depth--;
		return c;
	}
	if (!strcmp(l->tok, "1") || !strcmp(l->tok, "all")) {
		int all = !strcmp(l->tok, "all");
		char pat[256];

		next_tok(l);
		if (strcmp(l->tok, "of")) {
			refuse(l->e, "invalid condition", "'%s' not followed by 'of'", all ? "all" : "1");
			return NULL;
		}
		next_tok(l);
		snprintf(pat, sizeof(pat), "%s", l->tok);
		if (!pat[0] || !strcmp(pat, ")") || !strcmp(pat, "(")) {
			refuse(l->e, "invalid condition", "'of' without a name pattern or them");
			return NULL;
		}
		c = node(all ? N_ALL_OF : N_ONE_OF);
		if (!c || !(c->refs = calloc(l->r->ns ? l->r->ns : 1, sizeof(*c->refs)))) {
			free(c);
			return NULL;
		}
		for (size_t i = 0; i < l->r->ns; i++) {
			size_t pl;
			char *g;
			int hit;

			if (!strcmp(pat, "them")) {
				hit = l->r->s[i].name[0] != '_';
			} else {
				g = compile_glob(pat, 0, 1, NULL, NULL, &pl);
				hit = g && glob_match(g, pl, l->r->s[i].name, strlen(l->r->s[i].name), 1);
				free(g);
			}
			if (hit)
				c->refs[c->nrefs++] = i;
		}
		if (!c->nrefs) {
			cnode_free(c);
			refuse(l->e, "invalid condition", "'of %s' names no search", pat);
			return NULL;
		}
		next_tok(l);
		l->depth--;
		return c;
	}
	for (size_t i = 0; i < l->r->ns; i++)
		if (!strcmp(l->r->s[i].name, l->tok)) {
			c = node(N_REF);
			if (c)
				c->ref = i;
			next_tok(l);
			l->depth--;
			return c;
		}
	if (!strcmp(l->tok, "|"))
		refuse(l->e, "unsupported condition", "aggregation ('| count() ...')");
	else if (!strcmp(l->tok, "near"))
		refuse(l->e, "unsupported condition", "near");
	else
		refuse(l->e, "invalid condition", "'%s' is not a search of the rule", l->tok[0] ? l->tok : "(end)");
	return NULL;
}

static struct cnode *parse_and(struct lex *l)
{
	struct cnode *a = parse_primary(l);

	while (a && !strcmp(l->tok, "and")) {
		struct cnode *c = node(N_AND);

		next_tok(l);
		if (!c || !(c->b = parse_primary(l))) {
			cnode_free(a);
			cnode_free(c);
			return NULL;
		}
		c->a = a;
		a = c;
	}
	return a;
}

static struct cnode *parse_or(struct lex *l)
{
	struct cnode *a = parse_and(l);

	while (a && !strcmp(l->tok, "or")) {
		struct cnode *c = node(N_OR);

		next_tok(l);
		if (!c || !(c->b = parse_and(l))) {
			cnode_free(a);
			cnode_free(c);
			return NULL;
		}
		c->a = a;
		a = c;
	}
	return a;
}

static struct cnode *parse_condition(struct rule *r, const char *text, struct cerr *e)
{
	struct lex l = { .p = text, .r = r, .e = e };
	struct cnode *c;

	next_tok(&l);
	c = parse_or(&l);
	if (c && l.tok[0]) {
		if (!strcmp(l.tok, "|"))
			refuse(e, "unsupported condition", "aggregation ('| count() ...')");
		else
			refuse(e, "invalid condition", "unexpected '%s'", l.tok);
		cnode_free(c);
		return NULL;
	}
	return c;
}

/* ---- evaluation ---- */

struct evfields {
	uint64_t serial;	/* tr_sig__serial of the event */
	int cat;		/* category of this event (-1: none), C_MAX unknown yet */
	int done[C_MAX];	/* category decided */
	int in[C_MAX];
	const struct tr_fact *f;
	int nf;
	struct tr_sa sa;
	uint8_t have[F_MAX];	/* 0 unknown, 1 present, 2 absent */
	char *val[F_MAX];
	size_t len[F_MAX];
	size_t cap[F_MAX];
	char *low[F_MAX];	/* lowercase copies, made on first use */
	size_t lowcap[F_MAX];
	uint8_t have_low[F_MAX];
	pcre2_match_data *md;
};

/* One event's fields, shared by every rule that looks at it. */
static struct evfields cache;

static void set_field(enum field f, const void *p, size_t n)
{
	/* room past the end: PCRE2's JIT reads the subject 16 bytes at a time */
	if (cache.cap[f] < n + 1) {
		char *v = realloc(cache.val[f], n + 64);

		if (!v) {
			cache.have[f] = 2;
			return;
		}
		memset(v + cache.cap[f], 0, n + 64 - cache.cap[f]);
		cache.val[f] = v;
		cache.cap[f] = n + 64;
	}
	memcpy(cache.val[f], p, n);
	cache.val[f][n] = '\0';
	cache.len[f] = n;
	cache.have[f] = 1;
}

static const char *field_low(enum field f)
{
	if (cache.have_low[f])
		return cache.low[f];
	if (cache.lowcap[f] < cache.cap[f]) {
		char *v = realloc(cache.low[f], cache.cap[f]);

		if (!v)
			return "";
		memset(v + cache.lowcap[f], 0, cache.cap[f] - cache.lowcap[f]);
		cache.low[f] = v;
		cache.lowcap[f] = cache.cap[f];
	}
	for (size_t i = 0; i <= cache.len[f]; i++)
		cache.low[f][i] = (char)tolower((unsigned char)cache.val[f][i]);
	cache.have_low[f] = 1;
	return cache.low[f];
}

static void set_num(enum field f, uint64_t n)
{
	char b[32];

	set_field(f, b, (size_t)snprintf(b, sizeof(b), "%llu", (unsigned long long)n));
}

/* NUL-separated argv as one command line, spaces between. */
static void set_cmdline(enum field f, const void *p, size_t n)
{
	set_field(f, p, n);
	if (cache.have[f] != 1)
		return;
	while (cache.len[f] && !cache.val[f][cache.len[f] - 1])
		cache.len[f]--;
	for (size_t i = 0; i < cache.len[f]; i++)
		if (!cache.val[f][i])
			cache.val[f][i] = ' ';
	cache.val[f][cache.len[f]] = '\0';
}

static void cache_reset(uint64_t serial)
{
	cache.serial = serial;
	memset(cache.done, 0, sizeof(cache.done));
	memset(cache.have, 0, sizeof(cache.have));
	memset(cache.have_low, 0, sizeof(cache.have_low));
	cache.nf = -1;
}

static int in_category(const struct tr_event_view *v, enum category cat)
{
	if (cache.done[cat])
		return cache.in[cat];
	cache.done[cat] = 1;
	cache.in[cat] = 0;
	if (cat == C_PROC)
		return cache.in[cat] = v->def->id == TR_EV_SCHED_PROCESS_EXEC;
	if (cat == C_NET) {
		int32_t fd;

		return cache.in[cat] = tr_sigu__connect(v, &cache.sa, &fd) &&
				       (cache.sa.family == AF_INET || cache.sa.family == AF_INET6);
	}
	if (cache.nf < 0)
		cache.nf = tr_sigu__file_facts(v, &cache.f);
	for (int i = 0; i < cache.nf; i++) {
		unsigned op = cache.f[i].op;

		if (cat == C_FILE_DELETE && (op & TR_FOP_UNLINK))
			cache.in[cat] = 1;
		if (cat == C_FILE_RENAME && (op & TR_FOP_RENAME_TO))
			cache.in[cat] = 1;
		if (cat == C_FILE_EVENT && ((op & (TR_FOP_RENAME_TO | TR_FOP_MAGIC)) ||
					    ((op & TR_FOP_WRITE) && cache.f[i].flags >= 0 && (cache.f[i].flags & O_CREAT))))
			cache.in[cat] = 1;
	}
	return cache.in[cat];
}

static const struct tr_fact *fact(unsigned ops)
{
	for (int i = 0; i < cache.nf; i++)
		if (cache.f[i].op & ops)
			return &cache.f[i];
	return NULL;
}

static void load_field(struct tr_sig_ctx *ctx, const struct tr_event_view *v, enum category cat, enum field f)
{
	const struct tr_proc_node *p = v->proc, *pp;
	const uint8_t *s;
	uint32_t n;
	const struct tr_fact *ft;

	cache.have[f] = 2;
	switch (f) {
	case F_IMAGE:
	case F_ORIGINALFILENAME:
		if (cat == C_PROC && (tr_view__str(v, "pathname", &s, &n) || tr_view__str(v, "cmdpath", &s, &n)) && n &&
		    s[0] == '/')
			set_field(F_IMAGE, s, n);
		else if (p && p->exe.p)
			set_field(F_IMAGE, p->exe.p, p->exe.len);
		if (f == F_ORIGINALFILENAME && cache.have[F_IMAGE] == 1) {
			size_t bl;
			const char *b = tr_sigu__base(cache.val[F_IMAGE], cache.len[F_IMAGE], &bl);

			set_field(F_ORIGINALFILENAME, b, bl);
		}
		return;
	case F_COMMANDLINE:
		if (cat == C_PROC && tr_view__strv(v, "argv", &s, &n))
			set_cmdline(f, s, n);
		else if (p && p->argv.p)
			set_cmdline(f, p->argv.p, p->argv.len);
		return;
	case F_PARENTIMAGE:
	case F_PARENTCOMMANDLINE:
		pp = p ? tr_proctree__parent(tr_sig__tree(ctx), p) : NULL;
		if (pp && f == F_PARENTIMAGE && pp->exe.p)
			set_field(f, pp->exe.p, pp->exe.len);
		if (pp && f == F_PARENTCOMMANDLINE && pp->argv.p)
			set_cmdline(f, pp->argv.p, pp->argv.len);
		return;
	case F_USER:
		if (v->ev->uid == 0)
			set_field(f, "root", 4);
		else
			set_num(f, v->ev->uid);
		return;
	case F_LOGONID:
		set_num(f, v->ev->uid);
		return;
	case F_CURRENTDIRECTORY:
		if (p && p->cwd.p)
			set_field(f, p->cwd.p, p->cwd.len);
		return;
	case F_PROCESSID:
		set_num(f, v->ev->host_pid);
		return;
	case F_PARENTPROCESSID:
		set_num(f, v->ev->host_ppid);
		return;
	case F_TARGETFILENAME:
		if (cache.nf < 0)
			cache.nf = tr_sigu__file_facts(v, &cache.f);
		ft = fact(TR_FOP_RENAME_TO | TR_FOP_UNLINK | TR_FOP_WRITE | TR_FOP_MAGIC | TR_FOP_READ);
		if ((cat == C_FILE_EVENT || cat == C_FILE_DELETE || cat == C_FILE_RENAME) && ft)
			set_field(f, ft->path, (size_t)ft->plen);
		return;
	case F_SOURCEFILENAME:
		if (cache.nf < 0)
			cache.nf = tr_sigu__file_facts(v, &cache.f);
		if (cat == C_FILE_RENAME && (ft = fact(TR_FOP_RENAME_FROM)))
			set_field(f, ft->path, (size_t)ft->plen);
		return;
	case F_DESTINATIONIP:
		if (cat == C_NET)
			set_field(f, cache.sa.addr, strlen(cache.sa.addr));
		return;
	case F_DESTINATIONPORT:
		if (cat == C_NET)
			set_num(f, cache.sa.port);
		return;
	case F_INITIATED:
		if (cat == C_NET)
			set_field(f, "true", 4);
		return;
	case F_PROTOCOL:
		if (cat == C_NET && v->def->id == TR_EV_SECURITY_SOCKET_CONNECT) {
			int64_t type = tr_view__i64(v, "type", 0) & 0xf;

			if (type == SOCK_STREAM)
				set_field(f, "tcp", 3);
			else if (type == SOCK_DGRAM)
				set_field(f, "udp", 3);
		}
		return;
	case F_DESTINATIONHOSTNAME:	/* DNS enrichment: not in the view yet */
	case F_SOURCEIP:		/* the local end of a connect is not recorded */
	case F_SOURCEPORT:
	case F_MAX:
		return;
	}
}

static int shape_match(const struct matcher *m, const char *s, size_t n)
{
	switch (m->shape) {
	case G_EQ:
		return n == m->llen && !memcmp(s, m->lit, n);
	case G_PREFIX:
		return n >= m->llen && !memcmp(s, m->lit, m->llen);
	case G_SUFFIX:
		return n >= m->llen && !memcmp(s + n - m->llen, m->lit, m->llen);
	case G_CONTAINS:
		return !m->llen || (n >= m->llen && memmem(s, n, m->lit, m->llen));
	default:
		return glob_match(m->pat, m->plen, s, n, 1);
	}
}

static int match_one(const struct matcher *m, int have, const char *s, size_t n, const char *low)
{
	double x;
	char *end;

	switch (m->kind) {
	case M_EXISTS:
		return (have == 1) == m->exists;
	case M_NULL:
		return have != 1 || !n;
	default:
		break;
	}
	if (have != 1)
		return 0;
	switch (m->kind) {
	case M_GLOB:
		/* the pattern is lowercase unless cased: match it against the
		 * field's lowercase copy */
		return shape_match(m, m->cased ? s : low, n);
	case M_RE:
		/* one match block for every rule: only whether it matched counts */
		if (!cache.md && !(cache.md = pcre2_match_data_create(1, NULL)))
			return 0;
		return pcre2_match(m->re, (PCRE2_SPTR)s, n, 0, 0, cache.md, NULL) >= 0;
	case M_CIDR:
		return cidr_match(m, s);
	case M_LT:
	case M_LTE:
	case M_GT:
	case M_GTE:
		x = strtod(s, &end);
		if (end == s)
			return 0;
		return m->kind == M_LT ? x < m->num : m->kind == M_LTE ? x <= m->num : m->kind == M_GT ? x > m->num
													: x >= m->num;
	default:
		return 0;
	}
}

static int eval_fcond(struct tr_sig_ctx *ctx, const struct tr_event_view *v, enum category cat,
		      const struct fcond *c)
{
	if (!cache.have[c->field])
		load_field(ctx, v, cat, c->field);
	for (size_t i = 0; i < c->nm; i++) {
		const struct matcher *m = &c->m[i];
		int hit = match_one(m, cache.have[c->field], cache.val[c->field], cache.len[c->field],
				    m->kind == M_GLOB && !m->cased && cache.have[c->field] == 1 ? field_low(c->field) : NULL);

		if (hit && !c->all)
			return 1;
		if (!hit && c->all)
			return 0;
	}
	return c->all;
}

static int eval_search(struct tr_sig_ctx *ctx, const struct tr_event_view *v, enum category cat,
		       const struct search *s)
{
	for (size_t g = 0; g < s->ng; g++) {
		size_t k;

		for (k = 0; k < s->g[g].n && eval_fcond(ctx, v, cat, &s->g[g].c[k]); k++)
			;
		if (k == s->g[g].n)
			return 1;
	}
	return 0;
}

static int eval_node(struct tr_sig_ctx *ctx, const struct tr_event_view *v, const struct rule *r,
		     const struct cnode *c)
{
	switch (c->kind) {
	case N_REF:
		return eval_search(ctx, v, r->cat, &r->s[c->ref]);
	case N_AND:
		return eval_node(ctx, v, r, c->a) && eval_node(ctx, v, r, c->b);
	case N_OR:
		return eval_node(ctx, v, r, c->a) || eval_node(ctx, v, r, c->b);
	case N_NOT:
		return !eval_node(ctx, v, r, c->a);
	case N_ONE_OF:
		for (size_t i = 0; i < c->nrefs; i++)
			if (eval_search(ctx, v, r->cat, &r->s[c->refs[i]]))
				return 1;
		return 0;
	case N_ALL_OF:
		for (size_t i = 0; i < c->nrefs; i++)
			if (!eval_search(ctx, v, r->cat, &r->s[c->refs[i]]))
				return 0;
		return 1;
	}
	return 0;
}

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const struct rule *r = tr_sig__self(ctx)->priv;
	struct tr_kv data[6];
	size_t n = 0;

	if (v->kind != TR_VIEW_EVENT)
		return 0;
	if (cache.serial != tr_sig__serial(ctx))
		cache_reset(tr_sig__serial(ctx));
	else if (cache.done[r->cat] && !cache.in[r->cat])
		return 0;
	if (!in_category(v, r->cat) || !eval_node(ctx, v, r, r->cond))
		return 0;
	data[n++] = TR_KV_CSTR("sigma_id", r->id);
	data[n++] = TR_KV_CSTR("title", r->title);
	data[n++] = TR_KV_CSTR("level", r->level);
	data[n++] = TR_KV_CSTR("rule_file", r->file);
	/* what matched, for the responder: the main field of the category */
	{
		enum field main = r->cat == C_PROC ? F_COMMANDLINE : r->cat == C_NET ? F_DESTINATIONIP : F_TARGETFILENAME;

		if (!cache.have[main])
			load_field(ctx, v, r->cat, main);
		if (cache.have[main] == 1)
			data[n++] = TR_KV_BYTES(field_names[main], cache.val[main], cache.len[main]);
		if (!cache.have[F_IMAGE])
			load_field(ctx, v, r->cat, F_IMAGE);
		if (cache.have[F_IMAGE] == 1)
			data[n++] = TR_KV_BYTES("Image", cache.val[F_IMAGE], cache.len[F_IMAGE]);
	}
	return tr_sig__report(ctx, v, NULL, data, n);
}

/* ---- loading ---- */

static void rule_free(struct rule *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ns; i++) {
		for (size_t g = 0; g < r->s[i].ng; g++) {
			for (size_t k = 0; k < r->s[i].g[g].n; k++) {
				struct fcond *c = &r->s[i].g[g].c[k];

				for (size_t m = 0; m < c->nm; m++) {
					free(c->m[m].pat);
					pcre2_code_free(c->m[m].re);
				}
				free(c->m);
			}
			free(r->s[i].g[g].c);
		}
		free(r->s[i].g);
		free(r->s[i].name);
	}
	free(r->s);
	cnode_free(r->cond);
	for (size_t i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->tags);
	free(r->id);
	free(r->title);
	free(r->desc);
	free(r->level);
	free(r->file);
	free(r->mitre);
	free(r->category_tag);
	free(r);
}

static char *dupstr(const char *s)
{
	return strdup(s ? s : "");
}

static int compile_rule(struct rule *r, yaml_document_t *d, struct cerr *e)
{
	yaml_node_t *root = yaml_document_get_root_node(d), *ls, *det, *cond, *tags;
	const char *product, *category, *service, *level;
	int cat = -1;

	if (!root || root->type != YAML_MAPPING_NODE)
		return refuse(e, "not a rule", "the document is not a map");
	if (!yscalar(yget(d, root, "title")))
		return refuse(e, "not a rule", "no title");
	if (yget(d, root, "action"))
		return refuse(e, "unsupported rule collection", "action: %s",
			      yscalar(yget(d, root, "action")) ? yscalar(yget(d, root, "action")) : "?");
	ls = yget(d, root, "logsource");
	det = yget(d, root, "detection");
	if (!ls || ls->type != YAML_MAPPING_NODE || !det || det->type != YAML_MAPPING_NODE)
		return refuse(e, "not a rule", "no logsource or detection map");
	product = yscalar(yget(d, ls, "product"));
	category = yscalar(yget(d, ls, "category"));
	service = yscalar(yget(d, ls, "service"));
	if (product && strcmp(product, "linux"))
		return refuse(e, "unsupported logsource", "product %s (linux only)", product);
	if (service)
		return refuse(e, "unsupported logsource", "service %s (categories only)", service);
	for (int i = 0; category && i < C_MAX; i++)
		if (!strcmp(category, categories[i].name))
			cat = i;
	if (cat < 0)
		return refuse(e, "unsupported logsource", "category %s", category ? category : "(none)");
	r->cat = (enum category)cat;
	r->title = dupstr(yscalar(yget(d, root, "title")));
	r->id = dupstr(yscalar(yget(d, root, "id")));
	r->desc = dupstr(yscalar(yget(d, root, "description")));
	level = yscalar(yget(d, root, "level"));
	r->level = dupstr(level ? level : "medium");
	if (!r->id[0])
		return refuse(e, "not a rule", "no id (findings are named by it)");
	if (strcmp(r->level, "informational") && strcmp(r->level, "low") && strcmp(r->level, "medium") &&
	    strcmp(r->level, "high") && strcmp(r->level, "critical"))
		return refuse(e, "invalid level", "level %s", r->level);
	tags = yget(d, root, "tags");
	if (tags && tags->type == YAML_SEQUENCE_NODE) {
		size_t n = (size_t)(tags->data.sequence.items.top - tags->data.sequence.items.start);

		r->tags = calloc(n ? n : 1, sizeof(*r->tags));
		if (!r->tags)
			return -ENOMEM;
		for (yaml_node_item_t *it = tags->data.sequence.items.start; it < tags->data.sequence.items.top; it++) {
			const char *t = yscalar(ynode(d, *it));

			if (!t)
				continue;
			r->tags[r->ntags++] = strdup(t);
			/* attack.t1059.004 -> T1059.004; attack.execution -> execution */
			if (!strncmp(t, "attack.t", 8) && isdigit((unsigned char)t[8]) && !r->mitre) {
				r->mitre = strdup(t + 7);
				for (char *q = r->mitre; q && *q; q++)
					*q = (char)toupper((unsigned char)*q);
			} else if (!strncmp(t, "attack.", 7) && !r->category_tag &&
				   !(t[7] == 'g' && isdigit((unsigned char)t[8])) &&
				   !(t[7] == 's' && isdigit((unsigned char)t[8]))) {
				r->category_tag = strdup(t + 7);
				for (char *q = r->category_tag; q && *q; q++)
					if (*q == '_')
						*q = '-';
			}
		}
	}
	if (yget(d, det, "timeframe"))
		return refuse(e, "unsupported condition", "timeframe");
	cond = yget(d, det, "condition");
	if (!cond)
		return refuse(e, "invalid condition", "no condition");
	/* the searches: every key but condition */
	r->s = calloc(det->data.mapping.pairs.top - det->data.mapping.pairs.start, sizeof(*r->s));
	if (!r->s)
		return -ENOMEM;
	for (yaml_node_pair_t *p = det->data.mapping.pairs.start; p < det->data.mapping.pairs.top; p++) {
		const char *name = yscalar(ynode(d, p->key));
		struct search *s;

		if (!name || !strcmp(name, "condition"))
			continue;
		s = &r->s[r->ns++];
		if (!(s->name = strdup(name)))
			return -ENOMEM;
		if (compile_search(r, s, d, ynode(d, p->value), e))
			return -EINVAL;
	}
	if (cond->type == YAML_SCALAR_NODE) {
		r->cond = parse_condition(r, yscalar(cond), e);
	} else if (cond->type == YAML_SEQUENCE_NODE) {
		/* several conditions: any of them */
		for (yaml_node_item_t *it = cond->data.sequence.items.start; it < cond->data.sequence.items.top; it++) {
			const char *t = yscalar(ynode(d, *it));
			struct cnode *c = t ? parse_condition(r, t, e) : NULL, *o;

			if (!c) {
				if (!t)
					refuse(e, "invalid condition", "a condition that is not text");
				return -EINVAL;
			}
			if (!r->cond) {
				r->cond = c;
				continue;
			}
			if (!(o = node(N_OR))) {
				cnode_free(c);
				return -ENOMEM;
			}
			o->a = r->cond;
			o->b = c;
			r->cond = o;
		}
	} else {
		return refuse(e, "invalid condition", "condition is a map");
	}
	return r->cond ? 0 : -EINVAL;
}

static int keep_reason(struct tr_sigma *s, const char *reason)
{
	struct reason *v;

	s->refused++;
	for (size_t i = 0; i < s->nreasons; i++)
		if (!strcmp(s->reasons[i].text, reason)) {
			s->reasons[i].n++;
			return 0;
		}
	v = realloc(s->reasons, (s->nreasons + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->reasons = v;
	if (!(v[s->nreasons].text = strdup(reason)))
		return -ENOMEM;
	v[s->nreasons++].n = 1;
	return 0;
}

static uint8_t level_severity(const char *level)
{
	return !strcmp(level, "informational") ? TR_SEV_INFO : !strcmp(level, "low") ? TR_SEV_LOW
	       : !strcmp(level, "medium") ? TR_SEV_MEDIUM : TR_SEV_HIGH;
}

static int add_rule(struct tr_sigma *s, struct rule *r)
{
	struct tr_signature *g = &r->sig;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->r[i]->id, r->id))
			return 1;	/* a duplicate id: refused by the caller */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct rule **v = realloc(s->r, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->r = v;
		s->cap = cap;
	}
	g->id = r->id;
	g->event_id = SIGMA_EVENT_BASE + (uint32_t)s->n;
	g->name = r->title;
	g->description = r->desc[0] ? r->desc : r->title;
	g->severity = level_severity(r->level);
	g->level = r->level;
	g->origin = TR_ORIGIN_ANY;
	g->mitre_id = r->mitre ? r->mitre : "";
	g->mitre_name = "";
	g->category = r->category_tag ? r->category_tag : "";
	g->tags = (const char *const *)r->tags;
	g->ntags = (uint32_t)r->ntags;
	g->events = categories[r->cat].events;
	g->nevents = categories[r->cat].nevents;
	g->priv = r;
	g->on_event = on_event;
	s->r[s->n++] = r;
	return 0;
}

int tr_sigma__load_buffer(struct tr_sigma *s, const char *name, const void *buf, size_t len, char *err,
			  size_t errlen)
{
	yaml_parser_t p;
	yaml_document_t d, d2;
	struct cerr e = { "", "" };
	struct rule *r;
	int rc;

	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, buf, len);
	if (!yaml_parser_load(&p, &d)) {
		snprintf(e.reason, sizeof(e.reason), "invalid YAML");
		snprintf(e.detail, sizeof(e.detail), "line %zu column %zu: %s", p.problem_mark.line + 1,
			 p.problem_mark.column + 1, p.problem ? p.problem : "parse error");
		yaml_parser_delete(&p);
		goto refused;
	}
	/* a second document: a rule collection */
	if (yaml_document_get_root_node(&d) && yaml_parser_load(&p, &d2)) {
		int more = yaml_document_get_root_node(&d2) != NULL;

		yaml_document_delete(&d2);
		if (more) {
			snprintf(e.reason, sizeof(e.reason), "unsupported rule collection");
			snprintf(e.detail, sizeof(e.detail), "several YAML documents in one file");
			yaml_document_delete(&d);
			yaml_parser_delete(&p);
			goto refused;
		}
	}
	yaml_parser_delete(&p);
	if (!yaml_document_get_root_node(&d)) {
		yaml_document_delete(&d);
		snprintf(e.reason, sizeof(e.reason), "not a rule");
		snprintf(e.detail, sizeof(e.detail), "an empty document");
		goto refused;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		yaml_document_delete(&d);
		return -ENOMEM;
	}
	rc = compile_rule(r, &d, &e);
	yaml_document_delete(&d);
	if (rc == -ENOMEM || (!rc && !(r->file = strdup(name)))) {
		rule_free(r);
		return -ENOMEM;
	}
	if (!rc) {
		rc = add_rule(s, r);
		if (rc < 0) {
			rule_free(r);
			return rc;
		}
		if (!rc)
			return 0;
		refuse(&e, "duplicate id", "id %s is another rule's", r->id);
	}
	rule_free(r);
refused:
	if (!e.reason[0])
		snprintf(e.reason, sizeof(e.reason), "not a rule");
	snprintf(err, errlen, "%s: %s", e.reason, e.detail);
	return keep_reason(s, e.reason) ? -ENOMEM : 1;
}

static int load_file(struct tr_sigma *s, const char *path, void (*warn)(void *, const char *, const char *),
		     void *ctx, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf, msg[512];
	size_t n;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	buf = malloc(SIGMA_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, SIGMA_FILE_MAX + 1, f);
	fclose(f);
	if (n > SIGMA_FILE_MAX) {
		free(buf);
		if (keep_reason(s, "file too large"))
			return -ENOMEM;
		if (warn)
			warn(ctx, path, "file too large: over 1 MiB for one rule");
		return 0;
	}
	rc = tr_sigma__load_buffer(s, path, buf, n, msg, sizeof(msg));
	free(buf);
	if (rc == 1 && warn)
		warn(ctx, path, msg);
	return rc < 0 ? rc : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct tr_sigma *s, const char *dir, void (*warn)(void *, const char *, const char *),
		    void *ctx, char *err, size_t errlen, int depth)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!dp) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
		return rc;
	}
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 64;
			char **v = realloc(names, c * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			names = v;
			cap = c;
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; !rc && i < n; i++) {
		struct stat st;
		size_t l = strlen(names[i]);

		if (stat(names[i], &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 16)
			rc = load_dir(s, names[i], warn, ctx, err, errlen, depth + 1);
		else if (S_ISREG(st.st_mode) && ((l > 4 && !strcmp(names[i] + l - 4, ".yml")) ||
						 (l > 5 && !strcmp(names[i] + l - 5, ".yaml"))))
			rc = load_file(s, names[i], warn, ctx, err, errlen);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int tr_sigma__load(struct tr_sigma *s, const char *path, void (*warn)(void *ctx, const char *file,
		   const char *reason), void *ctx, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		int rc = -errno;

		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	return S_ISDIR(st.st_mode) ? load_dir(s, path, warn, ctx, err, errlen, 0)
				   : load_file(s, path, warn, ctx, err, errlen);
}

struct tr_sigma *tr_sigma__new(void)
{
	return calloc(1, sizeof(struct tr_sigma));
}

const struct tr_signature *const *tr_sigma__sigs(const struct tr_sigma *cs, size_t *n)
{
	struct tr_sigma *s = (struct tr_sigma *)cs;
	const struct tr_signature **v = realloc(s->sigs, (s->n ? s->n : 1) * sizeof(*v));

	if (!v) {
		*n = 0;
		return NULL;
	}
	s->sigs = v;
	for (size_t i = 0; i < s->n; i++)
		v[i] = &s->r[i]->sig;
	*n = s->n;
	return v;
}

size_t tr_sigma__refused(const struct tr_sigma *s)
{
	return s->refused;
}

void tr_sigma__summary(const struct tr_sigma *s, FILE *out, const char *prog)
{
	fprintf(out, "%s: sigma: loaded %zu rule%s, refused %zu", prog, s->n, s->n == 1 ? "" : "s", s->refused);
	for (size_t i = 0; i < s->nreasons; i++)
		fprintf(out, "%s%zu %s", i ? "; " : " (", s->reasons[i].n, s->reasons[i].text);
	fprintf(out, "%s\n", s->nreasons ? ")" : "");
}

void tr_sigma__free(struct tr_sigma *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		rule_free(s->r[i]);
	for (size_t i = 0; i < s->nreasons; i++)
		free(s->reasons[i].text);
	free(s->reasons);
	free(s->r);
	free(s->sigs);
	/* the field cache may point at a view of a run that is over */
	for (int i = 0; i < F_MAX; i++) {
		free(cache.val[i]);
		free(cache.low[i]);
	}
	pcre2_match_data_free(cache.md);
	memset(&cache, 0, sizeof(cache));
	free(s);
}
