/*
 * writer.c - the intake's writer thread (writer.h).
 */
#include "writer.h"

#include <stdbool.h>
#include <stdlib.h>

#include "config.h"
#include "course-log.h"
#include "course.h"
#include "group-commit.h"
#include "mentor.h"
#include "mentord.h"
#include "outbox-worker.h"
#include "outbox.h"
#include "publish.h"
#include "store.h"
#include "xmalloc.h"

struct writer {
	struct mentord *loop;
	/* The writer's own: its connection and the scheduling core on it,
	 * as publish.h's hook finds them in a struct mentord. */
	struct mentord core;
	struct group_commit *commits;
	bool outbox_added; /* writer thread, read by the loop after a batch */
};

/* On the writer thread: the loop's worker is woken after the COMMIT. */
static void outbox_added_cb(void *arg)
{
	struct writer *w = arg;

	w->outbox_added = true;
}

/* On the loop, once a batch is back. */
static void batch_done_cb(void *arg)
{
	struct writer *w = arg;

	if (w->outbox_added && w->loop->worker != NULL)
		outbox_worker_kick(w->loop->worker);
	w->outbox_added = false;
}

struct writer *writer_new(struct mentord *m, char **cause)
{
	struct writer *w = xcalloc(1, sizeof *w);
	struct mentord *core = &w->core;

	w->loop = m;
	if (store_open(store_path(m->store), &core->store, cause) != 0 ||
	    store_tune(core->store, m->config->store_cache_mib, 0, cause) != 0 ||
	    (core->mentors = mentor_db_new(core->store, cause)) == NULL ||
	    (core->course_log = course_log_new(core->store, cause)) == NULL ||
	    (core->outbox = outbox_new(core->store, cause)) == NULL ||
	    (core->courses = course_db_new(core->store, core->mentors, core->course_log,
					   core->outbox, cause)) == NULL)
		goto fail;
	publish_attach(core);
	outbox_set_notify(core->outbox, outbox_added_cb, w);
	if ((w->commits = group_commit_new_threaded(m->base, core->store, m->store, cause)) == NULL)
		goto fail;
	group_commit_set_after(w->commits, batch_done_cb, w);
	return w;

fail:
	writer_free(w);
	return NULL;
}

void writer_drain(struct writer *w)
{
	if (w != NULL)
		group_commit_drain(w->commits);
}

int writer_tune(struct writer *w, int cache_mib, char **cause)
{
	/* Drained, the thread waits for its next batch and leaves the
	 * connection alone; the batch is handed under the thread's lock. */
	return w != NULL ? store_tune(w->core.store, cache_mib, 0, cause) : 0;
}

void writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	/* The thread ends here, after the last batch is answered. */
	group_commit_free(w->commits);
	course_db_free(w->core.courses);
	outbox_free(w->core.outbox);
	course_log_free(w->core.course_log);
	mentor_db_free(w->core.mentors);
	store_free(w->core.store);
	free(w);
}

struct group_commit *writer_commits(struct writer *w)
{
	return w->commits;
}

struct course_db *writer_courses(struct writer *w)
{
	return w->core.courses;
}
