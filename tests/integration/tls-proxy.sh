#!/bin/sh
# tls-proxy.sh - the shipped nginx site (contrib/nginx/mentord.conf) in
# front of the real mentord, on loopback high ports, with a self-signed
# certificate made here by openssl: the API (a discharge, a queue, a course
# read) and the page (GET /, app.js) through https with the certificate
# verified; the page's sign-in and a write with its session, from the
# Origin of a port other than 443; HSTS and the plain-http redirect;
# nginx's own refusals as
# problem JSON; the audit rows record the client nginx names in
# X-Forwarded-For (mentord trusts 127.0.0.1, listen.trusted_proxies), and
# an X-Forwarded-For a client sends, through nginx or to mentord directly,
# is never recorded.
#
# The client connects from 127.0.0.2 (curl --interface), so its address
# differs from the proxy's (127.0.0.1); a direct client uses 127.0.0.3.
#
# nginx is Debian's: the installed /usr/sbin/nginx, or else the nginx
# package fetched with `apt-get download` and unpacked with dpkg-deb into
# the build tree (tests/nginx), which runs no maintainer script and so
# starts no service. nginx runs as the current user with its own prefix,
# configuration and logs in $TEST_TMP. Without nginx, openssl or a way to
# fetch the package the test is skipped, saying why.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

SITE=$top_srcdir/contrib/nginx/mentord.conf
NGINX_PKG_DIR=$top_builddir/tests/nginx
NGX=$TEST_TMP/nginx
CLIENT_IP=127.0.0.2
DIRECT_IP=127.0.0.3
SPOOFED=203.0.113.9

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# --- nginx: installed, unpacked before, or fetched now -----------------------------
# fetch_nginx: Debian's nginx package into $NGINX_PKG_DIR, unpacked, never
# installed. Prints why not on failure.
fetch_nginx() {
	command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || {
		echo "no apt-get or dpkg-deb to fetch Debian's nginx package"
		return 1
	}
	fn_new=$NGINX_PKG_DIR.new
	rm -rf "$fn_new" && mkdir -p "$fn_new" || {
		echo "cannot create $fn_new"
		return 1
	}
	if ! (cd "$fn_new" && timeout 120 apt-get download -q nginx) >"$TEST_TMP/apt.log" 2>&1; then
		sed 's/^/# apt-get: /' "$TEST_TMP/apt.log" | tail -n 5 >&2
		rm -rf "$fn_new"
		echo "apt-get download nginx failed (no package lists? apt-get update)"
		return 1
	fi
	if ! dpkg-deb -x "$fn_new"/nginx_*.deb "$fn_new/root" 2>"$TEST_TMP/dpkg.log" ||
		! "$fn_new/root/usr/sbin/nginx" -v >/dev/null 2>&1; then
		sed 's/^/# dpkg-deb: /' "$TEST_TMP/dpkg.log" >&2
		rm -rf "$fn_new"
		echo "the unpacked nginx does not run (a library missing?)"
		return 1
	fi
	rm -rf "$NGINX_PKG_DIR" && mv "$fn_new/root" "$NGINX_PKG_DIR" && rm -rf "$fn_new"
}

NGINX=${MENTORD_TEST_NGINX:-}
if [ -z "$NGINX" ]; then
	for n in "$(command -v nginx 2>/dev/null)" /usr/sbin/nginx "$NGINX_PKG_DIR/usr/sbin/nginx"; do
		if [ -n "$n" ] && [ -x "$n" ]; then
			NGINX=$n
			break
		fi
	done
fi
if [ -z "$NGINX" ]; then
	why=$(fetch_nginx) || skip_all "no nginx installed and $why"
	NGINX=$NGINX_PKG_DIR/usr/sbin/nginx
fi
"$NGINX" -v >/dev/null 2>&1 || skip_all "$NGINX does not run"
command -v openssl >/dev/null 2>&1 || skip_all "no openssl to make a certificate"

plan 38

# --- mentord, trusting the proxy on 127.0.0.1 ---------------------------------------
write_config
config_set "$CONFIG" listen.trusted_proxies '["127.0.0.1", "::1"]' ||
	bail "no listen.trusted_proxies in $SHIPPED_CONFIG"
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-7)
start_mentord --test-clock --web-root "$top_srcdir/web" || bail "mentord did not start"
# Mon 2 Mar 2026, a working day.
set_clock 2026-03-02T12:00:00+01:00

# --- the certificate and nginx's configuration -----------------------------------
SERVER_NAME=$(awk '$1 == "server_name" { sub(/;$/, "", $2); print $2; exit }' "$SITE")
[ -n "$SERVER_NAME" ] || bail "no server_name in $SITE"
mkdir -p "$NGX/logs" "$NGX/tmp" || bail "cannot create $NGX"
timeout 60 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$NGX/key.pem" -out "$NGX/cert.pem" -days 2 -subj "/CN=$SERVER_NAME" \
	-addext "subjectAltName=DNS:$SERVER_NAME" >"$TEST_TMP/openssl.log" 2>&1 ||
	bail "openssl req failed: $(cat "$TEST_TMP/openssl.log")"

# The shipped site with only what a test must change: loopback high ports,
# no IPv6 listener, the test's certificate, logs and mentord's port. Each
# line edited must be in the file, so the test cannot drift from it.
for want in 'listen 443 ssl http2;' 'listen 80;' 'listen \[::\]:' 'server 127.0.0.1:8080;' \
	'ssl_certificate /etc/ssl/certs/mentord.pem;' \
	'ssl_certificate_key /etc/ssl/private/mentord.key;' '/var/log/nginx/'; do
	grep -q -- "$want" "$SITE" || bail "$SITE has no '$want' for the test to edit"
done

# write_nginx_config HTTPS-PORT HTTP-PORT: $NGX/site.conf and nginx.conf.
write_nginx_config() {
	sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$1 ssl http2;|" \
		-e "s|listen 80;|listen 127.0.0.1:$2;|" \
		-e '/listen \[::\]:/d' \
		-e "s|server 127.0.0.1:8080;|server 127.0.0.1:$PORT;|" \
		-e "s|/etc/ssl/certs/mentord.pem|$NGX/cert.pem|" \
		-e "s|/etc/ssl/private/mentord.key|$NGX/key.pem|" \
		-e "s|/var/log/nginx/|$NGX/logs/|g" "$SITE" >"$NGX/site.conf"
	# As root nginx would run its workers as nobody, who cannot enter
	# $TEST_TMP: they run as the current user instead.
	user_line=
	[ "$(id -u)" -ne 0 ] || user_line="user $(id -un) $(id -gn);"
	# A stand-in for Debian's /etc/nginx/nginx.conf, its TLS and gzip
	# defaults included, so the site must override them.
	cat >"$NGX/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log notice;
$user_line
events {
	worker_connections 128;
}
http {
	default_type application/octet-stream;
	ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
	ssl_prefer_server_ciphers on;
	gzip on;
	access_log $NGX/logs/access.log;
	client_body_temp_path $NGX/tmp/body;
	proxy_temp_path $NGX/tmp/proxy;
	fastcgi_temp_path $NGX/tmp/fastcgi;
	uwsgi_temp_path $NGX/tmp/uwsgi;
	scgi_temp_path $NGX/tmp/scgi;
	include $NGX/site.conf;
}
EOF
}

# A port below Linux's ephemeral range (32768 up), so that no connection
# of this or another test holds it by chance.
random_port() {
	echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000))
}

nginx_cmd() {
	timeout 30 "$NGINX" -p "$NGX/" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" "$@"
}

HTTPS_PORT=$(random_port)
HTTP_PORT=$(random_port)
write_nginx_config "$HTTPS_PORT" "$HTTP_PORT"
if nginx_cmd -t >"$TEST_TMP/nginx-t.log" 2>&1; then
	pass "nginx -t accepts the shipped site ($("$NGINX" -v 2>&1 | sed 's/.*: //'))"
else
	fail "nginx -t accepts the shipped site"
	diag_file "$TEST_TMP/nginx-t.log"
	diag_file "$NGX/logs/error.log"
fi

# Up to five tries: another process may hold a random port.
NGINX_PID=
for try in 1 2 3 4 5; do
	rm -f "$NGX/nginx.pid"
	: >"$NGX/logs/error.log"
	"$NGINX" -p "$NGX/" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" \
		</dev/null >"$TEST_TMP/nginx.out" 2>&1 &
	NGINX_PID=$!
	track_pid "$NGINX_PID"
	# The master writes its pid file once its sockets listen.
	if wait_for 10 test -s "$NGX/nginx.pid"; then
		break
	fi
	wait_exit "$NGINX_PID" 2
	NGINX_PID=
	grep -q 'Address already in use' "$NGX/logs/error.log" "$TEST_TMP/nginx.out" ||
		break
	HTTPS_PORT=$(random_port)
	HTTP_PORT=$(random_port)
	write_nginx_config "$HTTPS_PORT" "$HTTP_PORT"
done
if [ -z "$NGINX_PID" ]; then
	diag_file "$NGX/logs/error.log"
	diag_file "$TEST_TMP/nginx.out"
	bail "nginx did not start"
fi

# https METHOD PATH [CURL-OPTION...]: one request through nginx from
# $CLIENT_IP, the server's certificate verified against the test's own.
# Results as for http (HTTP_STATUS, $BODY, $HEADERS).
https() {
	h_method=$1 h_path=$2
	shift 2
	: >"$BODY"
	: >"$HEADERS"
	HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 --cacert "$NGX/cert.pem" \
		--resolve "$SERVER_NAME:$HTTPS_PORT:127.0.0.1" --interface "$CLIENT_IP" \
		-o "$BODY" -D "$HEADERS" -w '%{http_code}' -X "$h_method" -H 'Expect:' "$@" \
		"https://$SERVER_NAME:$HTTPS_PORT$h_path" 2>"$TEST_TMP/curl.err")
	CURL_EXIT=$?
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
}

# https_api METHOD PATH TOKEN [BODY]: https with a token and a JSON body.
https_api() {
	ha_method=$1 ha_path=$2 ha_token=$3
	shift 3
	if [ $# -ge 1 ]; then
		https "$ha_method" "$ha_path" -H "Authorization: Bearer $ha_token" \
			-H 'Content-Type: application/json' --data-binary "$1"
	else
		https "$ha_method" "$ha_path" -H "Authorization: Bearer $ha_token"
	fi
}

# --- TLS, HSTS, the redirect ---------------------------------------------------
https GET /healthz
if [ "$HTTP_STATUS" = 200 ] && [ "$(jget status)" = ok ]; then
	pass "GET /healthz through nginx over https, the certificate verified: 200 ok"
else
	fail "GET /healthz through nginx over https: 200 ok" "status $HTTP_STATUS, curl exit $CURL_EXIT" \
		"$(cat "$TEST_TMP/curl.err")"
	diag_file "$NGX/logs/error.log"
fi
is "$(header Strict-Transport-Security)" "max-age=63072000" "the reply carries HSTS for two years"
like "$(header Server)" '^nginx$' "nginx names no version (server_tokens off)"
status=$(timeout 15 curl -sS --max-time 10 --cacert "$NGX/cert.pem" --tlsv1.2 --tls-max 1.2 \
	--resolve "$SERVER_NAME:$HTTPS_PORT:127.0.0.1" -o /dev/null -w '%{http_code}' \
	"https://$SERVER_NAME:$HTTPS_PORT/healthz" 2>"$TEST_TMP/curl.err")
is "$status" 200 "a TLS 1.2 client is served too"

HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 -o "$BODY" -D "$HEADERS" -w '%{http_code}' \
	--resolve "$SERVER_NAME:$HTTP_PORT:127.0.0.1" "http://$SERVER_NAME:$HTTP_PORT/v1/queue?date=2026-03-03" \
	2>"$TEST_TMP/curl.err")
is "$HTTP_STATUS $(header Location)" "301 https://$SERVER_NAME/v1/queue?date=2026-03-03" \
	"plain http on nginx only redirects to https"

# --- the API through nginx -------------------------------------------------------
https_api POST /v1/mentors "$ADMIN" '{"name": "Anna Proxy", "phone": "21000031"}'
status_is 201 "admin POST /v1/mentors through nginx: 201"
MENTOR=$(jget id)
MENTOR_TOKEN=$(token_add mentor anna "$MENTOR")
DISCHARGE='{"notification_id": "tls-1", "citizen": {"name": "Tove Tunnel", "phone": "30000031"},
	"discharged_at": "2026-03-02T10:00:00+01:00",
	"consent": {"contact": true, "share_information": true}}'
https_api POST /v1/discharges "$PSYCH" "$DISCHARGE"
status_is 201 "psychiatry POST /v1/discharges through nginx: 201"
COURSE=$(jget course_id)
is "$(header Location)" "/v1/courses/$COURSE" "the Location header passes through unchanged"
https_api GET "/v1/queue?date=2026-03-03" "$MENTOR_TOKEN"
is "$HTTP_STATUS $(jget calls.0.course_id) $(jget calls.0.citizen.name)" "200 $COURSE Tove Tunnel" \
	"the mentor's queue through nginx holds the citizen"
https_api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN"
is "$HTTP_STATUS $(jget id) $(jget log.0.kind)" "200 $COURSE discharge" \
	"the mentor reads the course through nginx"
is "$(header Cache-Control)" no-store "mentord's Cache-Control: no-store passes through"

# --- the page through nginx ------------------------------------------------------
https GET /
like "$HTTP_STATUS $(header Content-Type)" '^200 text/html' "GET / through nginx: 200 text/html"
like "$(header Content-Security-Policy)" "default-src" "the page keeps mentord's Content-Security-Policy"
https GET /app.js
like "$HTTP_STATUS $(header Content-Type)" '^200 text/javascript' \
	"GET /app.js through nginx: 200 text/javascript"
if cmp -s "$BODY" "$top_srcdir/web/app.js"; then
	pass "app.js ($(wc -c <"$top_srcdir/web/app.js") bytes, more than nginx's buffers) arrives whole"
else
	fail "app.js arrives whole" "got $(wc -c <"$BODY") bytes"
fi
if [ -z "$(find "$NGX/tmp" -type f 2>/dev/null)" ]; then
	pass "nginx wrote no reply or body to a temporary file"
else
	fail "nginx wrote no reply or body to a temporary file" "$(find "$NGX/tmp" -type f)"
fi

# --- the page's sign-in and a write, through nginx on a port other than 443 ---------
# The page's Origin is https://NAME:PORT. mentord compares it with the
# Host nginx passes on (the port included) and the scheme nginx names in
# X-Forwarded-Proto.
ORIGIN=https://$SERVER_NAME:$HTTPS_PORT
https POST /v1/session -H "Origin: $ORIGIN" -H 'Content-Type: application/json' \
	--data-binary "{\"token\": \"$ADMIN\"}"
status_is 201 "the page's sign-in through nginx, Origin $ORIGIN: 201"
like "$(header Set-Cookie)" '; Secure' "its session cookie is Secure (X-Forwarded-Proto from nginx)"
SESSION=$(header Set-Cookie | sed -n 's/^mentord_session=\([^;]*\);.*/\1/p')
CSRF=$(jget csrf_token)
https POST /v1/mentors -H "Origin: $ORIGIN" -H "Cookie: mentord_session=$SESSION" \
	-H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
	--data-binary '{"name": "Page Proxy", "phone": "21000032"}'
status_is 201 "a write from the page with that session through nginx: 201"
https POST /v1/session --http1.1 -H "Origin: $ORIGIN" -H 'Content-Type: application/json' \
	--data-binary "{\"token\": \"$ADMIN\"}"
status_is 201 "the same sign-in over HTTP/1.1 through nginx: 201"
https POST /v1/session -H 'Origin: https://evil.example' -H 'Content-Type: application/json' \
	--data-binary "{\"token\": \"$ADMIN\"}"
is_problem 403 "a sign-in with another site's Origin through nginx: 403 problem"

# --- nginx's own refusals ---------------------------------------------------------
big=$TEST_TMP/big.json
head -c 70000 /dev/zero | tr '\0' ' ' >"$big"
https POST /v1/discharges -H "Authorization: Bearer $PSYCH" -H 'Content-Type: application/json' \
	--data-binary "@$big"
is_problem 413 "a 70000-byte body through nginx: 413 problem JSON"
https GET /metrics
is_problem 404 "/metrics is not served through nginx"
http GET /metrics
status_is 200 "mentord still serves /metrics on loopback without a token"
https GET /metrics -H "Authorization: Bearer $ADMIN"
is "$HTTP_STATUS" 404 "not through nginx even with an admin token"

# --- the audit records the client nginx names, never a sent header -------------------
https_api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN" -H "X-Forwarded-For: $SPOOFED"
status_is 200 "a course read through nginx with a client-sent X-Forwarded-For: 200"
# mentord directly, not through the proxy: its own peer address counts.
HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 --interface "$DIRECT_IP" -o "$BODY" -w '%{http_code}' \
	-H "Authorization: Bearer $MENTOR_TOKEN" -H "X-Forwarded-For: $SPOOFED" \
	"http://127.0.0.1:$PORT/v1/courses/$COURSE" 2>"$TEST_TMP/curl.err")
is "$HTTP_STATUS" 200 "a course read sent to mentord directly from $DIRECT_IP with X-Forwarded-For: 200"

https_api GET "/v1/audit?course=$COURSE" "$ADMIN"
status_is 200 "admin GET /v1/audit through nginx: 200"
rows=$(json_len "$BODY" audit)
seen=
i=0
while [ "$i" -lt "$rows" ]; do
	seen="$seen $(jget "audit.$i.action")@$(jget "audit.$i.client_address")"
	i=$((i + 1))
done
seen=${seen# }
diag "audit rows of the course: $seen"
case " $seen " in
*" discharge@$CLIENT_IP "*" read@$CLIENT_IP "*) pass "the discharge and the reads through nginx record the client, $CLIENT_IP" ;;
*) fail "the discharge and the reads through nginx record the client, $CLIENT_IP" "$seen" ;;
esac
via_proxy=$(printf '%s\n' "$seen" | tr ' ' '\n' | sed '$d' | grep -vc "@$CLIENT_IP\$")
is "$via_proxy" 0 "every row but the direct request's names $CLIENT_IP, none the proxy's 127.0.0.1"
is "$(printf '%s\n' "$seen" | tr ' ' '\n' | tail -n 1)" "read@$DIRECT_IP" \
	"the direct request records its own peer, $DIRECT_IP, not its X-Forwarded-For"
is "$(sql "$DATABASE" "SELECT count(*) FROM audit WHERE client_address = '$SPOOFED'")" 0 \
	"no audit row records the client-sent address $SPOOFED"
is "$(sql "$DATABASE" "SELECT count(*) FROM audit WHERE client_address IS NULL OR client_address = ''")" 0 \
	"every audit row has an address"
file_unlike "$NGX/logs/mentord.access.log" '\?date=' "nginx's access log leaves out query strings"

# --- mentord gone: nginx answers for it --------------------------------------------
stop_mentord TERM 10
https_api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN"
is_problem 503 "with mentord stopped nginx answers 503 problem JSON"
is "$(header Strict-Transport-Security)" "max-age=63072000" "its 503 carries HSTS too"

kill -QUIT "$NGINX_PID" 2>/dev/null
if wait_exit "$NGINX_PID" 10; then
	pass "nginx stops gracefully on SIGQUIT"
else
	fail "nginx stops gracefully on SIGQUIT" "it had to be killed"
fi
