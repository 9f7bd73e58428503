#!/bin/bash
# openapi.sh - doc/openapi.yaml describes exactly the routes mentord serves
# (doc/api.md). TAP, static: nothing is built or started.
#
# Documented: every (method, path) under "paths:" in doc/openapi.yaml, with
# its "x-roles". Served: every entry of a `struct api_route NAME[] = {...}`
# table and every http_server_route(), http_server_route_gated() or
# evhttp_set_cb() call with a literal path in src/*.c and daemon/*.c (the test clock counts although only
# --test-clock registers it). Path parameters compare by position, not
# name ("/v1/offers/{id}" = "/v1/offers/{offer}").
#
# One line per pair: documented and served is ok; served but undocumented
# and documented but not served are not ok. For a served routes[] entry
# whose roles resolve to AUTH_* names (through API_ROLE, API_ANY_ROLE and
# object-like #defines of the file or of src/*.h), one more line compares
# them with the operation's x-roles. Routes registered directly have their
# authentication in the handler, so their roles are not compared.
#
# The extraction is awk over the C tokens: comments and preprocessor lines
# are dropped first, string literals are single tokens (so the braces of
# "{id}" do not count), and an entry may span lines, use designated
# initializers (.method = ..., .pattern = ..., .roles = ...) or
# concatenated string literals.
set -u
shopt -s nullglob
LC_ALL=C
export LC_ALL

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

spec_rel=doc/openapi.yaml
spec=$top_srcdir/$spec_rel
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mentord-openapi.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 1
}
trap 'rm -rf "$tmp"' EXIT

# --- documented: (method, path, x-roles) from the YAML ----------------------
# A line-oriented reader for the block style this file uses: a path is a
# key one level below "paths:", an operation a get/put/post/... key one
# level below its path, x-roles a key one level below the operation, as a
# flow list ([a, b]) or a block list (- a). Output: METHOD TAB PATH TAB
# ROLES (sorted, comma-joined; "!" when absent) TAB LINE.
doc_routes() {
	awk '
	function indent(line) { match(line, /^ */); return RLENGTH }
	function key(line,   k, q, j) {
		sub(/^ */, "", line)
		q = substr(line, 1, 1)
		if (q == "\"" || q == "'\''") {
			j = index(substr(line, 2), q)
			return j ? substr(line, 2, j - 1) : ""
		}
		if (!match(line, /^[^ :]+:( |$)/)) return ""
		k = substr(line, 1, RLENGTH)
		sub(/: ?$/, "", k)
		return k
	}
	function unquote(v) {
		gsub(/^[ \t]+|[ \t]+$/, "", v)
		if (v ~ /^".*"$/ || v ~ /^'\''.*'\''$/) v = substr(v, 2, length(v) - 2)
		return v
	}
	function add_role(r) { r = unquote(r); if (r != "") nroles++; roles[nroles] = r }
	function emit(   i, j, t, out) {
		if (method == "") return
		if (!have_roles) out = "!"
		else {
			for (i = 2; i <= nroles; i++)
				for (j = i; j > 1 && roles[j - 1] > roles[j]; j--) {
					t = roles[j]; roles[j] = roles[j - 1]; roles[j - 1] = t
				}
			out = ""
			for (i = 1; i <= nroles; i++) out = out (i > 1 ? "," : "") roles[i]
		}
		printf "%s\t%s\t%s\t%d\n", toupper(method), path, out, mline
		method = ""
	}
	/^[ \t]*(#.*)?$/ { next }
	/^paths:[ \t]*$/ { inpaths = 1; pind = -1; next }
	!inpaths { next }
	/^[^ ]/ { emit(); inpaths = 0; next }
	{
		ind = indent($0)
		if (collecting) {
			if (ind >= oind && $0 ~ /^ *- /) {
				v = $0; sub(/^ *- /, "", v); sub(/[ \t]+#.*$/, "", v); add_role(v)
				next
			}
			collecting = 0
		}
		if (pind < 0) pind = ind
		if (ind <= pind) {
			emit()
			path = key($0); mind = -1
			next
		}
		if (mind < 0) mind = ind
		if (ind <= mind) {
			emit()
			k = tolower(key($0))
			if (k ~ /^(get|put|post|delete|patch|head|options|trace)$/) {
				method = k; mline = NR; oind = -1; have_roles = 0; nroles = 0
			}
			next
		}
		if (method == "") next
		if (oind < 0) oind = ind
		if (ind == oind && key($0) == "x-roles" && !have_roles) {
			have_roles = 1
			v = $0; sub(/^ *x-roles:[ \t]*/, "", v); sub(/[ \t]+#.*$/, "", v)
			if (v ~ /^\[.*\]$/) {
				v = substr(v, 2, length(v) - 2)
				n = split(v, parts, ",")
				for (i = 1; i <= n; i++) add_role(parts[i])
			} else if (v == "") {
				collecting = 1
			} else {
				add_role(v)
			}
		}
	}
	END { emit() }' "$1"
}

# --- served: (method, path, roles) from the C sources -----------------------
# Output: METHOD TAB PATH TAB ROLES TAB FILE:LINE where ROLES is sorted and
# comma-joined, "" for none, "?" for a direct registration (its handler
# authenticates, if at all) and "??" for a table entry whose roles do not
# resolve to AUTH_* names.
src_routes() {
	awk -v root="$top_srcdir/" '
	function tok(t, l) { nt++; tk[nt] = t; tl[nt] = l }
	function newlines(x,   y) { y = x; return gsub(/\n/, "", y) }
	function strip_comments(x,   out, a, b) {
		out = ""
		for (;;) {
			a = index(x, "/*")
			b = index(x, "//")
			if (a == 0 && b == 0) return out x
			if (a == 0 || (b != 0 && b < a)) return out substr(x, 1, b - 1)
			out = out substr(x, 1, a - 1) " "
			x = substr(x, a + 2)
			a = index(x, "*/")
			if (a == 0) return out
			x = substr(x, a + 2)
		}
	}
	function preprocessor(text, file,   name, body) {
		text = strip_comments(text)
		if (!match(text, /^#[ \t]*define[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) return
		name = substr(text, RSTART, RLENGTH)
		body = substr(text, RSTART + RLENGTH)
		sub(/^#[ \t]*define[ \t]+/, "", name)
		if (substr(body, 1, 1) == "(") return  # function-like (API_ROLE)
		macro[(file ~ /\.h$/ ? "*" : file) SUBSEP name] = body
	}
	# Tokenise one file: identifiers and numbers, string and character
	# literals (quotes kept), single punctuation characters.
	function scan(file, s,   n, i, j, c, d, line, bol, text, k, seg) {
		n = length(s); i = 1; line = 1; bol = 1; nt = 0
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == "\n") { line++; bol = 1; i++; continue }
			if (c == " " || c == "\t" || c == "\r" || c == "\f") { i++; continue }
			if (c == "/" && substr(s, i + 1, 1) == "*") {
				j = index(substr(s, i + 2), "*/")
				if (j == 0) break
				line += newlines(substr(s, i, j + 3))
				i += j + 3
				continue
			}
			if (c == "/" && substr(s, i + 1, 1) == "/") {
				j = index(substr(s, i), "\n")
				if (j == 0) break
				i += j - 1
				continue
			}
			if (c == "#" && bol) {
				text = ""
				for (;;) {
					k = index(substr(s, i), "\n")
					seg = k ? substr(s, i, k - 1) : substr(s, i)
					i = k ? i + k : n + 1
					if (k) line++
					if (k && substr(seg, length(seg), 1) == "\\") {
						text = text substr(seg, 1, length(seg) - 1) " "
						continue
					}
					text = text seg
					break
				}
				preprocessor(text, file)
				continue
			}
			bol = 0
			if (c == "\"" || c == "'\''") {
				for (j = i + 1; j <= n; j++) {
					d = substr(s, j, 1)
					if (d == "\\") { j++; continue }
					if (d == c || d == "\n") break
				}
				tok(substr(s, i, j - i + 1), line)
				i = j + 1
				continue
			}
			if (c ~ /[A-Za-z0-9_]/) {
				for (j = i; j <= n && substr(s, j, 1) ~ /[A-Za-z0-9_]/; j++)
					;
				tok(substr(s, i, j - i), line)
				i = j
				continue
			}
			tok(c, line)
			i++
		}
	}
	function is_string(t) { return substr(t, 1, 1) == "\"" }
	# The string literal at token a and any adjacent ones, concatenated.
	function literal(a, b,   out) {
		out = ""
		while (a <= b && is_string(tk[a])) {
			out = out substr(tk[a], 2, length(tk[a]) - 2)
			a++
		}
		return out
	}
	function first_method(a, b,   k) {
		for (k = a; k <= b; k++)
			if (tk[k] ~ /^EVHTTP_REQ_[A-Z]+$/) return substr(tk[k], 12)
		return ""
	}
	function first_path(a, b,   k) {
		for (k = a; k <= b; k++)
			if (is_string(tk[k])) return literal(k, b)
		return ""
	}
	function record(method, path, roles, file, line) {
		if (method == "") method = "UNPARSED"
		if (path == "") path = "UNPARSED"
		nr++
		r_method[nr] = method; r_path[nr] = path; r_roles[nr] = roles
		r_file[nr] = file; r_line[nr] = line
	}
	# One table entry, tokens a..b inside its braces: fields split at
	# commas outside parentheses; designated or positional.
	function entry(file, a, b,   k, depth, f, start, fa, fb, name, method, path, roles, nf) {
		nf = 0; depth = 0; start = a
		for (k = a; k <= b + 1; k++) {
			if (k <= b && (tk[k] == "(" || tk[k] == "{" || tk[k] == "[")) depth++
			else if (k <= b && (tk[k] == ")" || tk[k] == "}" || tk[k] == "]")) depth--
			else if (k > b || (tk[k] == "," && depth == 0)) {
				nf++; fa = start; fb = k - 1; start = k + 1
				name = nf == 1 ? "method" : nf == 2 ? "pattern" : nf == 3 ? "roles" : "other"
				if (fa + 2 <= fb && tk[fa] == "." && tk[fa + 2] == "=") {
					name = tk[fa + 1]; fa += 3
				}
				if (name == "method") method = first_method(fa, fb)
				else if (name == "pattern") path = first_path(fa, fb)
				else if (name == "roles") {
					roles = ""
					for (f = fa; f <= fb; f++) roles = roles " " tk[f]
				}
			}
		}
		if (method == "") method = first_method(a, b)
		if (path == "") path = first_path(a, b)
		record(method, path, roles == "" ? "=?" : "=" roles, file, tl[a])
	}
	# A table from the "{" at token k: every brace group one level in.
	function table(file, k,   depth, start) {
		depth = 0
		for (; k <= nt; k++) {
			if (tk[k] == "{") {
				depth++
				if (depth == 2) start = k + 1
			} else if (tk[k] == "}") {
				if (depth == 2) entry(file, start, k - 1)
				depth--
				if (depth == 0) return k
			}
		}
		return k
	}
	# A call at token k (the function name): its arguments to the
	# matching parenthesis.
	function call(file, k, default_method,   depth, a, b, method, path) {
		if (tk[k + 1] != "(") return
		depth = 0
		for (b = k + 1; b <= nt; b++) {
			if (tk[b] == "(") depth++
			else if (tk[b] == ")" && --depth == 0) break
		}
		a = k + 2; b--
		path = first_path(a, b)
		method = first_method(a, b)
		if (method == "") method = default_method
		if (path != "" && method != "") record(method, path, "?", file, tl[k])
	}
	function routes(file,   k, j) {
		for (k = 1; k <= nt; k++) {
			if (tk[k] == "api_route" && tk[k - 1] == "struct" && tk[k + 1] ~ /^[A-Za-z_]/ &&
			    tk[k + 2] == "[") {
				for (j = k + 3; j <= nt && tk[j] != "]"; j++)
					;
				if (tk[j + 1] == "=" && tk[j + 2] == "{") k = table(file, j + 2)
			} else if (tk[k] == "http_server_route" || tk[k] == "http_server_route_gated") {
				call(file, k, "")
			} else if (tk[k] == "evhttp_set_cb") {
				call(file, k, "GET")
			}
		}
	}
	function finish(   rel) {
		if (cur == "") return
		rel = cur
		if (index(rel, root) == 1) rel = substr(rel, length(root) + 1)
		scan(rel, buf)
		if (rel ~ /\.c$/) routes(rel)
		buf = ""
	}
	# Roles: AUTH_X names reached through macros; "?" if anything else.
	function expand(file, text, depth,   n, parts, i, t, key) {
		if (depth > 16) { unresolved = 1; return }
		gsub(/[()|]/, " ", text)
		n = split(text, parts, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			t = parts[i]
			if (t == "" || t == "API_ROLE" || t ~ /^[0-9]+[uUlL]*$/) continue
			if (t ~ /^AUTH_[A-Z]+$/) {
				if (t != "AUTH_NONE") role[tolower(substr(t, 6))] = 1
				continue
			}
			if ((file SUBSEP t) in macro) expand(file, macro[file SUBSEP t], depth + 1)
			else if (("*" SUBSEP t) in macro) expand(file, macro["*" SUBSEP t], depth + 1)
			else unresolved = 1
		}
	}
	function resolve(file, raw,   r, out, n, list, i, j, t) {
		if (raw == "?") return "?"
		if (raw == "=?") return "??"
		unresolved = 0
		for (r in role) delete role[r]
		expand(file, substr(raw, 2), 0)
		if (unresolved) return "??"
		n = 0
		for (r in role) list[++n] = r
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && list[j - 1] > list[j]; j--) {
				t = list[j]; list[j] = list[j - 1]; list[j - 1] = t
			}
		out = ""
		for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") list[i]
		return out
	}
	FNR == 1 { finish(); cur = FILENAME }
	{ buf = buf $0 "\n" }
	END {
		finish()
		for (i = 1; i <= nr; i++)
			printf "%s\t%s\t%s\t%s:%d\n", r_method[i], r_path[i],
			    resolve(r_file[i], r_roles[i]), r_file[i], r_line[i]
	}' "$@"
}

# --- YAML well-formedness, with whatever parser is installed ----------------
yaml_parser=
yaml_error=
if [ -f "$spec" ]; then
	if command -v ruby >/dev/null 2>&1 && ruby -ryaml -e 1 2>/dev/null; then
		yaml_parser="ruby -ryaml"
		yaml_error=$(ruby -ryaml -e 'YAML.load_file(ARGV[0])' "$spec" 2>&1)
	elif perl -MYAML::XS -e 1 2>/dev/null; then
		yaml_parser="perl YAML::XS"
		yaml_error=$(perl -MYAML::XS -e 'YAML::XS::LoadFile($ARGV[0])' "$spec" 2>&1)
	elif perl -MYAML::PP -e 1 2>/dev/null; then
		yaml_parser="perl YAML::PP"
		yaml_error=$(perl -MYAML::PP -e 'YAML::PP::LoadFile($ARGV[0])' "$spec" 2>&1)
	elif command -v yq >/dev/null 2>&1; then
		yaml_parser=yq
		yaml_error=$(yq . "$spec" 2>&1 >/dev/null)
	elif command -v node >/dev/null 2>&1 && node -e 'require("js-yaml")' 2>/dev/null; then
		yaml_parser="node js-yaml"
		yaml_error=$(node -e 'require("js-yaml").load(require("fs").readFileSync(process.argv[1], "utf8"))' \
			"$spec" 2>&1 >/dev/null)
	fi
	yaml_status=$?
fi

if [ -f "$spec" ]; then
	doc_routes "$spec" >"$tmp/doc.tsv"
else
	: >"$tmp/doc.tsv"
fi
(
	cd "$top_srcdir" &&
		# Headers first only for tidiness: macros are resolved at the end.
		set -- src/*.h src/*.c daemon/*.c &&
		src_routes "$@"
) >"$tmp/src.tsv"

# --- report ------------------------------------------------------------------
n=0
out=$tmp/tap
: >"$out"
ok() {
	n=$((n + 1))
	echo "ok $n - $1" >>"$out"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1" >>"$out"
	shift
	# Every line of a diagnostic, even a multi-line one, starts with "#".
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /' >>"$out"
	done
}
skip() {
	n=$((n + 1))
	echo "ok $n - $2 # SKIP $1" >>"$out"
}

if [ ! -f "$spec" ]; then
	not_ok "$spec_rel exists" "no file $spec"
elif [ -z "$yaml_parser" ]; then
	skip "no YAML parser installed (ruby, perl YAML::XS/YAML::PP, yq or node js-yaml)" \
		"$spec_rel parses as YAML"
elif [ "$yaml_status" = 0 ]; then
	ok "$spec_rel parses as YAML ($yaml_parser)"
else
	not_ok "$spec_rel parses as YAML ($yaml_parser)" "$yaml_error"
fi

version=$(sed -n 's/^openapi:[ \t]*["'\'']\{0,1\}\([0-9.]*\).*/\1/p' "$spec" 2>/dev/null | head -n 1)
case $version in
3.1.*) ok "$spec_rel declares OpenAPI $version" ;;
*) not_ok "$spec_rel declares OpenAPI 3.1.x" "openapi: '${version:-absent}'" ;;
esac

ndoc=$(wc -l <"$tmp/doc.tsv")
nsrc=$(wc -l <"$tmp/src.tsv")
if [ "$ndoc" -gt 0 ]; then
	ok "$spec_rel documents $ndoc operations"
else
	not_ok "$spec_rel documents at least one operation" "no method under any path below paths:"
fi
if [ "$nsrc" -gt 0 ]; then
	ok "src/ and daemon/ register $nsrc routes"
else
	not_ok "src/ and daemon/ register at least one route" \
		"no routes[] entry, http_server_route() or evhttp_set_cb() call with a literal path was found"
fi

dups=$(awk -F '\t' '{ p = $2; gsub(/\{[^}]*\}/, "{}", p); k = $1 " " p
	if (k in seen) printf "%s %s (lines %s and %s)\n", $1, $2, seen[k], $4; else seen[k] = $4 }' \
	"$tmp/doc.tsv")
if [ -z "$dups" ]; then
	ok "no operation is documented twice"
else
	not_ok "no operation is documented twice" "$dups"
fi

twice=$(awk -F '\t' '{ p = $2; gsub(/\{[^}]*\}/, "{}", p); k = $1 " " p
	if (k in seen) printf "%s %s (%s and %s)\n", $1, $2, seen[k], $4; else seen[k] = $4 }' \
	"$tmp/src.tsv")
if [ -z "$twice" ]; then
	ok "no route is registered twice"
else
	not_ok "no route is registered twice" "$twice"
fi

# The pairs: documented ones in the document's order, then the served-only
# ones in the sources' order. Each line: KIND TAB METHOD TAB PATH TAB
# DOC-ROLES TAB DOC-LINE TAB SRC-ROLES TAB ORIGIN, with \037 for TAB so
# that read keeps empty fields.
awk -F '\t' -v OFS='\037' -v srcfile="$tmp/src.tsv" '
	function norm(p) { gsub(/\{[^}]*\}/, "{}", p); return p }
	FILENAME == srcfile {
		k = $1 " " norm($2)
		if (!(k in src)) {
			src[k] = $3; origin[k] = $4; order[++n] = k; raw[k] = $1 OFS $2
		} else
			origin[k] = origin[k] ", " $4
		next
	}
	{
		k = $1 " " norm($2)
		if (k in done) next
		done[k] = 1
		if (k in src) print "both", $1, $2, $3, $4, src[k], origin[k]
		else print "doc", $1, $2, $3, $4, "", ""
	}
	END {
		for (i = 1; i <= n; i++)
			if (!(order[i] in done)) print "src", raw[order[i]], "", "", src[order[i]], origin[order[i]]
	}' "$tmp/src.tsv" "$tmp/doc.tsv" >"$tmp/pairs.tsv"

roles_list() {
	case $1 in
	'!') echo "(no x-roles)" ;;
	'') echo "[] (no token needed)" ;;
	*) echo "[${1//,/, }]" ;;
	esac
}

role_checks=$tmp/roles
: >"$role_checks"
while IFS=$'\037' read -r kind method path doc_roles doc_line src_roles origin; do
	case $kind in
	both)
		ok "$method $path: documented ($spec_rel:$doc_line) and served ($origin)"
		# Only table entries carry their roles; direct registrations ("?")
		# have nothing to compare.
		if [ "$src_roles" != "?" ]; then
			printf '%s\037%s\037%s\037%s\037%s\037%s\n' "$method" "$path" "$doc_roles" "$doc_line" \
				"$src_roles" "$origin" >>"$role_checks"
		fi
		;;
	doc)
		not_ok "$method $path: documented ($spec_rel:$doc_line) but not served" \
			"no routes[] entry or http_server_route() call in src/ or daemon/ registers it"
		;;
	src)
		not_ok "$method $path: served ($origin) but not documented in $spec_rel" \
			"add it under paths: with its x-roles, request and responses"
		;;
	esac
done <"$tmp/pairs.tsv"

while IFS=$'\037' read -r method path doc_roles doc_line src_roles origin; do
	desc="$method $path: x-roles match the roles of its routes[] entry"
	if [ "$src_roles" = "??" ]; then
		skip "$origin: the roles expression does not resolve to AUTH_* names" "$desc"
	elif [ "$doc_roles" = "$src_roles" ]; then
		ok "$desc $(roles_list "$src_roles")"
	else
		not_ok "$desc" "$spec_rel:$doc_line says $(roles_list "$doc_roles")" \
			"$origin allows $(roles_list "$src_roles")"
	fi
done <"$role_checks"

echo "1..$n"
cat "$out"
# The verdict is in the TAP lines; tap-driver.sh would count a non-zero
# exit as one more error on top of the failed lines.
exit 0
