#!/usr/bin/env bash
# Install the Debian packages the build and the tests need; does nothing when
# they are all present. Run as root (CI does).
set -euo pipefail

pkgs=(
	make gcc pkg-config clang llvm bpftool          # build, BPF objects, skeletons
	libclang-rt-14-dev                               # libFuzzer + sanitizer runtimes (make fuzz)
	libbpf-dev libelf-dev zlib1g-dev libzstd-dev     # loading, segments
	libsqlite3-dev libjansson-dev libssl-dev          # index, JSON, SHA-256
	libpcap-dev libcmocka-dev                         # capture, unit tests
	libyaml-dev libpcre2-dev                          # Sigma rules: YAML, regular expressions
	sqlite3 jq tshark zstd valgrind                   # checking tools used by tests
	stress-ng linux-perf                             # make bench, make soak
	libarchive-dev chromium openssl                   # evidence bundles (keys for the test), report rendering test
	time                                              # CPU time in tests/bench/replay.sh
	procps bc                                         # pgrep/pkill in live tests (not in minimal images); bc in tests/bench/signatures.sh
	python3 curl                                      # loopback HTTP in the demo and the capture tests
	iproute2                                          # a tun device that comes up while --net all records
	clickhouse-server clickhouse-client libcurl4-openssl-dev # export to ClickHouse (issue 12)
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: error: installing packages needs root (run: sudo make deps)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
