/*
 * web.c - the mentors' page, served from memory (web.h).
 *
 * The page is a few small files. Reading them at start-up and on SIGHUP
 * keeps disk reads out of the request path (nothing blocks in a callback),
 * and serving only a fixed list under exact paths means no request path is
 * ever turned into a file name: there is nothing to traverse.
 */
#include "web.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http.h"
#include "log.h"
#include "file.h"
#include "xmalloc.h"

/* The page's files: the path a browser asks for, the file in the web root
 * and its type. index.html refers to the others by these names: app.js is
 * the module it loads, which imports the rest. A new module needs its line
 * here; tests/integration/web.sh checks that every import is served. */
#define WEB_JS "text/javascript; charset=utf-8"

static const struct {
	const char *path;
	const char *name;
	const char *type;
} web_files[] = {
	{"/", "index.html", "text/html; charset=utf-8"},
	{"/app.js", "app.js", WEB_JS},
	{"/access.js", "access.js", WEB_JS},
	{"/api.js", "api.js", WEB_JS},
	{"/desk.js", "desk.js", WEB_JS},
	{"/dom.js", "dom.js", WEB_JS},
	{"/format.js", "format.js", WEB_JS},
	{"/forms.js", "forms.js", WEB_JS},
	{"/i18n.js", "i18n.js", WEB_JS},
	{"/inbound.js", "inbound.js", WEB_JS},
	{"/offers.js", "offers.js", WEB_JS},
	{"/outcome.js", "outcome.js", WEB_JS},
	{"/queue.js", "queue.js", WEB_JS},
	{"/reassign.js", "reassign.js", WEB_JS},
	{"/referrals.js", "referrals.js", WEB_JS},
	{"/selfreferral.js", "selfreferral.js", WEB_JS},
	{"/shell.js", "shell.js", WEB_JS},
	{"/signin.js", "signin.js", WEB_JS},
	{"/state.js", "state.js", WEB_JS},
	{"/timeline.js", "timeline.js", WEB_JS},
	{"/yearly.js", "yearly.js", WEB_JS},
	{"/style.css", "style.css", "text/css; charset=utf-8"},
	{"/favicon.svg", "favicon.svg", "image/svg+xml"},
};

#define WEB_FILE_COUNT (sizeof web_files / sizeof web_files[0])

struct web_file {
	const char *name;
	const char *type;
	char *data; /* NULL: not loaded, answered 404 */
	size_t size;
	char etag[20]; /* "\"" 16 hex digits "\"" */
};

struct web {
	struct web_file files[WEB_FILE_COUNT];
};

struct web *web_new(void)
{
	struct web *web = xcalloc(1, sizeof *web);

	for (size_t i = 0; i < WEB_FILE_COUNT; i++) {
		web->files[i].name = web_files[i].name;
		web->files[i].type = web_files[i].type;
	}
	return web;
}

static void web_file_clear(struct web_file *f)
{
	free(f->data);
	f->data = NULL;
	f->size = 0;
	f->etag[0] = '\0';
}

void web_free(struct web *web)
{
	if (web == NULL)
		return;
	for (size_t i = 0; i < WEB_FILE_COUNT; i++)
		web_file_clear(&web->files[i]);
	free(web);
}

/* A file of the web root: file_read() opens it O_NONBLOCK, so a FIFO put
 * there never stalls the load; it is refused as not a regular file. */
static int read_file(const char *root, const char *name, char **data, size_t *size, char **cause)
{
	char *path;
	int rc;

	xasprintf(&path, "%s/%s", root, name);
	rc = file_read(path, WEB_MAX_FILE_BYTES, 0, data, size, cause);
	free(path);
	return rc;
}

/* A strong validator of the content (FNV-1a, 64 bits). */
static void make_etag(struct web_file *f)
{
	uint64_t hash = 14695981039346656037ULL;

	for (size_t i = 0; i < f->size; i++) {
		hash ^= (unsigned char)f->data[i];
		hash *= 1099511628211ULL;
	}
	snprintf(f->etag, sizeof f->etag, "\"%016llx\"", (unsigned long long)hash);
}

int web_load(struct web *web, const char *root)
{
	struct stat st;
	int loaded = 0;

	for (size_t i = 0; i < WEB_FILE_COUNT; i++)
		web_file_clear(&web->files[i]);
	if (root == NULL || root[0] == '\0') {
		log_notice("web.root is empty: the mentors' page is not served");
		return 0;
	}
	/* One warning for a missing root rather than one per file. */
	if (stat(root, &st) != 0) {
		log_warning("web root %s: %s; the mentors' page is not served (the API is)", root,
			    strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warning("web root %s: not a directory; the mentors' page is not served"
			    " (the API is)",
			    root);
		return 0;
	}
	for (size_t i = 0; i < WEB_FILE_COUNT; i++) {
		struct web_file *f = &web->files[i];
		char *cause = NULL;

		if (read_file(root, f->name, &f->data, &f->size, &cause) != 0) {
			log_warning("web: %s; it is answered 404", cause);
			free(cause);
			continue;
		}
		make_etag(f);
		loaded++;
	}
	log_info("web: serving the mentors' page from %s (%d of %zu files)", root, loaded,
		 WEB_FILE_COUNT);
	return loaded;
}

/* If-None-Match: "*" or a list of entity tags, possibly weak (W/"..."). */
static int etag_matches(const char *header, const char *etag)
{
	size_t len = strlen(etag);
	const char *p = header;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strcmp(p, "*") == 0)
		return 1;
	while ((p = strstr(p, etag)) != NULL) {
		char after = p[len];
		if (after == '\0' || after == ',' || after == ' ' || after == '\t')
			return 1;
		p += len;
	}
	return 0;
}

static void file_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct web_file *f = arg;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *match =
		evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
	struct evbuffer *body;

	(void)params;
	if (f->data == NULL) {
		http_reply_problem(req, 404, "Not Found",
				   "The mentors' page is not installed on this server.", NULL);
		return;
	}
	evhttp_add_header(out, "Content-Security-Policy", WEB_CSP);
	evhttp_add_header(out, "Referrer-Policy", "no-referrer");
	evhttp_add_header(out, "X-Frame-Options", "DENY");
	evhttp_add_header(out, "Cross-Origin-Opener-Policy", "same-origin");
	/* Always revalidated, so a new version is picked up at once; the ETag
	 * keeps that cheap. */
	evhttp_add_header(out, "Cache-Control", "no-cache");
	evhttp_add_header(out, "ETag", f->etag);
	if (match != NULL && etag_matches(match, f->etag)) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	evhttp_remove_header(out, "Content-Type");
	evhttp_add_header(out, "Content-Type", f->type);
	/* evhttp writes a HEAD reply's body like any other: send none, but
	 * the length a GET would get. */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char length[24];
		snprintf(length, sizeof length, "%zu", f->size);
		evhttp_add_header(out, "Content-Length", length);
		evhttp_send_reply(req, 200, "OK", NULL);
		return;
	}
	/* Copied, not referenced: a reload may free f->data before the reply
	 * has been written out. */
	body = evbuffer_new();
	evbuffer_add(body, f->data, f->size);
	evhttp_send_reply(req, 200, "OK", body);
	evbuffer_free(body);
}

void web_register(struct web *web, struct http_server *http)
{
	for (size_t i = 0; i < WEB_FILE_COUNT; i++)
		http_server_route(http, EVHTTP_REQ_GET, web_files[i].path, file_cb, &web->files[i],
				  NULL);
}
