#!/usr/bin/env bash
# CLI tests of evidence bundles: bundle, verify (intact; one byte changed in
# a file, in the compressed archive; a file removed; a file added; the
# signature), extract (safe; refuses "..", absolute paths, escaping
# symlinks, device files, then verifies).
. "$(dirname "$0")/../lib.sh"
A=$OUTPUT/tracee-analyze
"$OUTPUT/gen_recording" "$tmp/rec" || { echo "FAIL gen_recording"; exit 1; }
"$A" index -o "$tmp/case.db" "$tmp/rec" >/dev/null 2>&1
openssl genpkey -algorithm ed25519 -out "$tmp/key.pem" 2>/dev/null && openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem"
openssl genpkey -algorithm ed25519 -out "$tmp/other.pem" 2>/dev/null && openssl pkey -in "$tmp/other.pem" -pubout -out "$tmp/otherpub.pem"
b=$tmp/case.tar.zst

run "$A" bundle --db "$tmp/case.db" --report --sign "$tmp/key.pem" -o "$b" "$tmp/rec"
expect_rc 0 "bundle"
same "$(stat -c %a "$b")" 600 "bundle is mode 0600"
same "$(tar --zstd -tf "$b" | sort | tr '\n' ' ')" \
	"$({ (cd "$tmp/rec" && find . -type f | sed 's|^\./|recordings/rec/|'); printf '%s\n' BUNDLE.json BUNDLE.json.sig case.db report.html; } |
	   sort | tr '\n' ' ')" "bundle holds every file of the recording, the database, the report, BUNDLE.json and its signature"
check "the recording's segments are in it" sh -c "tar --zstd -tf '$b' recordings/rec/events/seg-000000.zst recordings/rec/manifest.json >/dev/null"
tar --zstd -xOf "$b" BUNDLE.json >"$tmp/BUNDLE.json"
same "$(jq -r '.files[] | select(.path == "case.db") | .sha256' "$tmp/BUNDLE.json")" "$(sha256sum "$tmp/case.db" | cut -d' ' -f1)" \
	"BUNDLE.json has the database's sha256"
same "$(jq -r '[.custody.created_by, .custody.host, .custody.tool, (.recordings[0].hostname)] | join(" ")' "$tmp/BUNDLE.json")" \
	"$(id -un) $(hostname) tracee-analyze $(jq -r .custody.tool "$tmp/BUNDLE.json" | cut -d' ' -f2) synth-host" "custody metadata"
run "$A" bundle -o "$tmp/x.tar.zst"
expect_rc 2 "bundle without recordings"
run "$A" bundle --report -o "$tmp/x.tar.zst" "$tmp/rec"
expect_rc 2 "bundle --report without --db"

run "$A" verify "$b"
expect_rc 0 "verify"
has out "$b: intact" "verify says intact"
run "$A" verify --pubkey "$tmp/pub.pem" "$b"
expect_rc 0 "verify --pubkey"
has out "intact, signature good" "the signature is good"
run "$A" verify --pubkey "$tmp/otherpub.pem" "$b"
expect_rc 1 "verify with another key"
has out "bad signature: BUNDLE.json" "another key: bad signature"
run "$A" verify
expect_rc 2 "verify without a bundle"

# re-pack a changed copy (GNU tar) and verify it
repack() { (cd "$tmp/x" && tar --zstd -cf "$tmp/$1" .); }
unpack() { rm -rf "$tmp/x"; mkdir "$tmp/x"; tar --zstd -xf "$b" -C "$tmp/x"; }
unpack; repack same.tar.zst
run "$A" verify "$tmp/same.tar.zst"
expect_rc 0 "verify of a re-packed, unchanged copy"
unpack; printf 'X' | dd of="$tmp/x/recordings/rec/events/seg-000000.zst" bs=1 seek=100 conv=notrunc status=none; repack changed.tar.zst
run "$A" verify "$tmp/changed.tar.zst"
expect_rc 1 "one byte changed in a file"
same "$(cat "$tmp/out")" "changed: recordings/rec/events/seg-000000.zst" "the changed file is named, and only it"
unpack; rm "$tmp/x/recordings/rec/manifest.json"; repack removed.tar.zst
run "$A" verify "$tmp/removed.tar.zst"
expect_rc 1 "a file removed"
same "$(cat "$tmp/out")" "missing: recordings/rec/manifest.json" "the missing file is named"
unpack; echo extra >"$tmp/x/recordings/rec/extra.txt"; repack added.tar.zst
run "$A" verify "$tmp/added.tar.zst"
expect_rc 1 "a file added"
same "$(cat "$tmp/out")" "added: recordings/rec/extra.txt" "the added file is named"
unpack; echo '{}' >"$tmp/x/BUNDLE.json"; repack forged.tar.zst
run "$A" verify --pubkey "$tmp/pub.pem" "$tmp/forged.tar.zst"
expect_rc 1 "a replaced BUNDLE.json"
# one byte of the compressed archive itself, at a few places: the member
# being read when the damage shows (or whose hash then differs) is named;
# damage in the very first block names the bundle
size=$(stat -c %s "$b")
for at in $((size - 200)) $((size - 1000)) $((size / 2)); do
	cp "$b" "$tmp/flipped.tar.zst"
	printf '\x5a' | dd of="$tmp/flipped.tar.zst" bs=1 seek=$at conv=notrunc status=none
	run "$A" verify "$tmp/flipped.tar.zst"
	expect_rc 1 "one byte changed in the compressed bundle at $at of $size"
	grep -Eq "^(damaged|changed|not a bundle manifest): (recordings/|case.db|report.html|BUNDLE|$tmp/flipped.tar.zst)" "$tmp/out" &&
		ok "flip at $at: named: $(head -1 "$tmp/out" | cut -c1-80)" || bad "flip at $at: nothing named: $(head -3 "$tmp/out")"
done

# extract: a good bundle
run "$A" extract -o "$tmp/out1" "$b"
expect_rc 0 "extract"
cmp -s "$tmp/out1/case.db" "$tmp/case.db" && ok "extract: the database as it was" || bad "extract: database differs"
same "$(stat -c %a "$tmp/out1/case.db")" 600 "extracted files are mode 0600"
run "$A" extract -o "$tmp/out1" "$b"
expect_rc 1 "extract into a non-empty directory"
has err "not empty" "extract refuses a non-empty directory"

# crafted archives
mkdir -p "$tmp/craft/in" "$tmp/craft/d"
echo evil >"$tmp/craft/evil.txt"
(cd "$tmp/craft/in" && tar --zstd -P -cf "$tmp/dotdot.tar.zst" ../evil.txt)
tar --zstd -P -cf "$tmp/abs.tar.zst" "$tmp/craft/evil.txt" 2>/dev/null
ln -s /etc "$tmp/craft/d/link"
(cd "$tmp/craft/d" && tar --zstd -cf "$tmp/symlink.tar.zst" link)
rm "$tmp/craft/d/link"; ln -s ../../.. "$tmp/craft/d/up"
(cd "$tmp/craft/d" && tar --zstd -cf "$tmp/symup.tar.zst" up)
rm "$tmp/craft/d/up"; mknod "$tmp/craft/d/null" c 1 3
(cd "$tmp/craft/d" && tar --zstd -cf "$tmp/dev.tar.zst" null)
for c in "dotdot:../evil.txt" "abs:$tmp/craft/evil.txt" "symlink:link" "symup:up" "dev:null"; do
	n=${c%%:*} m=${c#*:}
	rm -rf "$tmp/craft/out"
	run "$A" extract -o "$tmp/craft/out/x" "$tmp/$n.tar.zst"
	expect_rc 1 "extract refuses the $n archive"
	has out "refused: $m" "extract names the $n entry"
	[ ! -e "$tmp/craft/out/x" ] && ok "$n: nothing left behind" || bad "$n: left $(ls -A "$tmp/craft/out/x")"
done
[ ! -e "$tmp/craft/out/evil.txt" ] && [ ! -e "$tmp/evil.txt" ] && ok "nothing written outside" || bad "a file escaped"
exit $fail
