#!/usr/bin/env bash
# CLI: the capture options of tracee-record (--net, --snaplen, --capture,
# --artifact-max-size, --artifact-max-total): help, and every refusal with
# exit 2 and a message naming the value, before anything is loaded or made.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record

run "$rec" --help
expect_rc 0 "--help"
for o in "--net IFACE|all" "--snaplen headers|N|max" "--capture exec" "--capture write[=PREFIX]" \
	"--artifact-max-size SIZE" "--artifact-max-total SIZE"; do
	has out "$o" "--help documents $o"
done

bad() { # bad NAME WANT ARGS...
	run "$rec" -o "$tmp/never" "${@:3}"
	expect_rc 2 "$1"
	has err "$2" "$1: says why"
	check "$1: nothing created" test ! -e "$tmp/never"
}
bad "--net of a missing interface" "tracee-record: error: --net: no interface 'tr-no-such0'" --net tr-no-such0
bad "--snaplen 0" "--snaplen: '0' is not headers, max or a number of bytes from 1 to 65000" --snaplen 0
bad "--snaplen over the maximum" "'65001' is not headers" --snaplen 65001
bad "--snaplen words" "'some' is not headers" --snaplen some
bad "--capture of nothing known" "--capture: 'files' is not exec, write, write=/ABSOLUTE/PREFIX, env or env=VAR,..." --capture files
bad "--capture write= a relative prefix" "'write=tmp' is not exec" --capture write=tmp
bad "--artifact-max-size 0" "--artifact-max-size: '0' is not a positive size" --artifact-max-size 0
bad "--artifact-max-size with a unit it does not know" "'5T' is not a positive size" --artifact-max-size 5T
bad "--artifact-max-total negative" "--artifact-max-total: '-1' is not a positive size" --artifact-max-total -1
exit $fail
