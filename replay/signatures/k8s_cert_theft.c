// SPDX-License-Identifier: MIT
/*
 * k8s_cert_theft.c: TRC-1018 kubernetes_certificate_theft_attempt.
 *
 * Tracee's TRC-1018: opens for reading and renames of files under /etc/kubernetes/pki, by a
 * process other than the Kubernetes components Tracee lists.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_READ | TR_FOP_RENAME_FROM,
	.paths = (const char *const[]){ "/etc/kubernetes/pki/*", NULL },
	.exempt = (const char *const[]){ "kube-apiserver", "kubelet", "kube-controller", "etcd", NULL },
};

const struct tr_signature tr_sig_k8s_cert_theft = {
	.id = "TRC-1018",
	.event_id = 6118,
	.name = "kubernetes_certificate_theft_attempt",
	.description = "A process read or moved a Kubernetes PKI file (/etc/kubernetes/pki): its certificates and keys authenticate to the whole cluster",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1552.004",
	.mitre_name = "Private Keys",
	.category = "credential-access",
	TR_SIG_TAGS("credential-access", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
