// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * net.bpf.c: packet capture from TC. Two classifiers, one per direction,
 * attached by the recorder as TCX links (BPF_TCX_INGRESS/EGRESS) to the
 * interfaces it was asked for: links go away with the recorder, whatever
 * kills it, and leave any qdisc or filter already there untouched.
 *
 * Each packet goes to userland through a perf buffer of its own ("packets",
 * never the events buffer, so a flood cannot cost syscall events): a small
 * head (struct tr_net_pkt) followed by the packet's first caplen bytes,
 * copied by bpf_perf_event_output straight from the skb (no scratch copy).
 * The programs never change a packet: they always return TC_ACT_UNSPEC (-1),
 * "carry on as if we were not here".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "tr_format.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TC_ACT_UNSPEC (-1)
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define DNS_PORT 53

/* Bytes kept of each packet (set before load); DNS is kept whole. */
const volatile __u32 snaplen = TR_NET_SNAP_HEADERS;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} packets SEC(".maps");

/* Per-CPU count of packets the perf buffer refused: the recorder reconciles
 * it with the losses the buffer reported, so the last ones are said too. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} packet_drops SEC(".maps");

/* Source and destination ports of a TCP or UDP packet, read relative to the
 * network header (so it works with and without a link-layer header); 0 when
 * it is neither, or a fragment after the first. */
static __always_inline __u32 l4_ports(struct __sk_buff *skb)
{
	__u32 ports = 0, l4off;
	__u8 proto;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET))
			return 0;
		if (ip.frag_off & bpf_htons(0x1fff))
			return 0;
		proto = ip.protocol;
		l4off = ip.ihl * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip6, sizeof(ip6), BPF_HDR_START_NET))
			return 0;
		proto = ip6.nexthdr;
		l4off = sizeof(ip6);
	} else {
		return 0;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes_relative(skb, l4off & 0xff, &ports, sizeof(ports), BPF_HDR_START_NET))
		return 0;
	return ports;
}

static __always_inline int capture(struct __sk_buff *skb, __u32 dir)
{
	struct tr_net_pkt pkt = {};
	__u32 ports, len = skb->len, cap = snaplen;
	__u64 flags;
	__u32 zero = 0;
	__u64 *drops;

	ports = l4_ports(skb);
	if ((ports & 0xffff) == bpf_htons(DNS_PORT) || (ports >> 16) == bpf_htons(DNS_PORT))
		cap = TR_NET_SNAP_MAX;
	if (cap > len)
		cap = len;
	if (cap > TR_NET_SNAP_MAX)
		cap = TR_NET_SNAP_MAX;
	pkt.ts = bpf_ktime_get_boot_ns();
	pkt.ifindex = skb->ifindex;
	pkt.len = len;
	pkt.caplen = cap;
	pkt.dir = dir;
	flags = BPF_F_CURRENT_CPU | ((__u64)cap << 32);
	if (bpf_perf_event_output(skb, &packets, flags, &pkt, sizeof(pkt))) {
		drops = bpf_map_lookup_elem(&packet_drops, &zero);
		if (drops)
			(*drops)++;
	}
	return TC_ACT_UNSPEC;
}

/* Why TC: it sees every packet of an interface, both ways, after the stack
 * has built it (egress) or before it consumes it (ingress), with no kprobe. */
SEC("tc")
int tr_tc_ingress(struct __sk_buff *skb)
{
	return capture(skb, TR_NET_DIR_IN);
}

SEC("tc")
int tr_tc_egress(struct __sk_buff *skb)
{
	return capture(skb, TR_NET_DIR_OUT);
}
