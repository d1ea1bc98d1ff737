# SPDX-License-Identifier: MIT
# tests/lib_clickhouse.sh: a private clickhouse-server for a test, on
# 127.0.0.1 only, data and logs in a temp dir, free ports; stopped by
# ch_stop. Source it; then ch_start DIR sets CH_URL (http://127.0.0.1:PORT).

ch_free_port() {
	python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# ch_start DIR: 0 with CH_URL and CH_PID set; 1 (and a message) if it
# cannot be started.
ch_start() {
	local dir=$1 http tcp inter i
	command -v clickhouse-server >/dev/null || { echo "clickhouse-server is not installed"; return 1; }
	id clickhouse >/dev/null 2>&1 || { echo "no clickhouse user"; return 1; }
	http=$(ch_free_port); tcp=$(ch_free_port); inter=$(ch_free_port)
	mkdir -p "$dir/data" "$dir/tmp" "$dir/log" "$dir/user_files" "$dir/format_schemas"
	cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$dir/log/server.log</log>
        <errorlog>$dir/log/server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$http</http_port>
    <tcp_port>$tcp</tcp_port>
    <interserver_http_port>$inter</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <max_connections>64</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>16</max_concurrent_queries>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>67108864</mark_cache_size>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
</yandex>
XML
	cat > "$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
	chown -R clickhouse:clickhouse "$dir"
	chmod 755 "$dir"
	# the parent dirs must be searchable by the clickhouse user
	setpriv --reuid=clickhouse --regid=clickhouse --clear-groups \
		clickhouse-server --config-file="$dir/config.xml" \
		>"$dir/log/stdout" 2>&1 &
	CH_PID=$!
	CH_DIR=$dir
	CH_URL=http://127.0.0.1:$http
	for i in $(seq 1 300); do
		if [ "$(curl -s --max-time 2 "$CH_URL/?query=SELECT%201" 2>/dev/null)" = 1 ]; then
			return 0
		fi
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "clickhouse-server did not answer on $CH_URL:"; tail -5 "$dir/log/stdout" "$dir/log/server.err.log" 2>/dev/null
	ch_stop
	return 1
}

# ch_q SQL: run SQL over HTTP, print the answer (TabSeparated).
ch_q() {
	curl -sS --max-time 60 --data-binary "$1" "$CH_URL/" 
}

ch_stop() {
	[ -n "${CH_PID:-}" ] || return 0
	kill "$CH_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	CH_PID=
	return 0
}
