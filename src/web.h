/*
 * web.h - the mentors' web page: a few static files served by mentord.
 *
 * Contract:
 *  - Only the files of a fixed list are served, each under one exact path
 *    ("/" is index.html; the page's JavaScript modules, style.css and
 *    favicon.svg under their own names, as the page refers to them). No
 *    part of a request names a file, so no request can reach anything else
 *    in or outside the web root.
 *  - web_load() reads the files into memory, at start-up and again on
 *    SIGHUP; a request never touches the disk. Only regular files of at most
 *    WEB_MAX_FILE_BYTES are taken. A file (or the whole root) that cannot be
 *    read is logged as a warning and answered 404 until a reload finds it:
 *    the API does not depend on the page.
 *  - Every reply carries the page's Content-Security-Policy (no inline
 *    script or style, nothing from another origin, no framing), Referrer-
 *    Policy: no-referrer, X-Frame-Options: DENY, Cache-Control: no-cache and
 *    an ETag; If-None-Match with that ETag is answered 304.
 */
#ifndef MENTORD_WEB_H
#define MENTORD_WEB_H

struct http_server;
struct web;

#define WEB_MAX_FILE_BYTES (1024 * 1024)

/* The policy the page is served with (index.html repeats it in a <meta>,
 * which cannot carry frame-ancestors). */
#define WEB_CSP \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

struct web *web_new(void);
void web_free(struct web *web);

/* (Re)read every file from root; returns how many were loaded. A file that
 * is missing or unusable is logged and left unserved. */
int web_load(struct web *web, const char *root);

/* Route GET (and HEAD) of each file's path to it. */
void web_register(struct web *web, struct http_server *http);

#endif
