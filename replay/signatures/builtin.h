/* SPDX-License-Identifier: MIT */
/* builtin.h: the built-in signatures, one file each in replay/signatures/
 * (a file may hold two that read the same thing). */
#ifndef TR_SIG_BUILTIN_H
#define TR_SIG_BUILTIN_H

#include "signature.h"

extern const struct tr_signature tr_sig_stdio_over_socket;	/* TRC-101 */
extern const struct tr_signature tr_sig_anti_debugging;		/* TRC-102 */
extern const struct tr_signature tr_sig_ptrace_code_injection;	/* TRC-103 */
extern const struct tr_signature tr_sig_dynamic_code_loading;	/* TRC-104 */
extern const struct tr_signature tr_sig_fileless_execution;	/* TRC-105 */
extern const struct tr_signature tr_sig_cgroup_notify_on_release; /* TRC-106 */
extern const struct tr_signature tr_sig_ld_preload;		/* TRC-107 */
extern const struct tr_signature tr_sig_k8s_service_account_token; /* TRC-108 */
extern const struct tr_signature tr_sig_aslr_inspection;	/* TRC-109 */
extern const struct tr_signature tr_sig_cgroup_release_agent;	/* TRC-1010 */
extern const struct tr_signature tr_sig_core_pattern_modification; /* TRC-1011 */
extern const struct tr_signature tr_sig_default_loader_modification; /* TRC-1012 */
extern const struct tr_signature tr_sig_k8s_api_connection;	/* TRC-1013 */
extern const struct tr_signature tr_sig_disk_mount;		/* TRC-1014 */
extern const struct tr_signature tr_sig_hidden_file_created;	/* TRC-1015 */
extern const struct tr_signature tr_sig_illegitimate_shell;	/* TRC-1016 */
extern const struct tr_signature tr_sig_kernel_module_loading;	/* TRC-1017 */
extern const struct tr_signature tr_sig_k8s_cert_theft;		/* TRC-1018 */
extern const struct tr_signature tr_sig_docker_abuse;		/* TRC-1019 */
extern const struct tr_signature tr_sig_proc_fops_hooking;	/* TRC-1020 */
extern const struct tr_signature tr_sig_proc_kcore_read;	/* TRC-1021 */
extern const struct tr_signature tr_sig_dropped_executable;	/* TRC-1022 */
extern const struct tr_signature tr_sig_proc_mem_access;	/* TRC-1023 */
extern const struct tr_signature tr_sig_proc_mem_code_injection; /* TRC-1024 */
extern const struct tr_signature tr_sig_process_vm_write;	/* TRC-1025 */
extern const struct tr_signature tr_sig_rcd_modification;	/* TRC-1026 */
extern const struct tr_signature tr_sig_scheduled_task_modification; /* TRC-1027 */
extern const struct tr_signature tr_sig_sudoers_modification;	/* TRC-1028 */
extern const struct tr_signature tr_sig_sched_debug_recon;	/* TRC-1029 */
extern const struct tr_signature tr_sig_syscall_table_hooking;	/* TRC-1030 */
extern const struct tr_signature tr_sig_sysrq_modification;	/* TRC-1031 */
extern const struct tr_signature tr_sig_exec_tmp;		/* TRR-1001 */
extern const struct tr_signature tr_sig_reverse_shell_dev_tcp;	/* TRR-1002 */
extern const struct tr_signature tr_sig_crypto_miner;		/* TRR-1003 */
extern const struct tr_signature tr_sig_history_tampering;	/* TRR-1004 */
extern const struct tr_signature tr_sig_ssh_authorized_keys;	/* TRR-1005 */
extern const struct tr_signature tr_sig_setuid_created;		/* TRR-1006 */
extern const struct tr_signature tr_sig_log_tampering;		/* TRR-1007 */

#endif /* TR_SIG_BUILTIN_H */
