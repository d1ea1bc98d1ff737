// SPDX-License-Identifier: MIT
/* sctable.c: the BPF syscall table from the catalog, and --events. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sctable.h"

/* Arguments the catalog's wire type alone does not say how to read: ours
 * (appended after Tracee's) and Tracee's pointers we follow. event NULL:
 * any event with an argument of that name. reg/len name other arguments
 * of the same event ("" for none, "$ret" for the return value). */
static const struct {
	const char *event, *arg;
	uint8_t read;
	const char *reg, *len;
	uint8_t wire;		/* only for arguments of this wire type; 0: any */
} tr_arg_rules[] = {
	{ "write", "data", TR_RD_UBYTES, "buf", "count" },
	{ "pwrite64", "data", TR_RD_UBYTES, "buf", "count" },
	{ "writev", "data", TR_RD_IOV, "iov", "" },
	{ "fchdir", "resolved_path", TR_RD_FD_PATH | TR_RD_AT_EXIT, "fd", "" },
	{ NULL, "resolved_path", TR_RD_FD_PATH | TR_RD_AT_EXIT, "$ret", "" },
	{ "connect", "local_addr", TR_RD_SOCK_LOCAL | TR_RD_AT_EXIT, "sockfd", "" },
	{ NULL, "local_addr", TR_RD_SOCK_LOCAL | TR_RD_AT_EXIT, "$ret", "" },
	{ "recvmsg", "msg_name", TR_RD_MSG_NAME | TR_RD_AT_EXIT, "msg", "" },
	{ "sendmsg", "msg_name", TR_RD_MSG_NAME, "msg", "" },
	{ "sendmmsg", "msg_name", TR_RD_MMSG_NAME, "msgvec", "" },
	{ "recvmsg", "scm_rights", TR_RD_MSG_RIGHTS | TR_RD_AT_EXIT, "msg", "" },
	{ "sendmsg", "scm_rights", TR_RD_MSG_RIGHTS, "msg", "" },
	{ "bpf", "prog_type", TR_RD_BPF_PROG_TYPE, "attr", "cmd" },
	{ "bpf", "detach", TR_RD_BPF_DETACH, "", "cmd" },
	{ "prctl", "name", TR_RD_PRCTL_NAME, "arg2", "option" },
	{ "socketcall", "sockfd", TR_RD_SOCKETCALL_FD, "args", "call" },
	{ "socketcall", "addr", TR_RD_SOCKETCALL_ADDR, "args", "call" },
	/* envp is read like argv; the recorder keeps only an allowlist of it
	 * unless --capture env (record/env.c): secrets never reach the disk */
	/* pointers to what the kernel fills in: read at exit */
	{ "accept", "addr", TR_RD_USOCKADDR_PLEN | TR_RD_AT_EXIT, "addr", "addrlen" },
	{ "accept4", "addr", TR_RD_USOCKADDR_PLEN | TR_RD_AT_EXIT, "addr", "addrlen" },
	{ "recvfrom", "src_addr", TR_RD_USOCKADDR_PLEN | TR_RD_AT_EXIT, "src_addr", "addrlen" },
	{ NULL, "pipefd", TR_RD_PIPEFD | TR_RD_AT_EXIT, "pipefd", "" },
	/* sockaddrs the caller passes, with their length */
	{ NULL, "addr", TR_RD_USOCKADDR, "addr", "addrlen", TR_T_SOCKADDR },
	{ NULL, "dest_addr", TR_RD_USOCKADDR, "dest_addr", "addrlen", TR_T_SOCKADDR },
};

/* Events handled as a whole. */
static const struct {
	const char *event;
	uint8_t flags;
	uint8_t sig_reg;
} tr_event_rules[] = {
	{ "execve", TR_SCF_AT_ENTRY, 0 },
	{ "execveat", TR_SCF_AT_ENTRY, 0 },
	{ "kill", TR_SCF_SIGNAL, 0 },
	{ "tkill", TR_SCF_SIGNAL, 0 },
	{ "tgkill", TR_SCF_SIGNAL, 0 },
	{ "socketcall", TR_SCF_IA32_ONLY, 0 },
	{ "exit", TR_SCF_NO_RETURN, 0 },
	{ "exit_group", TR_SCF_NO_RETURN, 0 },
	/* the context an event carries is the caller's before the call */
	{ "setuid", TR_SCF_CONTEXT, 0 },
	{ "setgid", TR_SCF_CONTEXT, 0 },
	{ "setreuid", TR_SCF_CONTEXT, 0 },
	{ "setregid", TR_SCF_CONTEXT, 0 },
	{ "setresuid", TR_SCF_CONTEXT, 0 },
	{ "setresgid", TR_SCF_CONTEXT, 0 },
	{ "setfsuid", TR_SCF_CONTEXT, 0 },
	{ "setfsgid", TR_SCF_CONTEXT, 0 },
	{ "capset", TR_SCF_CONTEXT, 0 },
	{ "unshare", TR_SCF_CONTEXT, 0 },
	{ "setns", TR_SCF_CONTEXT, 0 },
	{ "prctl", TR_SCF_CONTEXT, 0 },
	/* the child returns from these too, with no entry of its own */
	{ "clone", TR_SCF_CONTEXT, 0 },
	{ "clone3", TR_SCF_CONTEXT, 0 },
	{ "fork", TR_SCF_CONTEXT, 0 },
	{ "vfork", TR_SCF_CONTEXT, 0 },
};

/* Nothing read from user memory at entry, and nothing that needs the
 * entry's context: the event is made whole at sys_exit, from the registers
 * (which still hold the arguments) and the return value. */
static int exit_only(const struct tr_sc_desc *t)
{
	if (t->flags)
		return 0;
	for (unsigned i = 0; i < t->nargs; i++) {
		uint8_t rd = t->args[i].read;

		if (!(rd & TR_RD_AT_EXIT) && rd != TR_RD_REG && rd != TR_RD_NONE)
			return 0;
	}
	return 1;
}

/* Set names for --events, onto TR_SET_* bits. */
static const struct {
	const char *name;
	uint16_t set;
} tr_set_names[] = {
	{ "default", TR_SET_DEFAULT },
	{ "proc", TR_SET_PROC },
	{ "process", TR_SET_PROC },
	{ "file", TR_SET_FILE },
	{ "net", TR_SET_NET },
	{ "network", TR_SET_NET },
	{ "system", TR_SET_SYSTEM },
	{ "container", TR_SET_CONTAINER },
};

static int is_syscall_row(const struct tr_event_def *d)
{
	return (d->sets & TR_SET_SYSCALL) && d->id < TR_SC_NR_MAX;
}

static int arg_named(const struct tr_event_def *d, const char *name)
{
	if (!strcmp(name, "$ret"))
		return TR_REG_RET;
	for (unsigned i = 0; i < d->nargs; i++)
		if (!strcmp(d->args[i].name, name))
			return (int)i;
	return -1;
}

static int set_arg(const struct tr_event_def *d, unsigned i, struct tr_sc_arg *a, char *err, size_t errlen)
{
	const struct tr_arg_def *ad = &d->args[i];

	a->wire = ad->wire;
	for (size_t r = 0; r < sizeof(tr_arg_rules) / sizeof(tr_arg_rules[0]); r++) {
		int reg, len = 0;

		if ((tr_arg_rules[r].event && strcmp(tr_arg_rules[r].event, d->name)) ||
		    strcmp(tr_arg_rules[r].arg, ad->name) ||
		    (tr_arg_rules[r].wire && tr_arg_rules[r].wire != ad->wire))
			continue;
		reg = tr_arg_rules[r].reg[0] ? arg_named(d, tr_arg_rules[r].reg) : 0;
		if (tr_arg_rules[r].len[0])
			len = arg_named(d, tr_arg_rules[r].len);
		if (reg < 0 || len < 0 || (reg != TR_REG_RET && reg > 5) || len > 5) {
			snprintf(err, errlen, "event %u (%s): argument %s: the rule names arguments it does not have",
				 d->id, d->name, ad->name);
			return -EINVAL;
		}
		a->read = tr_arg_rules[r].read;
		a->reg = (uint8_t)reg;
		a->len_reg = (uint8_t)len;
		return 0;
	}
	a->reg = (uint8_t)i;
	switch (ad->wire) {
	case TR_T_INT32:
	case TR_T_UINT32:
	case TR_T_INT64:
	case TR_T_UINT64:
		a->read = TR_RD_REG;
		break;
	case TR_T_STR:
		a->read = TR_RD_USTR;
		break;
	case TR_T_STR_ARRAY:
		a->read = TR_RD_UARGV;
		break;
	default:
		snprintf(err, errlen, "event %u (%s): argument %s (wire %s) has no rule to read it",
			 d->id, d->name, ad->name, tr_wire__name(ad->wire));
		return -EINVAL;
	}
	if (i > 5) {
		snprintf(err, errlen, "event %u (%s): argument %s is past the six syscall registers",
			 d->id, d->name, ad->name);
		return -EINVAL;
	}
	return 0;
}

static void raw_desc(struct tr_sc_desc *t, int enabled)
{
	memset(t, 0, sizeof(*t));
	t->event_id = TR_EV_RAW_SYSCALL;
	t->enabled = (uint8_t)enabled;
	t->nargs = 8;
	t->args[0] = (struct tr_sc_arg){ .read = TR_RD_NR, .wire = TR_T_INT32 };
	for (uint8_t r = 0; r < 6; r++)
		t->args[1 + r] = (struct tr_sc_arg){ .read = TR_RD_REG, .wire = TR_T_UINT64, .reg = r };
	t->args[7] = (struct tr_sc_arg){ .read = TR_RD_COMPAT, .wire = TR_T_UINT32 };
}

int tr_sctable__build(const struct tr_catalog *c, const struct tr_evsel *sel,
		      struct tr_sc_desc *table, uint32_t *ia32, char *err, size_t errlen)
{
	int err_rc;

	for (unsigned nr = 0; nr < TR_SC_NR_MAX; nr++)
		ia32[nr] = sel->all ? TR_SC_RAW : TR_SC_NONE;
	for (unsigned nr = 0; nr < TR_SC_SLOTS; nr++)
		raw_desc(&table[nr], sel->all);
	for (size_t e = 0; e < c->n; e++) {
		const struct tr_event_def *d = &c->events[e];
		struct tr_sc_desc *t = &table[d->id];

		if (!is_syscall_row(d))
			continue;
		if (d->nargs > TR_SC_ARGS) {
			snprintf(err, errlen, "event %u (%s): %u arguments, the syscall table holds %u",
				 d->id, d->name, d->nargs, TR_SC_ARGS);
			return -EINVAL;
		}
		memset(t, 0, sizeof(*t));
		t->event_id = d->id;
		t->enabled = sel->on[d->id];
		t->nargs = d->nargs;
		for (unsigned i = 0; i < d->nargs; i++)
			if ((err_rc = set_arg(d, i, &t->args[i], err, errlen)))
				return err_rc;
		for (size_t r = 0; r < sizeof(tr_event_rules) / sizeof(tr_event_rules[0]); r++)
			if (!strcmp(tr_event_rules[r].event, d->name)) {
				t->flags = tr_event_rules[r].flags;
				t->sig_reg = tr_event_rules[r].sig_reg;
			}
		if (exit_only(t))
			t->flags |= TR_SCF_EXIT_ONLY;
		if (d->ia32 >= 0 && d->ia32 < TR_SC_NR_MAX)
			ia32[d->ia32] = d->id;
	}
	return 0;
}

static int evsel_word(struct tr_evsel *sel, const struct tr_catalog *c, const char *w, int on,
		      char *err, size_t errlen)
{
	uint16_t set = 0;
	int found = 0;

	if (!strcmp(w, "all")) {
		sel->all = on;
		set = TR_SET_SYSCALL;
	}
	for (size_t i = 0; i < sizeof(tr_set_names) / sizeof(tr_set_names[0]); i++)
		if (!strcmp(w, tr_set_names[i].name))
			set = tr_set_names[i].set;
	for (size_t e = 0; e < c->n; e++) {
		const struct tr_event_def *d = &c->events[e];

		if (set ? !(d->sets & set) : strcmp(d->name, w))
			continue;
		found = 1;
		if (is_syscall_row(d))
			sel->on[d->id] = (uint8_t)on;
	}
	if (!found && !set) {
		snprintf(err, errlen, "--events: '%s' is neither an event nor a set "
			 "(default, all, proc, file, net, system, container)", w);
		return -EINVAL;
	}
	return 0;
}

int tr_evsel__parse(struct tr_evsel *sel, const struct tr_catalog *c, const char *spec, char *err, size_t errlen)
{
	char buf[1024], *save = NULL, *w;
	int rc;

	memset(sel, 0, sizeof(*sel));
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "--events: the list is too long");
		return -EINVAL;
	}
	strcpy(buf, spec);
	/* a list that only adds or removes is relative to the default set */
	if (spec[0] == '+' || spec[0] == '-')
		evsel_word(sel, c, "default", 1, err, errlen);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int on = *w != '-';

		if (*w == '+' || *w == '-')
			w++;
		if (!*w) {
			snprintf(err, errlen, "--events: empty name in '%s'", spec);
			return -EINVAL;
		}
		if ((rc = evsel_word(sel, c, w, on, err, errlen)))
			return rc;
	}
	return 0;
}
