// SPDX-License-Identifier: MIT
/*
 * k8s_service_account_token.c: TRC-108 k8s_service_account_token.
 *
 * Tracee's TRC-108: a read of serviceaccount/token from a container, by a
 * process not on Tracee's list of Kubernetes' own components.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_READ,
	.paths = (const char *const[]){ "*/secrets/kubernetes.io/serviceaccount/*token", "*/secrets/eks.amazonaws.com/serviceaccount/*token", NULL },
	.exempt = (const char *const[]){ "flanneld", "kube-proxy", "etcd", "kube-apiserver", "coredns", "kube-controller", "kubectl", NULL },
};

const struct tr_signature tr_sig_k8s_service_account_token = {
	.id = "TRC-108",
	.event_id = 6108,
	.name = "k8s_service_account_token",
	.description = "A process in a container read the Kubernetes service account token, which authenticates it to the API server",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_CONTAINER,
	.mitre_id = "T1528",
	.mitre_name = "Steal Application Access Token",
	.category = "credential-access",
	TR_SIG_TAGS("credential-access", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
