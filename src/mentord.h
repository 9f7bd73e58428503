/*
 * mentord.h - the daemon context every request handler and job receives.
 *
 * Contract: one struct mentord exists per process, made by daemon/ at
 * start-up and passed explicitly; there is no other global mutable state.
 * The config pointer may be replaced by a SIGHUP reload between two loop
 * iterations, so handlers read it through the context each time and never
 * keep it.
 */
#ifndef MENTORD_MENTORD_H
#define MENTORD_MENTORD_H

#include <event2/event.h>
#include <time.h>

struct clock;
struct config;
struct course_db;
struct course_log;
struct group_commit;
struct mentor_db;
struct message_templates;
struct outbox;
struct outbox_worker;
struct queue;
struct http_server;
struct jobs;
struct store;
struct writer;

struct mentord {
	struct event_base *base;
	struct config *config;
	struct store *store;
	struct group_commit *commits; /* every state change goes through it */
	struct clock *clock;
	struct http_server *http;
	/* the scheduling core, all on the store's connection */
	struct mentor_db *mentors;
	struct course_log *course_log;
	struct outbox *outbox;
	struct course_db *courses;
	struct queue *queue;
	/* the messaging gateway: templates are loaded and swapped with the
	 * config; the worker sends the outbox */
	struct message_templates *templates;
	struct outbox_worker *worker;
	struct jobs *jobs; /* the daily jobs, run a chunk at a time */
	/* the intake's writer thread (writer.h); NULL: intake on the loop */
	struct writer *writer;
	time_t started;
};

#endif
