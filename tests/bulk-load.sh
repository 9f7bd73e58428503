#!/bin/sh
# bulk-load.sh - fill a mentord database fast, for the tests and benchmarks
# that need courses by the ten or hundred thousand.
#
#   tests/bulk-load.sh DATABASE expired COUNT WINDOW_END MENTOR
#   tests/bulk-load.sh DATABASE closed COUNT CLOSED_AT MENTOR
#   tests/bulk-load.sh DATABASE queue COUNT DUE MENTOR
#   tests/bulk-load.sh DATABASE published COUNT DUE MENTOR
#
# Through the API, 10^5 discharges take minutes; here they take seconds.
# The rows are not invented: each kind inserts, column for column, what
# mentord's own code paths write (src/course.c, course-ops.c, call.c,
# course-log.c, outbox.c), as a course created by POST /v1/discharges and
# then taken through the API leaves them:
#
#   expired  COUNT active courses of MENTOR whose six-month window ended on
#            WINDOW_END (YYYY-MM-DD): the discharge, the mentor assignment,
#            a reached first call with a note and topics, and the agreed
#            follow-up call still pending. What the window-close job closes.
#   closed   COUNT courses closed by the window at CLOSED_AT (Unix
#            seconds): the same history, the follow-up call cancelled, the
#            "closed" log entry and the closing message, sent. What the
#            retention purge anonymises once retention.days have passed.
#   queue    COUNT active courses of MENTOR, each with its first call
#            pending, due on DUE (YYYY-MM-DD): a mentor's queue.
#   published  the same queue as published on DUE (src/publish.c): each
#            call also has its call task waiting in the outbox, pending, as
#            the sender finds them after a restart.
#
# The database must exist at the current schema (start mentord or run any
# mentorctl command on it first) and MENTOR must be a mentor's id. Names,
# CPR and phone numbers are synthetic. Everything is one transaction.
set -eu

if [ $# -ne 5 ]; then
	echo "usage: $0 DATABASE expired|closed|queue|published COUNT DATE|INSTANT MENTOR" >&2
	exit 2
fi
db=$1 kind=$2 count=$3 at=$4 mentor=$5
case $count$mentor in *[!0-9]*) echo "$0: COUNT and MENTOR are numbers" >&2; exit 2 ;; esac

# The discharge is six months before the window's end (schedule.window_months),
# the first call the next day; "created" is the discharge, 10:00 local.
case $kind in
expired | queue | published)
	case $at in
	[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
	*) echo "$0: $kind wants a date YYYY-MM-DD" >&2; exit 2 ;;
	esac
	;;
closed)
	case $at in *[!0-9]*) echo "$0: closed wants Unix seconds" >&2; exit 2 ;; esac
	;;
*) echo "$0: unknown kind $kind" >&2; exit 2 ;;
esac

case $kind in
expired)
	window_end="'$at'"
	state="'active'" reason=NULL changed=created
	;;
closed)
	window_end="date($at, 'unixepoch', '-1 day')"
	state="'closed'" reason="'window_end'" changed=$at
	;;
queue | published)
	window_end="date('$at', '-1 day', '+6 months')"
	state="'active'" reason=NULL changed=created
	;;
esac

# One transaction. The course ids are the next ones in order (an INSERT
# ... SELECT into an INTEGER PRIMARY KEY takes max(id) + 1 row by row), so
# bulk.course is known without looking each course up.
{
	cat <<EOF
PRAGMA foreign_keys = ON;
-- Test data: speed over durability, and room for the indexes in memory;
-- mentord switches the file back to WAL when it opens it.
PRAGMA synchronous = OFF;
PRAGMA journal_mode = DELETE;
PRAGMA cache_size = -262144;
BEGIN IMMEDIATE;
CREATE TEMP TABLE bulk (n INTEGER PRIMARY KEY, course INTEGER, created INTEGER,
	discharge TEXT, window_end TEXT, changed INTEGER);
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $count)
INSERT INTO bulk (n, course, window_end)
SELECT n, (SELECT coalesce(max(id), 0) FROM courses) + n, $window_end FROM seq;
-- The discharge six months (schedule.window_months) before the window's
-- end, received at 09:00 UTC that day.
UPDATE bulk SET discharge = date(window_end, '-6 months');
UPDATE bulk SET created = CAST(strftime('%s', discharge) AS INTEGER) + 32400;
UPDATE bulk SET changed = $changed;

-- course_create: the course, with its fingerprint and its mentor.
INSERT INTO courses (id, notification_id, state, state_reason, state_changed_at, created_at,
	citizen_name, cpr, phone, preferred_from, preferred_to, unit, discharge_date,
	window_end, consent_given_at, intake_fingerprint, mentor_id)
SELECT course, 'bulk-' || lower(hex(randomblob(8))), $state, $reason, changed, created,
	'Borger ' || n, printf('0101%06d', n % 1000000), printf('+4520%06d', n % 1000000),
	'09:00', '11:00', 'Afsnit ' || (n % 7), discharge, window_end, discharge,
	lower(hex(randomblob(32))), $mentor
FROM bulk ORDER BY n;
-- course_create: the log entries it writes.
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT course, created, 'psychiatry:1', 'discharge', json_object('discharge_date', discharge,
	'notification_id', 'n-' || course, 'window_end', window_end) FROM bulk;
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT course, created, 'psychiatry:1', 'mentor_assigned', json_object('mentor_id', $mentor)
FROM bulk;
EOF
	if [ "$kind" = queue ] || [ "$kind" = published ]; then
		cat <<EOF
-- course_create: the first call, pending.
INSERT INTO calls (course_id, reason, first_contact, attempt, due_date, state, created_at)
SELECT course, 'first_contact', 1, 1, '$at', 'pending', created FROM bulk;
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT b.course, b.created, 'psychiatry:1', 'call_scheduled', json_object('attempt', 1,
	'call_id', k.id, 'due_date', k.due_date, 'first_contact', json('true'),
	'reason', 'first_contact')
FROM bulk b JOIN calls k ON k.course_id = b.course;
EOF
	else
		cat <<EOF
-- The first call, reached, with a note and topics; the follow-up agreed in
-- it (pending; cancelled when the window closed).
INSERT INTO calls (course_id, reason, first_contact, attempt, due_date, state, result,
	call_date, duration_minutes, topics, note, offers, send_followup, recorded_at,
	recorded_by, created_at)
SELECT course, 'first_contact', 1, 1, date(discharge, '+1 day'), 'done', 'reached',
	date(discharge, '+1 day'), 20, '["wellbeing","network"]',
	'Sleeps badly since the discharge; her sister helps with shopping.', '[]', 0,
	created + 86400, 'mentor:1', created FROM bulk;
INSERT INTO calls (course_id, reason, first_contact, attempt, due_date, agreed_topic, state,
	cancel_reason, created_at)
SELECT course, 'follow_up', 0, 1, date(discharge, '+140 days'),
	'the letter from the job centre',
	CASE '$kind' WHEN 'closed' THEN 'cancelled' ELSE 'pending' END,
	CASE '$kind' WHEN 'closed' THEN 'closed' END, created + 86400 FROM bulk;
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT b.course, b.created, 'psychiatry:1', 'call_scheduled', json_object('attempt', 1,
	'call_id', k.id, 'due_date', k.due_date, 'first_contact', json('true'),
	'reason', 'first_contact')
FROM bulk b JOIN calls k ON k.course_id = b.course AND k.first_contact = 1;
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT b.course, b.created + 86400, 'mentor:1', 'outcome', json_object('attempt', 1,
	'call_id', k.id, 'duration_minutes', 20, 'followup', json('false'), 'next', 'continue',
	'offers', json('[]'), 'result', 'reached', 'topics', json('["wellbeing","network"]'))
FROM bulk b JOIN calls k ON k.course_id = b.course AND k.first_contact = 1;
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT b.course, b.created + 86400, 'mentor:1', 'call_scheduled', json_object('attempt', 1,
	'call_id', k.id, 'due_date', k.due_date, 'first_contact', json('false'),
	'reason', 'follow_up', 'topic', k.agreed_topic)
FROM bulk b JOIN calls k ON k.course_id = b.course AND k.first_contact = 0;
EOF
	fi
	if [ "$kind" = published ]; then
		cat <<EOF
-- publish.c's task_add: the call task, its key and payload (sorted keys),
-- queued at the publication time of DUE (08:00 UTC), or now if that is
-- still to come (the rows are due whatever the time of day), not yet sent.
INSERT INTO outbox (kind, type, course_id, idempotency_key, payload, next_attempt_at,
	created_at)
SELECT 'call_task', 'call_task', b.course, 'call-task:' || k.id || ':$at',
	json_object('attempt', k.attempt, 'citizen', json_object('name', c.citizen_name,
	'phone', c.phone), 'due_date', k.due_date, 'id', k.id, 'mentor', json_object('id', m.id,
	'name', m.name, 'phone', m.phone), 'reason', k.reason),
	min(CAST(strftime('%s', '$at') AS INTEGER) + 28800, CAST(strftime('%s', 'now') AS INTEGER)),
	min(CAST(strftime('%s', '$at') AS INTEGER) + 28800, CAST(strftime('%s', 'now') AS INTEGER))
FROM bulk b JOIN calls k ON k.course_id = b.course JOIN courses c ON c.id = b.course
	JOIN mentors m ON m.id = c.mentor_id ORDER BY k.id;
EOF
	fi
	if [ "$kind" = closed ]; then
		cat <<EOF
-- course_finish: the call cancelled, the course closed, the closing message
-- queued (and since sent, its delivery logged).
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT b.course, b.changed, 'system', 'call_cancelled', json_object('call_id', k.id,
	'reason', 'closed')
FROM bulk b JOIN calls k ON k.course_id = b.course AND k.state = 'cancelled';
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT course, changed, 'system', 'closed', json_object('from', 'active',
	'reason', 'window_end', 'to', 'closed') FROM bulk;
INSERT INTO outbox (kind, type, course_id, idempotency_key, payload, state, attempts,
	next_attempt_at, created_at)
SELECT 'message', 'closing', c.id, lower(hex(randomblob(4)) || '-' || hex(randomblob(2))
	|| '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-'
	|| hex(randomblob(6))),
	json_object('course_id', c.id, 'reason', 'window_end', 'recipient',
	json_object('cpr', c.cpr, 'name', c.citizen_name, 'phone', c.phone), 'type', 'closing'),
	'sent', 1, b.changed + 60, b.changed
FROM bulk b JOIN courses c ON c.id = b.course;
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT o.course_id, o.created_at, 'system', 'message', json_object('outbox_id', o.id,
	'type', 'closing')
FROM bulk b JOIN outbox o ON o.course_id = b.course AND o.type = 'closing';
INSERT INTO course_log (course_id, at, author, kind, details)
SELECT o.course_id, o.created_at + 60, 'system', 'message_delivered',
	json_object('outbox_id', o.id, 'type', 'closing')
FROM bulk b JOIN outbox o ON o.course_id = b.course AND o.type = 'closing';
EOF
	fi
	# store_commit()'s last step (src/store.c, migration 26): the courses
	# the triggers noted go into the search index, in this transaction.
	cat <<'EOF'
INSERT INTO courses_search (courses_search, rowid, name, phone)
SELECT 'delete', course_id, name, phone FROM courses_search_pending WHERE indexed;
INSERT INTO courses_search (rowid, name, phone)
SELECT id, citizen_name, phone FROM courses
WHERE id IN (SELECT course_id FROM courses_search_pending) AND anonymised_at IS NULL;
DELETE FROM courses_search_pending;
EOF
	echo 'COMMIT;'
} | sqlite3 -bail "$db" >/dev/null
