#!/usr/bin/env bash
# Live: what the kernel did, not what the caller said. Each trick an attacker
# would use to hide from or mislead a syscall recorder (tests/live/evasion.c)
# runs under the recorder, and replay must show the truth: 32-bit syscalls,
# open/creat/openat2, a path swapped while openat blocks, symlinks and
# /proc/self/root, fexecve of a memfd, exec of literals right after fork,
# fchdir, truncation, a setuid exec's euid, write headers, socket addresses
# and fds passed with SCM_RIGHTS.
. "$(dirname "$0")/../lib.sh"
E=$OUTPUT/live/evasion
w=$tmp/work
mkdir -p "$w"
touch "$w/ia32-file" "$w/uring-file"
cg=/sys/fs/cgroup/tracee-test-$$
ln -s "$w/ia32-file" "$w/link"

"$OUTPUT/tracee-record" -q -o "$tmp/rec" -- /bin/sh -c "
	$E ia32 $w; $E swap $w; $E fexecve; $E forkexec; $E fchdir $w; $E bigargv; $E opens $w; $E net
	cat $w/link /proc/self/root$w/ia32-file
	/bin/true \$(seq 1000 1099)
	printf '#!/bin/sh\\necho hi\\n' > $w/script.sh
	setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/mount --version >/dev/null
	$E uring $w; $E bpf; $E atexit $w
	mkdir $cg && rmdir $cg
	kill -0 \$PPID"
check "record exits 0" test $? -eq 0
"$OUTPUT/tracee-replay" "$tmp/rec" >"$tmp/out.jsonl" 2>"$tmp/err"
check "replay exits 0" test $? -eq 0
q() { jq -c "$@" "$tmp/out.jsonl"; }
# arg NAME: the value of argument NAME of the event in .
arg='def arg($n): (.args[] | select(.name == $n) | .value);'

# int 0x80: the same catalog events, 32-bit pointers (argv of 4-byte pointers)
check "ia32 openat recorded with its path" \
	test -n "$(q --arg p "$w/ia32-file" "$arg"' select(.processName=="evasion" and .eventName=="openat" and arg("pathname")==$p and arg("resolved_path")==$p and .returnValue>=0)')"
check "ia32 chdir recorded" \
	test -n "$(q --arg p "$w" "$arg"' select(.processName=="evasion" and .eventName=="chdir" and arg("path")==$p)')"
check "ia32 execve recorded with its 32-bit argv" \
	test -n "$(q "$arg"' select(.eventName=="execve" and arg("pathname")=="/bin/true" and arg("argv")==["/bin/true","ia32-argument"])')"
check "ia32 socketcall connect: the socket and the address" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="socketcall" and arg("call")==3 and arg("sockfd")>=0 and arg("addr").sin_addr=="127.0.0.1" and arg("addr").sin_port=="9")')"

# a second thread rewrites the path while openat waits on the FIFO
check "swapped-buffer open shows the path opened" \
	test -n "$(q --arg p "$w/fifo-real" "$arg"' select(.eventName=="openat" and arg("flags")==0 and arg("pathname")==$p and arg("resolved_path")==$p)')"
check "the decoy path appears nowhere" \
	test -z "$(q --arg p "$w/decoy" "$arg"' select(.eventName=="openat" and (arg("pathname")==$p or arg("resolved_path")==$p))')"

check "a symlink into the work dir resolves to its target" \
	test -n "$(q --arg l "$w/link" --arg p "$w/ia32-file" "$arg"' select(.eventName=="openat" and arg("pathname")==$l and arg("resolved_path")==$p)')"
check "/proc/self/root/... resolves to the real path" \
	test -n "$(q --arg l "/proc/self/root$w/ia32-file" --arg p "$w/ia32-file" "$arg"' select(.eventName=="openat" and arg("pathname")==$l and arg("resolved_path")==$p)')"

check "fexecve of a memfd: the exec's pathname is the memfd" \
	test -n "$(q "$arg"' select(.eventName=="sched_process_exec" and arg("pathname")=="/memfd:tr-payload (deleted)" and arg("argv")==["payload"])')"
check "fork + exec of literals: pathname and argv from the new image" \
	test -n "$(q "$arg"' select(.eventName=="sched_process_exec" and arg("cmdpath")=="/bin/true" and (arg("pathname")|endswith("/true")) and arg("argv")==["true","LITERAL-ARGUMENT"])')"
check "fchdir recorded with the directory it entered" \
	test -n "$(q --arg p "$w" "$arg"' select(.eventName=="fchdir" and .returnValue==0 and arg("resolved_path")==$p)')"

check "exec argv over 4 KB: truncated, with its real length" \
	test -n "$(q '.args[]? | select(.name=="argv" and .truncated==true and .length > 5000 and (.value[1]|startswith("AAAA")))')"
check "execve argv over 64 elements or 4 KB: truncated" \
	test -n "$(q "$arg"' select(.eventName=="execve" and (arg("argv")[1]|tostring|startswith("AAAA"))) | .args[] | select(.name=="argv" and .truncated==true)')"

check "execve argv over 64 elements: 64 kept, truncated" \
	test -n "$(q "$arg"' select(.eventName=="execve" and arg("pathname")=="/bin/true" and (arg("argv")|length)==64 and arg("argv")[1]=="1000") | .args[] | select(.name=="argv" and .truncated==true)')"
check "... and all 101 from the new image" \
	test -n "$(q "$arg"' select(.eventName=="sched_process_exec" and (arg("argv")|length)==101 and arg("argv")[100]=="1099")')"

for how in open creat openat2; do
	check "$how recorded with the fd's resolved path" \
		test -n "$(q --arg e "$how" --arg p "$w/opened-by-$how" "$arg"' select(.eventName==$e and .returnValue>=0 and arg("pathname")==$p and arg("resolved_path")==$p)')"
done

check "write keeps the first bytes of a script (#!)" \
	test -n "$(q "$arg"' select(.eventName=="write" and (arg("data")|@base64d|startswith("#!/bin/sh")))')"
check "a setuid exec runs with euid 0 and the caller's uid" \
	test -n "$(q 'select(.processName=="mount" and .userId==65534 and .euid==0)')"

check "connect: the peer and our local address" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="connect" and .returnValue==0 and arg("addr").sin_addr=="127.0.0.1" and arg("local_addr").sin_addr=="127.0.0.1" and arg("local_addr").sin_port!="0")')"
check "accept: the peer and the local address" \
	test -n "$(q "$arg"' select(.processName=="evasion" and (.eventName=="accept" or .eventName=="accept4") and .returnValue>=0 and arg("addr").sin_addr=="127.0.0.1" and arg("local_addr").sin_addr=="127.0.0.1")')"
check "sendmsg passes an fd with SCM_RIGHTS" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="sendmsg" and (arg("scm_rights")|length)==8)')"
check "recvmsg receives it" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="recvmsg" and (arg("scm_rights")|length)==8)')"
check "sendmmsg's destination address" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="sendmmsg" and arg("msg_name").sin_addr=="127.0.0.2" and arg("msg_name").sin_port=="9")')"

check "a path not resident at entry is read at exit and marked so" \
	test -n "$(q --arg p "$w/ia32-file" "$arg"' select(.processName=="evasion" and .eventName=="openat" and arg("pathname")==$p) | .args[] | select(.name=="pathname" and .readAtExit==true)')"
check "io_uring IORING_OP_OPENAT: an openat event with its fd's resolved path" \
	test -n "$(q --arg p "$w/uring-file" "$arg"' select(.processName=="evasion" and .eventName=="openat" and arg("pathname")==$p and .returnValue>=0 and arg("resolved_path")==$p)')"
check "other io_uring requests: io_uring_submit with the opcode" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="io_uring_submit" and arg("opcode")==0 and arg("user_data")==43)')"
check "bpf: the program type of a load" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="bpf" and arg("cmd")==5 and arg("prog_type")==2)')"
check "bpf: a detach is flagged" \
	test -n "$(q "$arg"' select(.processName=="evasion" and .eventName=="bpf" and arg("cmd")==34 and arg("detach")==true)')"
if [ -d /sys/fs/cgroup ] && [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	for ev in cgroup_mkdir cgroup_rmdir; do
		check "$ev with the cgroup's path" \
			test -n "$(q --arg e "$ev" --arg p "/${cg##*/}" "$arg"' select(.eventName==$e and arg("cgroup_path")==$p and arg("cgroup_id")>0)')"
	done
fi
check "a signal sent to the recorder is flagged" \
	test -n "$(q "$arg"' select(.eventName=="kill" and .targetsRecorder==true and arg("sig")==0)')"
check "TCP state changes: the socket, not the interrupted task" \
	test -n "$(q "$arg"' select(.eventName=="inet_sock_set_state" and arg("new_state")==1 and arg("src").sin_addr=="127.0.0.1" and arg("sock_inode")>0 and .hostProcessId==0 and .processName=="")')"
exit $fail
