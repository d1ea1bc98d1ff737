#!/usr/bin/env bash
# The HTML report rendered in headless Chromium: the detections are on the
# page, the process tree is drawn (and folds), the page logs no console
# error and asks for nothing outside (a Content-Security-Policy of
# default-src 'none' would log any attempt; hostile text from a recording
# stays text). A screenshot is left in $OUTPUT/test-output/report.png.
. "$(dirname "$0")/../lib.sh"
A=$OUTPUT/tracee-analyze
command -v chromium >/dev/null || { bad "chromium is missing (make deps)"; exit 1; }
"$OUTPUT/gen_recording" "$tmp/rec" || { echo "FAIL gen_recording"; exit 1; }
# a second host whose name is markup: it must stay text
cp -a "$tmp/rec" "$tmp/rec2"
# (sed, not jq: jq would round the manifest's 19-digit integers)
sed '0,/"hostname": *"[^"]*"/s||"hostname": "<img src=http://203.0.113.9/x onerror=alert(1)>evil"|' \
	"$tmp/rec/manifest.json" >"$tmp/rec2/manifest.json"
"$A" index -o "$tmp/case.db" "$tmp/rec" "$tmp/rec2" >/dev/null 2>&1
same "$(sqlite3 "$tmp/case.db" "SELECT count(DISTINCT hostname) FROM recordings")" 2 "two hosts indexed"
run "$A" report -o "$tmp/report.html" "$tmp/case.db"
expect_rc 0 "report"
same "$(stat -c %a "$tmp/report.html")" 600 "report is mode 0600"
same "$(grep -o '<script' "$tmp/report.html" | wc -l)" 2 "two script elements: the data and the code"
sed 's|<script type="application/json" id="data">.*</script>||' "$tmp/report.html" >"$tmp/code.html"
same "$(grep -oE '(src|href)=' "$tmp/code.html" | wc -l)" 0 "no src= or href= in the page (outside the data)"
same "$(grep -oE 'https?://[A-Za-z0-9./_-]*' "$tmp/code.html" | sort -u | tr '\n' ' ')" "http://www.w3.org/2000/svg " "outside the data, the only URL is the SVG namespace name"

chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d -p "$tmp")" \
		--host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 "$@"
}
chrome --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/chrome.err"
check "chromium renders the report" test -s "$tmp/dom.html"
grep -q '<td>exec_from_temp_dir</td>' "$tmp/dom.html" && ok "detections on the page" || bad "no detection on the page"
same "$(grep -o '<td>TRR-1001</td>' "$tmp/dom.html" | wc -l)" 2 "both hosts' detections listed"
nodes=$(grep -o '<g class="node' "$tmp/dom.html" | wc -l)
[ "$nodes" -ge 6 ] && ok "process tree drawn: $nodes nodes" || bad "process tree: $nodes nodes"
grep -q '<g class="node det"' "$tmp/dom.html" && ok "the detected process is marked in the tree" || bad "no marked process"
grep -q '/tmp/payload' "$tmp/dom.html" && ok "the payload is in the tree" || bad "payload not in the tree"
same "$(grep -c '<img' "$tmp/dom.html")" 0 "markup from a recording stays text"
grep -q '&lt;img src=http://203.0.113.9/x onerror=alert(1)&gt;evil' "$tmp/dom.html" && ok "the hostile host name shown as text" \
	|| bad "the hostile host name is not shown as text"
grep -E 'CONSOLE|Uncaught|Refused to|net::ERR' "$tmp/chrome.err" >"$tmp/console" || true
empty console "no console errors, no blocked or failed requests"
chrome --dump-dom "file://$tmp/report.html#folded" >"$tmp/folded.html" 2>/dev/null
folded=$(grep -o '<g class="node' "$tmp/folded.html" | wc -l)
[ "$folded" -ge 1 ] && [ "$folded" -lt "$nodes" ] && ok "the tree folds: $folded nodes folded, $nodes unfolded" \
	|| bad "folding: $folded nodes folded, $nodes unfolded"
mkdir -p "$OUTPUT/test-output"
chrome --screenshot="$OUTPUT/test-output/report.png" --window-size=1400,1400 "file://$tmp/report.html" >/dev/null 2>&1
[ "$(head -c 8 "$OUTPUT/test-output/report.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] \
	&& ok "screenshot in $OUTPUT/test-output/report.png" || bad "no screenshot"
exit $fail
