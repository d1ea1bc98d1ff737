// SPDX-License-Identifier: MIT
/* builtin.c: the table of built-in signatures, in id order. Adding one is a
 * new file in this folder plus a line here and in builtin.h. */
#include "builtin.h"

static const struct tr_signature *const builtin[] = {
	&tr_sig_stdio_over_socket,
	&tr_sig_anti_debugging,
	&tr_sig_ptrace_code_injection,
	&tr_sig_dynamic_code_loading,
	&tr_sig_fileless_execution,
	&tr_sig_cgroup_notify_on_release,
	&tr_sig_ld_preload,
	&tr_sig_k8s_service_account_token,
	&tr_sig_aslr_inspection,
	&tr_sig_cgroup_release_agent,
	&tr_sig_core_pattern_modification,
	&tr_sig_default_loader_modification,
	&tr_sig_k8s_api_connection,
	&tr_sig_disk_mount,
	&tr_sig_hidden_file_created,
	&tr_sig_illegitimate_shell,
	&tr_sig_kernel_module_loading,
	&tr_sig_k8s_cert_theft,
	&tr_sig_docker_abuse,
	&tr_sig_proc_fops_hooking,
	&tr_sig_proc_kcore_read,
	&tr_sig_dropped_executable,
	&tr_sig_proc_mem_access,
	&tr_sig_proc_mem_code_injection,
	&tr_sig_process_vm_write,
	&tr_sig_rcd_modification,
	&tr_sig_scheduled_task_modification,
	&tr_sig_sudoers_modification,
	&tr_sig_sched_debug_recon,
	&tr_sig_syscall_table_hooking,
	&tr_sig_sysrq_modification,
	&tr_sig_exec_tmp,
	&tr_sig_reverse_shell_dev_tcp,
	&tr_sig_crypto_miner,
	&tr_sig_history_tampering,
	&tr_sig_ssh_authorized_keys,
	&tr_sig_setuid_created,
	&tr_sig_log_tampering,
};

const struct tr_signature *const *tr_signatures__builtin(size_t *n)
{
	*n = sizeof(builtin) / sizeof(builtin[0]);
	return builtin;
}
