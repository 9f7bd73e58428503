#!/bin/sh
# units.sh - the systemd units, sysusers.d and tmpfiles.d entries and the
# installed tree (TAP):
#  - the generated mentord.service names the configured sbindir and
#    sysconfdir and has no @dir@ marker left;
#  - `systemd-analyze verify` accepts mentord.service and mentord.socket,
#    with ExecStart pointed at the built mentord (verify insists that the
#    binary exists) and the built man pages on MANPATH (it checks every
#    Documentation=man: reference);
#  - `systemd-analyze security --offline=true` rates the service at an
#    overall exposure of 2.0 or less (doc/operations.md);
#  - systemd-sysusers and systemd-tmpfiles apply the entries in a scratch
#    root;
#  - `make install DESTDIR=...` installs the programs, the configuration,
#    the units, the entries and the man pages; a second install keeps a
#    changed configuration, uninstall removes everything but it.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# Install directories, from AM_TESTS_ENVIRONMENT in Makefile.am.
if [ -z "${inst_sbindir:-}" ]; then
	echo "1..0 # SKIP run me through make check: it passes the install directories"
	exit 0
fi
: "${inst_unitdir=}" "${inst_sysusersdir=}" "${inst_tmpfilesdir=}"

MAX_EXPOSURE=2.0
service=$top_builddir/contrib/mentord.service
socket=$top_srcdir/contrib/mentord.socket
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mentord-units.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT PIPE TERM
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag() { sed 's/^/# /'; }
# A make of this tree that inherits nothing from the make running the tests.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" "$@"; }

echo "1..14"

# The service is installed only with a unit directory, but always testable.
[ -f "$service" ] || submake contrib/mentord.service >/dev/null 2>&1

# 1. substitution
if [ ! -f "$service" ]; then
	not_ok "contrib/mentord.service was not built"
elif grep -q '@[a-zA-Z_]*@' "$service"; then
	not_ok "contrib/mentord.service has unsubstituted markers"
	grep -n '@[a-zA-Z_]*@' "$service" | diag
elif grep -qx "ExecStart=$inst_sbindir/mentord --config $inst_confdir/mentord.conf" "$service"; then
	ok "mentord.service starts $inst_sbindir/mentord with $inst_confdir/mentord.conf"
else
	not_ok "mentord.service ExecStart does not name $inst_sbindir and $inst_confdir"
	grep -n '^ExecStart=' "$service" | diag
fi

# 2-3. verify and security
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify" "systemd-analyze not installed (package systemd)"
	skip "systemd-analyze security" "systemd-analyze not installed (package systemd)"
else
	mkdir -p "$tmp/units" "$tmp/man/man5" "$tmp/man/man8"
	sed "s|^ExecStart=[^ ]*/mentord |ExecStart=$top_builddir/mentord |" "$service" \
		>"$tmp/units/mentord.service"
	cp "$socket" "$tmp/units/mentord.socket"
	cp "$top_builddir/doc/mentord.conf.5" "$tmp/man/man5/"
	cp "$top_builddir/doc/mentord.8" "$top_builddir/doc/mentorctl.8" "$tmp/man/man8/"
	if out=$(cd "$tmp/units" && MANPATH=$tmp/man systemd-analyze verify \
		./mentord.service ./mentord.socket 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify mentord.service mentord.socket"
	else
		not_ok "systemd-analyze verify mentord.service mentord.socket"
		printf '%s\n' "$out" | diag
	fi

	out=$(systemd-analyze security --offline=true "$service" 2>&1)
	line=$(printf '%s\n' "$out" | grep 'Overall exposure level')
	level=$(printf '%s\n' "$line" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -z "$level" ]; then
		not_ok "systemd-analyze security: no overall exposure level"
		printf '%s\n' "$out" | tail -n 20 | diag
	elif awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'; then
		ok "systemd-analyze security: exposure $level <= $MAX_EXPOSURE"
	else
		not_ok "systemd-analyze security: exposure $level > $MAX_EXPOSURE"
		printf '%s\n' "$out" | grep '[0-9]$' | diag
	fi
fi

# 4-5. sysusers.d and tmpfiles.d in a scratch root
sysusers=$top_srcdir/contrib/mentord.sysusers
tmpfiles=$top_srcdir/contrib/mentord.tmpfiles
root=$tmp/root
mkdir -p "$root/etc"
if ! command -v systemd-sysusers >/dev/null 2>&1; then
	skip "sysusers.d entry" "systemd-sysusers not installed (package systemd)"
	skip "tmpfiles.d entry" "systemd-sysusers not installed (package systemd)"
else
	if out=$(systemd-sysusers --root="$root" "$sysusers" 2>&1) &&
		grep -q '^mentord:x:[0-9]*:[0-9]*:[^:]*:/var/lib/mentord:' "$root/etc/passwd"; then
		ok "systemd-sysusers creates the mentord user with home /var/lib/mentord"
	else
		not_ok "systemd-sysusers $sysusers"
		printf '%s\n' "$out" | diag
	fi
	# Creating a directory owned by mentord takes root.
	if [ "$(id -u)" -ne 0 ]; then
		skip "tmpfiles.d entry" "systemd-tmpfiles needs root to chown"
	elif out=$(systemd-tmpfiles --root="$root" --create "$tmpfiles" 2>&1) &&
		uid=$(awk -F: '$1 == "mentord" { print $3 }' "$root/etc/passwd") &&
		gid=$(awk -F: '$1 == "mentord" { print $3 }' "$root/etc/group") &&
		[ "$(stat -c '%a %u %g' "$root/var/lib/mentord" 2>/dev/null)" = "700 $uid $gid" ]; then
		ok "systemd-tmpfiles creates /var/lib/mentord mode 0700 for mentord"
	else
		not_ok "systemd-tmpfiles $tmpfiles"
		printf '%s\n' "$out" | diag
	fi
fi

# 6-12. the installed tree
dest=$tmp/dest
if ! out=$(submake install DESTDIR="$dest" 2>&1); then
	not_ok "make install DESTDIR=..."
	printf '%s\n' "$out" | tail -n 20 | diag
	for what in mentord mentorctl config units entries man; do
		skip "installed $what" "make install failed"
	done
else
	ok "make install DESTDIR=..."
	check_files() { # description, file...
		what=$1 missing=
		shift
		for f; do [ -f "$dest$f" ] || missing="$missing $f"; done
		if [ -z "$missing" ]; then ok "installed $what"; else not_ok "installed $what: missing$missing"; fi
	}
	check_files "mentord" "$inst_sbindir/mentord"
	check_files "mentorctl" "$inst_bindir/mentorctl"
	check_files "config" "$inst_confdir/mentord.conf"
	if [ -n "$inst_unitdir" ]; then
		check_files "units" "$inst_unitdir/mentord.service" "$inst_unitdir/mentord.socket"
	else
		skip "installed units" "configured --without-systemdsystemunitdir"
	fi
	if [ -n "$inst_sysusersdir" ] && [ -n "$inst_tmpfilesdir" ]; then
		check_files "entries" "$inst_sysusersdir/mentord.conf" "$inst_tmpfilesdir/mentord.conf"
	else
		skip "installed entries" "configured without a sysusers.d or tmpfiles.d directory"
	fi
	check_files "man pages" "$inst_mandir/man8/mentord.8" "$inst_mandir/man8/mentorctl.8" \
		"$inst_mandir/man5/mentord.conf.5"
fi

# 13-14. the configuration is the administrator's once installed
conf=$dest$inst_confdir/mentord.conf
if [ ! -f "$conf" ]; then
	skip "a second install keeps a changed configuration" "nothing installed"
	skip "uninstall leaves only the changed configuration" "nothing installed"
else
	chmod u+w "$conf"
	echo 'log_level = "debug";' >>"$conf"
	cp "$conf" "$tmp/changed.conf"
	if submake install DESTDIR="$dest" >/dev/null 2>&1 && cmp -s "$conf" "$tmp/changed.conf"; then
		ok "a second install keeps a changed configuration"
	else
		not_ok "a second install overwrote the changed configuration"
	fi
	submake uninstall DESTDIR="$dest" >/dev/null 2>&1
	left=$(cd "$dest" && find . -type f | sed 's|^\.||')
	if [ "$left" = "$inst_confdir/mentord.conf" ]; then
		ok "uninstall leaves only the changed configuration"
	else
		not_ok "uninstall leaves only the changed configuration"
		printf 'left: %s\n' $left | diag
	fi
fi
