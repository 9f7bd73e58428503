/*
 * store-migrate.c - schema migrations (see store-migrate.h).
 *
 * Each entry is the SQL that takes the schema from version i to i+1.
 * Append only: a released migration never changes, because databases in the
 * field have already run it.
 */
#include "store-migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "sql.h"
#include "xmalloc.h"

static const char *const migrations[] = {
	/* 1: tokens for the HTTP API. Only the SHA-256 of a token is stored. */
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('psychiatry', 'mentor', 'admin')),"
	"  mentor_id INTEGER,"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER"
	");",

	/* 2: the scheduling core (doc/scheduling.md): mentors, courses,
	 * calls, the course log and the outbox. Dates are local calendar
	 * dates as "YYYY-MM-DD" text, so they sort and compare as dates;
	 * instants are Unix seconds. */
	"CREATE TABLE mentors ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  phone TEXT NOT NULL,"
	/* Bit d-1 set: works on ISO weekday d. 31 = Monday to Friday. */
	"  working_days INTEGER NOT NULL DEFAULT 31"
	"    CHECK (working_days BETWEEN 0 AND 127),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE mentor_absences ("
	"  id INTEGER PRIMARY KEY,"
	"  mentor_id INTEGER NOT NULL REFERENCES mentors(id) ON DELETE CASCADE,"
	"  from_date TEXT NOT NULL,"
	"  to_date TEXT NOT NULL,"
	"  CHECK (from_date <= to_date)"
	");"
	"CREATE INDEX mentor_absences_mentor ON mentor_absences(mentor_id, from_date);"
	/* state is the life cycle; state_reason says why a course left
	 * 'active' and is free text on purpose: MedCom cancellation and
	 * deceased notices (doc/api.md) become 'closed' courses
	 * with their own reason, without rebuilding this table. flag marks
	 * courses a coordinator must look at (wrong_number, later more). */
	"CREATE TABLE courses ("
	"  id INTEGER PRIMARY KEY,"
	"  notification_id TEXT NOT NULL UNIQUE,"
	"  state TEXT NOT NULL DEFAULT 'active'"
	/* CHECKs spell lists as OR chains: SQLite evaluates "x IN (a, b, c)"
	 * by building a temporary b-tree on every INSERT or UPDATE, a fifth
	 * of an intake's instructions in all; the OR chain means the same. */
	"    CHECK (state = 'active' OR state = 'ended' OR state = 'closed'"
	"      OR state = 'superseded'),"
	"  state_reason TEXT,"
	"  state_changed_at INTEGER NOT NULL,"
	"  citizen_name TEXT NOT NULL CHECK (citizen_name <> ''),"
	"  cpr TEXT CHECK (cpr IS NULL OR"
	"    (length(cpr) = 10 AND cpr NOT GLOB '*[^0-9]*')),"
	"  phone TEXT NOT NULL CHECK (phone <> ''),"
	"  preferred_from TEXT,"
	"  preferred_to TEXT,"
	"  unit TEXT,"
	"  discharge_date TEXT NOT NULL,"
	"  window_end TEXT NOT NULL CHECK (window_end >= discharge_date),"
	"  mentor_id INTEGER REFERENCES mentors(id),"
	"  consent_given_at TEXT,"
	"  flag TEXT,"
	"  flagged_at INTEGER,"
	"  superseded_by INTEGER REFERENCES courses(id),"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((preferred_from IS NULL) = (preferred_to IS NULL))"
	");"
	"CREATE INDEX courses_state_mentor ON courses(state, mentor_id);"
	"CREATE INDEX courses_cpr ON courses(cpr) WHERE cpr IS NOT NULL;"
	"CREATE INDEX courses_phone ON courses(phone);"
	/* first_contact marks every attempt of a course's first contact,
	 * retries included: the queue puts them first. */
	"CREATE TABLE calls ("
	"  id INTEGER PRIMARY KEY,"
	"  course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  reason TEXT NOT NULL CHECK (reason = 'first_contact' OR reason = 'follow_up'"
	"    OR reason = 'retry' OR reason = 'agreed' OR reason = 'resumed'),"
	"  first_contact INTEGER NOT NULL DEFAULT 0 CHECK (first_contact IN (0, 1)),"
	"  attempt INTEGER NOT NULL CHECK (attempt >= 1),"
	"  due_date TEXT NOT NULL,"
	"  agreed_topic TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state = 'pending' OR state = 'done' OR state = 'cancelled'),"
	"  result TEXT CHECK (result = 'reached' OR result = 'no_answer'"
	"    OR result = 'wrong_number' OR result = 'declined'),"
	"  call_date TEXT,"
	"  duration_minutes INTEGER CHECK (duration_minutes >= 0),"
	"  topics TEXT CHECK (topics IS NULL OR json_valid(topics)),"
	"  note TEXT,"
	"  offers TEXT CHECK (offers IS NULL OR json_valid(offers)),"
	"  send_followup INTEGER NOT NULL DEFAULT 0 CHECK (send_followup IN (0, 1)),"
	"  recorded_at INTEGER,"
	"  recorded_by TEXT,"
	"  cancel_reason TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((state = 'done') = (result IS NOT NULL))"
	");"
	/* doc/scheduling.md: at most one pending call per course. */
	"CREATE UNIQUE INDEX calls_one_pending ON calls(course_id) WHERE state = 'pending';"
	"CREATE INDEX calls_pending_due ON calls(due_date) WHERE state = 'pending';"
	"CREATE INDEX calls_course ON calls(course_id, id);"
	"CREATE TABLE course_log ("
	"  id INTEGER PRIMARY KEY,"
	"  course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  at INTEGER NOT NULL,"
	"  author TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))"
	");"
	"CREATE INDEX course_log_course ON course_log(course_id, id);"
	/* The log is the citizen's record of what happened: append only.
	 * The retention purge (doc/operations.md) will have to anonymise
	 * old entries; it is meant to drop and recreate these triggers
	 * inside its own transaction, so no other code path can alter the
	 * log. */
	"CREATE TRIGGER course_log_no_update BEFORE UPDATE ON course_log"
	"  BEGIN SELECT RAISE(ABORT, 'course_log is append-only'); END;"
	"CREATE TRIGGER course_log_no_delete BEFORE DELETE ON course_log"
	"  BEGIN SELECT RAISE(ABORT, 'course_log is append-only'); END;"
	/* Work for the messaging gateway, written in the same transaction
	 * as the change that caused it (doc/gateway.md). AUTOINCREMENT:
	 * a withdrawn row's id is never given to a new row, so a send still
	 * settling by id can only ever meet the row it sent. */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL CHECK (kind IN ('call_task', 'message')),"
	"  type TEXT NOT NULL,"
	"  course_id INTEGER REFERENCES courses(id),"
	"  idempotency_key TEXT NOT NULL UNIQUE,"
	"  payload TEXT NOT NULL CHECK (json_valid(payload)),"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state = 'pending' OR state = 'sent' OR state = 'dead'),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 'pending';",

	/* 3: the API's own tables. audit: every read or change of a citizen's
	 * data, so a citizen can be told who looked them up; it names the
	 * token, never the citizen. offers: the catalogue; a deleted offer is
	 * only marked, as calls and reports still refer to it. */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  token_id INTEGER REFERENCES tokens(id),"
	"  role TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  course_id INTEGER REFERENCES courses(id),"
	"  purpose TEXT NOT NULL"
	");"
	"CREATE INDEX audit_course ON audit(course_id, id);"
	"CREATE TABLE offers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL CHECK (name <> ''),"
	"  category TEXT NOT NULL CHECK (category <> ''),"
	"  provider TEXT,"
	"  phone TEXT,"
	"  email TEXT,"
	"  address TEXT,"
	"  url TEXT,"
	"  hours TEXT,"
	"  description TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  deleted_at INTEGER"
	");"
	"CREATE TABLE job_runs ("
	"  job TEXT PRIMARY KEY,"
	"  last_day TEXT NOT NULL,"
	"  ran_at INTEGER NOT NULL"
	");",

	/* 4: each mentor's load (active courses) kept by triggers, so the
	 * least-loaded mentor of every intake is an index lookup, not a count
	 * over all active courses. */
	"ALTER TABLE mentors ADD COLUMN active_courses INTEGER NOT NULL DEFAULT 0;"
	"UPDATE mentors SET active_courses ="
	"  (SELECT count(*) FROM courses c WHERE c.mentor_id = mentors.id AND c.state = 'active');"
	"CREATE INDEX mentors_load ON mentors(active, active_courses, id);"
	"CREATE TRIGGER courses_load_insert AFTER INSERT ON courses"
	"  WHEN NEW.state = 'active' AND NEW.mentor_id IS NOT NULL BEGIN"
	"  UPDATE mentors SET active_courses = active_courses + 1 WHERE id = NEW.mentor_id;"
	"  END;"
	"CREATE TRIGGER courses_load_update AFTER UPDATE OF state, mentor_id ON courses BEGIN"
	"  UPDATE mentors SET active_courses = active_courses - 1"
	"    WHERE id = OLD.mentor_id AND OLD.state = 'active';"
	"  UPDATE mentors SET active_courses = active_courses + 1"
	"    WHERE id = NEW.mentor_id AND NEW.state = 'active';"
	"  END;"
	"CREATE TRIGGER courses_load_delete AFTER DELETE ON courses"
	"  WHEN OLD.state = 'active' BEGIN"
	"  UPDATE mentors SET active_courses = active_courses - 1 WHERE id = OLD.mentor_id;"
	"  END;",

	/* 5: the retention purge (doc/operations.md, retention.h).
	 * anonymised_at marks a course whose personal data is erased, so it
	 * is never processed twice; retention_runs keeps each purge's date and
	 * count for `mentorctl status`. */
	"ALTER TABLE courses ADD COLUMN anonymised_at INTEGER;"
	"CREATE INDEX courses_retention ON courses(state_changed_at)"
	"  WHERE anonymised_at IS NULL AND state IN ('closed', 'superseded');"
	"CREATE TABLE retention_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  ran_at INTEGER NOT NULL,"
	"  before_day TEXT NOT NULL,"
	"  days INTEGER NOT NULL CHECK (days >= 1),"
	"  courses INTEGER NOT NULL CHECK (courses >= 0),"
	"  author TEXT NOT NULL"
	");",

	/* 6: the outbox sender (outbox-worker.c). failing_since: when the
	 * current run of failed attempts began, the start of the give-up
	 * clock. outbox_pending_id lets the sender read pending rows in id
	 * order without walking every row ever sent; outbox_pending_course
	 * answers "is an earlier row of this course and kind still
	 * pending?", which keeps a course's messages in order. */
	"ALTER TABLE outbox ADD COLUMN failing_since INTEGER;"
	"CREATE INDEX outbox_pending_id ON outbox(id) WHERE state = 'pending';"
	"CREATE INDEX outbox_pending_course ON outbox(course_id, kind, id)"
	"  WHERE state = 'pending';",

	/* 7: the fingerprint of each discharge notification as sent, so a
	 * repeat of a notification_id with any other content is a conflict,
	 * not only one whose stored fields differ. */
	"ALTER TABLE courses ADD COLUMN intake_fingerprint TEXT;",

	/* 8: GET /v1/outbox?state= pages by (state, id). Sent rows are kept
	 * (retention only blanks their payloads), so without this index a
	 * page of dead letters read every sent row before it: 0.2 s with a
	 * million, on the one loop. */
	"CREATE INDEX outbox_state ON outbox(state, id);",

	/* 9: the address a request came from, in its audit rows: the peer,
	 * or behind a trusted TLS proxy the client it names (proxy.h). NULL
	 * in rows written before. */
	"ALTER TABLE audit ADD COLUMN client_address TEXT;",
	/* 10: the daily jobs at any size (jobs.h), and health that tells the
	 * truth (health.h). courses_expiry finds the courses whose window has
	 * ended without walking every open course (the OR chain, not IN: see
	 * the CHECKs of migration 2); outbox_course lets the retention purge
	 * reach a course's outbox rows, sent ones included, by index.
	 * job_state keeps a job's run in progress (the day it is for, where
	 * it goes on and how much it did), so a restart resumes it, and the
	 * job's last failure until a run of it succeeds. */
	"CREATE INDEX courses_expiry ON courses(window_end)"
	"  WHERE state = 'active' OR state = 'ended';"
	"CREATE INDEX outbox_course ON outbox(course_id);"
	/* Dead letters an admin has to look at (the purge empties the
	 * payloads of the others): GET /healthz counts them at every poll. */
	"CREATE INDEX outbox_dead ON outbox(id) WHERE state = 'dead' AND payload <> '{}';"
	"CREATE TABLE job_state ("
	"  job TEXT PRIMARY KEY,"
	"  run_day TEXT,"
	"  cursor TEXT,"
	"  done INTEGER NOT NULL DEFAULT 0,"
	"  started_at INTEGER,"
	"  failed_at INTEGER,"
	"  error TEXT"
	");",

	/* 11: sessions of the page and single sign-on logins (session.h,
	 * doc/sessions-and-sso.md). A login is a token row without a secret;
	 * only one active token may hold a login. A session stores only the
	 * SHA-256 of its cookie and belongs to a token, so revoking the token
	 * ends it; seen_at is its last use, for the idle timeout. */
	"ALTER TABLE tokens ADD COLUMN login TEXT;"
	"CREATE UNIQUE INDEX tokens_login ON tokens(login COLLATE NOCASE)"
	"  WHERE login IS NOT NULL AND revoked_at IS NULL;"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  token_id INTEGER NOT NULL REFERENCES tokens(id),"
	"  created_at INTEGER NOT NULL,"
	"  seen_at INTEGER NOT NULL"
	");"
	"CREATE INDEX sessions_token ON sessions(token_id);",

	/* 12: finding a citizen by part of the name or phone number
	 * (course-search.h). A trigram index matches any substring of three
	 * characters or more through the index, folding case, æøå included.
	 * Contentless: it holds no copy of the names, only what it needs to
	 * find them, and only of courses not yet anonymised; the triggers
	 * keep it in step with every change of a name or phone. */
	"CREATE VIRTUAL TABLE courses_search USING fts5("
	"  name, phone, content = '', tokenize = 'trigram');"
	"INSERT INTO courses_search (rowid, name, phone)"
	"  SELECT id, citizen_name, phone FROM courses WHERE anonymised_at IS NULL;"
	"CREATE TRIGGER courses_search_insert AFTER INSERT ON courses"
	"  WHEN NEW.anonymised_at IS NULL BEGIN"
	"  INSERT INTO courses_search (rowid, name, phone)"
	"    VALUES (NEW.id, NEW.citizen_name, NEW.phone);"
	"  END;"
	/* A contentless index forgets a row only when told exactly what it
	 * indexed: the old values, and only if they were indexed. */
	"CREATE TRIGGER courses_search_update"
	"  AFTER UPDATE OF citizen_name, phone, anonymised_at ON courses BEGIN"
	"  INSERT INTO courses_search (courses_search, rowid, name, phone)"
	"    SELECT 'delete', OLD.id, OLD.citizen_name, OLD.phone"
	"    WHERE OLD.anonymised_at IS NULL;"
	"  INSERT INTO courses_search (rowid, name, phone)"
	"    SELECT NEW.id, NEW.citizen_name, NEW.phone WHERE NEW.anonymised_at IS NULL;"
	"  END;"
	"CREATE TRIGGER courses_search_delete AFTER DELETE ON courses"
	"  WHEN OLD.anonymised_at IS NULL BEGIN"
	"  INSERT INTO courses_search (courses_search, rowid, name, phone)"
	"    VALUES ('delete', OLD.id, OLD.citizen_name, OLD.phone);"
	"  END;",

	/* 13: concerns for a citizen's safety (concern.h): one per call whose
	 * outcome recorded one, open until a coordinator has followed it up.
	 * The open ones are a partial index, so the coordinator's list costs
	 * the concerns still open, not every one ever recorded. */
	"CREATE TABLE concerns ("
	"  id INTEGER PRIMARY KEY,"
	"  call_id INTEGER NOT NULL UNIQUE REFERENCES calls(id),"
	"  course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  at INTEGER NOT NULL,"
	"  author TEXT NOT NULL,"
	"  handled_at INTEGER,"
	"  handled_by TEXT,"
	"  CHECK ((handled_at IS NULL) = (handled_by IS NULL))"
	");"
	"CREATE INDEX concerns_open ON concerns(id) WHERE handled_at IS NULL;"
	"CREATE INDEX concerns_course ON concerns(course_id, id);",

	/* 14: life events (doc/life-events.md). New states: awaiting_discharge
	 * (a referral made during the stay: no discharge date nor window
	 * yet), paused (readmitted), cancelled, deceased. A CHECK cannot be
	 * altered in place, so the table is rebuilt (SQLite's "12 steps"):
	 * foreign keys are off while this migration runs (apply_migration)
	 * and checked before its COMMIT; ids are kept, so every row that
	 * refers to a course still does. New columns: source (which intake
	 * brought the referral), intake_token_id (the token that sent it:
	 * only it, or an admin, may correct or cancel it),
	 * notified_discharge_date (the discharge date of the notification as
	 * last sent or corrected; discharge_date is the discharge the window
	 * counts from, which a readmission moves), readmissions (plan restarts
	 * after a readmission), paused_at and paused_from (the admission, and
	 * the state the course returns to at discharge). The retention purge
	 * erases cancelled and deceased courses too. life_event_keys: the
	 * SHA-256 of each life event message mentord has acted on or
	 * acknowledged, and nothing else about it, so a repetition changes
	 * nothing (doc/life-events.md). */
	"CREATE TABLE courses_new ("
	"  id INTEGER PRIMARY KEY,"
	"  notification_id TEXT NOT NULL UNIQUE,"
	"  state TEXT NOT NULL DEFAULT 'active'"
	"    CHECK (state = 'active' OR state = 'ended' OR state = 'closed'"
	"      OR state = 'superseded' OR state = 'awaiting_discharge' OR state = 'paused'"
	"      OR state = 'cancelled' OR state = 'deceased'),"
	"  state_reason TEXT,"
	"  state_changed_at INTEGER NOT NULL,"
	"  citizen_name TEXT NOT NULL CHECK (citizen_name <> ''),"
	"  cpr TEXT CHECK (cpr IS NULL OR"
	"    (length(cpr) = 10 AND cpr NOT GLOB '*[^0-9]*')),"
	"  phone TEXT NOT NULL CHECK (phone <> ''),"
	"  preferred_from TEXT,"
	"  preferred_to TEXT,"
	"  unit TEXT,"
	"  discharge_date TEXT,"
	"  window_end TEXT CHECK (window_end >= discharge_date),"
	"  mentor_id INTEGER REFERENCES mentors(id),"
	"  consent_given_at TEXT,"
	"  flag TEXT,"
	"  flagged_at INTEGER,"
	"  superseded_by INTEGER REFERENCES courses(id),"
	"  created_at INTEGER NOT NULL,"
	"  anonymised_at INTEGER,"
	"  intake_fingerprint TEXT,"
	"  source TEXT NOT NULL DEFAULT 'psychiatry',"
	"  intake_token_id INTEGER,"
	"  notified_discharge_date TEXT,"
	"  readmissions INTEGER NOT NULL DEFAULT 0 CHECK (readmissions >= 0),"
	"  paused_at INTEGER,"
	"  paused_from TEXT CHECK (paused_from IS NULL OR paused_from = 'active'"
	"    OR paused_from = 'ended'),"
	"  CHECK ((preferred_from IS NULL) = (preferred_to IS NULL)),"
	"  CHECK ((discharge_date IS NULL) = (window_end IS NULL)),"
	/* Only a course that never had its discharge lacks the date. */
	"  CHECK (discharge_date IS NOT NULL OR NOT (state = 'active' OR state = 'ended'"
	"    OR state = 'paused')),"
	"  CHECK ((state = 'paused') = (paused_from IS NOT NULL))"
	");"
	"INSERT INTO courses_new (id, notification_id, state, state_reason, state_changed_at,"
	"  citizen_name, cpr, phone, preferred_from, preferred_to, unit, discharge_date,"
	"  window_end, mentor_id, consent_given_at, flag, flagged_at, superseded_by, created_at,"
	"  anonymised_at, intake_fingerprint, notified_discharge_date)"
	" SELECT id, notification_id, state, state_reason, state_changed_at, citizen_name, cpr,"
	"  phone, preferred_from, preferred_to, unit, discharge_date, window_end, mentor_id,"
	"  consent_given_at, flag, flagged_at, superseded_by, created_at, anonymised_at,"
	"  intake_fingerprint, discharge_date FROM courses;"
	"DROP TABLE courses;"
	"ALTER TABLE courses_new RENAME TO courses;"
	"CREATE INDEX courses_state_mentor ON courses(state, mentor_id);"
	"CREATE INDEX courses_cpr ON courses(cpr) WHERE cpr IS NOT NULL;"
	"CREATE INDEX courses_phone ON courses(phone);"
	"CREATE INDEX courses_retention ON courses(state_changed_at)"
	"  WHERE anonymised_at IS NULL"
	"  AND state IN ('closed', 'superseded', 'cancelled', 'deceased');"
	/* As migration 10: a paused course whose window has ended is not
	 * closed at its window's end but when its admission is
	 * intake.await_days old (courses_paused), so the state list stays. */
	"CREATE INDEX courses_expiry ON courses(window_end)"
	"  WHERE state = 'active' OR state = 'ended';"
	/* The daily job's referrals waiting too long, and paused courses, a
	 * chunk at a time by the time they began waiting (course_expire_some). */
	"CREATE INDEX courses_awaiting ON courses(created_at)"
	"  WHERE state = 'awaiting_discharge';"
	"CREATE INDEX courses_paused ON courses(paused_at) WHERE state = 'paused';"
	"CREATE TRIGGER courses_load_insert AFTER INSERT ON courses"
	"  WHEN NEW.state = 'active' AND NEW.mentor_id IS NOT NULL BEGIN"
	"  UPDATE mentors SET active_courses = active_courses + 1 WHERE id = NEW.mentor_id;"
	"  END;"
	"CREATE TRIGGER courses_load_update AFTER UPDATE OF state, mentor_id ON courses BEGIN"
	"  UPDATE mentors SET active_courses = active_courses - 1"
	"    WHERE id = OLD.mentor_id AND OLD.state = 'active';"
	"  UPDATE mentors SET active_courses = active_courses + 1"
	"    WHERE id = NEW.mentor_id AND NEW.state = 'active';"
	"  END;"
	"CREATE TRIGGER courses_load_delete AFTER DELETE ON courses"
	"  WHEN OLD.state = 'active' BEGIN"
	"  UPDATE mentors SET active_courses = active_courses - 1 WHERE id = OLD.mentor_id;"
	"  END;"
	/* Migration 12's triggers, as they were: the index itself is keyed by
	 * the course id, which the rebuild keeps, so it stays as it is. */
	"CREATE TRIGGER courses_search_insert AFTER INSERT ON courses"
	"  WHEN NEW.anonymised_at IS NULL BEGIN"
	"  INSERT INTO courses_search (rowid, name, phone)"
	"    VALUES (NEW.id, NEW.citizen_name, NEW.phone);"
	"  END;"
	"CREATE TRIGGER courses_search_update"
	"  AFTER UPDATE OF citizen_name, phone, anonymised_at ON courses BEGIN"
	"  INSERT INTO courses_search (courses_search, rowid, name, phone)"
	"    SELECT 'delete', OLD.id, OLD.citizen_name, OLD.phone"
	"    WHERE OLD.anonymised_at IS NULL;"
	"  INSERT INTO courses_search (rowid, name, phone)"
	"    SELECT NEW.id, NEW.citizen_name, NEW.phone WHERE NEW.anonymised_at IS NULL;"
	"  END;"
	"CREATE TRIGGER courses_search_delete AFTER DELETE ON courses"
	"  WHEN OLD.anonymised_at IS NULL BEGIN"
	"  INSERT INTO courses_search (courses_search, rowid, name, phone)"
	"    VALUES ('delete', OLD.id, OLD.citizen_name, OLD.phone);"
	"  END;"
	"CREATE TABLE life_event_keys ("
	"  hash BLOB PRIMARY KEY CHECK (length(hash) = 32),"
	"  received_at INTEGER NOT NULL"
	") WITHOUT ROWID;",

	/* 15: the read path at a million courses (README, "Performance"): every
	 * hot query is an index range of about the rows it answers. It puts
	 * triggers and indexes on courses, so it comes after any migration
	 * that rebuilds that table (which drops them), and it counts courses
	 * by whatever state they carry, so a state added by such a rebuild
	 * needs nothing here.
	 *
	 * calls.mentor_id is the course's assigned mentor, copied onto the
	 * call while it is pending (the triggers keep it equal to
	 * courses.mentor_id), so one mentor's queue is a range of
	 * calls_queue: that mentor's pending calls due by the day, not every
	 * active course. A finished call keeps the value it had; calls that
	 * finished before this migration have none. call.c sets it in its
	 * INSERT; calls_mentor_insert only repairs a row some other INSERT
	 * left wrong. calls_done_course finds a course's latest outcome (the
	 * queue's last_contact) without sorting its calls. */
	"ALTER TABLE calls ADD COLUMN mentor_id INTEGER;"
	"UPDATE calls SET mentor_id = (SELECT c.mentor_id FROM courses c WHERE c.id = calls.course_id)"
	"  WHERE state = 'pending';"
	"CREATE INDEX calls_queue ON calls(mentor_id, due_date) WHERE state = 'pending';"
	"CREATE INDEX calls_done_course ON calls(course_id, recorded_at, id) WHERE state = 'done';"
	"CREATE TRIGGER calls_mentor_insert AFTER INSERT ON calls"
	"  WHEN NEW.state = 'pending'"
	"    AND NEW.mentor_id IS NOT (SELECT mentor_id FROM courses WHERE id = NEW.course_id)"
	"  BEGIN UPDATE calls SET mentor_id ="
	"    (SELECT mentor_id FROM courses WHERE id = NEW.course_id) WHERE id = NEW.id; END;"
	"CREATE TRIGGER calls_mentor_pending AFTER UPDATE OF state ON calls"
	"  WHEN NEW.state = 'pending' AND OLD.state IS NOT 'pending'"
	"  BEGIN UPDATE calls SET mentor_id ="
	"    (SELECT mentor_id FROM courses WHERE id = NEW.course_id) WHERE id = NEW.id; END;"
	"CREATE TRIGGER courses_mentor_calls AFTER UPDATE OF mentor_id ON courses"
	"  WHEN OLD.mentor_id IS NOT NEW.mentor_id"
	"  BEGIN UPDATE calls SET mentor_id = NEW.mentor_id"
	"    WHERE course_id = NEW.id AND state = 'pending'; END;"
	/* A repeated notification answers which course it superseded; the
	 * course list pages by id within a state, a mentor or both
	 * (courses_state_mentor). */
	"CREATE INDEX courses_superseded_by ON courses(superseded_by)"
	"  WHERE superseded_by IS NOT NULL;"
	"CREATE INDEX courses_state ON courses(state);"
	"CREATE INDEX courses_mentor ON courses(mentor_id);"
	/* row_counts: the numbers /metrics shows, kept by triggers in the
	 * transaction of each change rather than counted over the tables on
	 * every scrape. A label is a value of the counted column, so a course
	 * state, call result or outbox state added later is counted from its
	 * first row without touching this. outbox_attempts has the label ''. */
	/* mentord_referrals_expired_total counts these few, not every
	 * closed course. */
	"CREATE INDEX courses_referral_expired ON courses(id) WHERE state = 'closed'"
	"  AND state_reason IN ('referral_expired', 'readmission_expired');"
	"CREATE TABLE row_counts ("
	"  family TEXT NOT NULL,"
	"  label TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (family, label)"
	") WITHOUT ROWID;"
	"INSERT INTO row_counts SELECT 'course_state', state, count(*) FROM courses GROUP BY state;"
	"INSERT INTO row_counts SELECT 'call_result', result, count(*) FROM calls"
	"  WHERE result IS NOT NULL GROUP BY result;"
	"INSERT INTO row_counts SELECT 'outbox_state', state, count(*) FROM outbox GROUP BY state;"
	"INSERT INTO row_counts SELECT 'outbox_attempts', '', coalesce(sum(attempts), 0) FROM outbox;"
	/* The labels /metrics always showed, at 0 until their first row. */
	"INSERT OR IGNORE INTO row_counts VALUES ('course_state', 'active', 0),"
	"  ('course_state', 'ended', 0), ('course_state', 'closed', 0),"
	"  ('course_state', 'superseded', 0), ('call_result', 'reached', 0),"
	"  ('call_result', 'no_answer', 0), ('call_result', 'wrong_number', 0),"
	"  ('call_result', 'declined', 0), ('outbox_state', 'pending', 0),"
	"  ('outbox_state', 'sent', 0), ('outbox_state', 'dead', 0);"
	"CREATE TRIGGER row_counts_course_insert AFTER INSERT ON courses BEGIN"
	"  INSERT INTO row_counts VALUES ('course_state', NEW.state, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_course_state AFTER UPDATE OF state ON courses"
	"  WHEN OLD.state IS NOT NEW.state BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'course_state' AND label = OLD.state;"
	"  INSERT INTO row_counts VALUES ('course_state', NEW.state, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_course_delete AFTER DELETE ON courses BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'course_state' AND label = OLD.state;"
	"  END;"
	"CREATE TRIGGER row_counts_call_insert AFTER INSERT ON calls"
	"  WHEN NEW.result IS NOT NULL BEGIN"
	"  INSERT INTO row_counts VALUES ('call_result', NEW.result, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_call_result AFTER UPDATE OF result ON calls"
	"  WHEN OLD.result IS NOT NEW.result BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'call_result' AND label = OLD.result;"
	"  INSERT INTO row_counts SELECT 'call_result', NEW.result, 1 WHERE NEW.result IS NOT NULL"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_call_delete AFTER DELETE ON calls"
	"  WHEN OLD.result IS NOT NULL BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'call_result' AND label = OLD.result;"
	"  END;"
	"CREATE TRIGGER row_counts_outbox_insert AFTER INSERT ON outbox BEGIN"
	"  INSERT INTO row_counts VALUES ('outbox_state', NEW.state, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  UPDATE row_counts SET n = n + NEW.attempts"
	"    WHERE family = 'outbox_attempts' AND label = '' AND NEW.attempts <> 0;"
	"  END;"
	"CREATE TRIGGER row_counts_outbox_state AFTER UPDATE OF state ON outbox"
	"  WHEN OLD.state IS NOT NEW.state BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'outbox_state' AND label = OLD.state;"
	"  INSERT INTO row_counts VALUES ('outbox_state', NEW.state, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_outbox_attempts AFTER UPDATE OF attempts ON outbox"
	"  WHEN OLD.attempts IS NOT NEW.attempts BEGIN"
	"  UPDATE row_counts SET n = n + NEW.attempts - OLD.attempts"
	"    WHERE family = 'outbox_attempts' AND label = '';"
	"  END;"
	"CREATE TRIGGER row_counts_outbox_delete AFTER DELETE ON outbox BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'outbox_state' AND label = OLD.state;"
	"  UPDATE row_counts SET n = n - OLD.attempts"
	"    WHERE family = 'outbox_attempts' AND label = '' AND OLD.attempts <> 0;"
	"  END;",

	/* 16: MedCom HospitalNotification bundles received (POST /fhir/Bundle,
	 * doc/fhir-hospitalnotification.md): the Bundle id, the fingerprint of
	 * what the message said (a SHA-256, no field of it in clear) and the
	 * reply given, an OperationOutcome that names no citizen, so the same
	 * message again gets the same answer and another one under that id is
	 * a conflict. */
	"CREATE TABLE fhir_bundles ("
	"  bundle_id TEXT PRIMARY KEY CHECK (length(bundle_id) BETWEEN 1 AND 64),"
	"  fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),"
	"  status INTEGER NOT NULL,"
	"  reply TEXT NOT NULL CHECK (json_valid(reply)),"
	"  received_at INTEGER NOT NULL"
	") WITHOUT ROWID;",

	/* 17: what each accepted HospitalNotification did, so a later
	 * revise-* or cancel-* can replace or undo it
	 * (doc/fhir-hospitalnotification.md). fhir_bundles learns the
	 * MessageHeader id later messages name it by; fhir_effects keeps,
	 * for each course the message changed, the event, when it happened,
	 * the course as it was before (to restore it) and as the message
	 * left it (to see that nothing came after): ids, codes, dates and
	 * times, nothing about the citizen. undone_by is the MessageHeader id
	 * of the message that undid or replaced it. The effects go with their
	 * bundle's row, which the daily job purges by received_at. */
	"ALTER TABLE fhir_bundles ADD COLUMN header_id TEXT;"
	"CREATE INDEX fhir_bundles_header ON fhir_bundles(header_id)"
	"  WHERE header_id IS NOT NULL;"
	"CREATE INDEX fhir_bundles_received ON fhir_bundles(received_at);"
	"CREATE TABLE fhir_effects ("
	"  bundle_id TEXT NOT NULL REFERENCES fhir_bundles(bundle_id) ON DELETE CASCADE,"
	"  course_id INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,"
	"  event TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  from_state TEXT NOT NULL,"
	"  from_reason TEXT,"
	"  from_discharge TEXT,"
	"  from_window_end TEXT,"
	"  from_paused_at INTEGER,"
	"  from_paused_from TEXT,"
	"  from_readmissions INTEGER NOT NULL,"
	"  from_mentor INTEGER,"
	"  from_call INTEGER,"
	"  to_state TEXT NOT NULL,"
	"  to_changed_at INTEGER NOT NULL,"
	"  to_discharge TEXT,"
	"  undone_at INTEGER,"
	"  undone_by TEXT,"
	"  PRIMARY KEY (bundle_id, course_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX fhir_effects_course ON fhir_effects(course_id);",
	/* 18: a read repeated the same day by the same token, from the same
	 * address, for the same purpose, counts on that day's row (times,
	 * last_at) instead of adding one per read (audit.h): a queue read again
	 * wrote a row and an index entry per citizen. The triggers keep what
	 * a row says as written and every row for good. */
	"ALTER TABLE audit ADD COLUMN times INTEGER NOT NULL DEFAULT 1 CHECK (times >= 1);"
	"ALTER TABLE audit ADD COLUMN last_at INTEGER;"
	"CREATE TRIGGER audit_as_written BEFORE UPDATE"
	"  OF id, at, token_id, role, action, course_id, purpose, client_address ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'an audit row keeps who, when, what and why'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are never removed'); END;",
	/* 19: programmes (doc/programmes.md) and referrals by a caseworker.
	 * tokens: the role caseworker. courses: programme (every course made
	 * before there were programmes is the preventive scheme's), the state
	 * awaiting_decision (a referral a caseworker has not decided yet: no
	 * window, no calls, no messages), the day the need was identified,
	 * the day the decision is due and the day from which the referral is
	 * at risk of missing it (stored like window_end, so a changed
	 * deadline applies to new referrals only), when it was decided, and the
	 * citizen's wishes (JSON, for the matching to come). Both CHECKs are
	 * rebuilt as in migration 14, foreign keys off; the triggers of calls
	 * that read courses go first and come back after, since a rename
	 * checks every trigger against the schema. Every index and trigger on
	 * courses of migrations 12 to 15 is made again as it was. */
	"DROP TRIGGER calls_mentor_insert;"
	"DROP TRIGGER calls_mentor_pending;"
	"CREATE TABLE tokens_new ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('psychiatry', 'mentor', 'admin', 'caseworker')),"
	"  mentor_id INTEGER,"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER,"
	"  login TEXT"
	");"
	"INSERT INTO tokens_new (id, name, role, mentor_id, hash, created_at, revoked_at, login)"
	"  SELECT id, name, role, mentor_id, hash, created_at, revoked_at, login FROM tokens;"
	"DROP TABLE tokens;"
	"ALTER TABLE tokens_new RENAME TO tokens;"
	"CREATE UNIQUE INDEX tokens_login ON tokens(login COLLATE NOCASE)"
	"  WHERE login IS NOT NULL AND revoked_at IS NULL;"
	"CREATE TABLE courses_new ("
	"  id INTEGER PRIMARY KEY,"
	"  notification_id TEXT NOT NULL UNIQUE,"
	"  state TEXT NOT NULL DEFAULT 'active'"
	"    CHECK (state = 'active' OR state = 'ended' OR state = 'closed'"
	"      OR state = 'superseded' OR state = 'awaiting_discharge' OR state = 'paused'"
	"      OR state = 'cancelled' OR state = 'deceased' OR state = 'awaiting_decision'),"
	"  state_reason TEXT,"
	"  state_changed_at INTEGER NOT NULL,"
	"  citizen_name TEXT NOT NULL CHECK (citizen_name <> ''),"
	"  cpr TEXT CHECK (cpr IS NULL OR"
	"    (length(cpr) = 10 AND cpr NOT GLOB '*[^0-9]*')),"
	"  phone TEXT NOT NULL CHECK (phone <> ''),"
	"  preferred_from TEXT,"
	"  preferred_to TEXT,"
	"  unit TEXT,"
	"  discharge_date TEXT,"
	"  window_end TEXT CHECK (window_end >= discharge_date),"
	"  mentor_id INTEGER REFERENCES mentors(id),"
	"  consent_given_at TEXT,"
	"  flag TEXT,"
	"  flagged_at INTEGER,"
	"  superseded_by INTEGER REFERENCES courses(id),"
	"  created_at INTEGER NOT NULL,"
	"  anonymised_at INTEGER,"
	"  intake_fingerprint TEXT,"
	"  source TEXT NOT NULL DEFAULT 'psychiatry',"
	"  intake_token_id INTEGER,"
	"  notified_discharge_date TEXT,"
	"  readmissions INTEGER NOT NULL DEFAULT 0 CHECK (readmissions >= 0),"
	"  paused_at INTEGER,"
	"  paused_from TEXT CHECK (paused_from IS NULL OR paused_from = 'active'"
	"    OR paused_from = 'ended'),"
	"  programme TEXT NOT NULL DEFAULT 'preventive' CHECK (programme <> ''),"
	"  need_identified_on TEXT,"
	"  decision_due TEXT CHECK (decision_due >= need_identified_on),"
	"  at_risk_on TEXT CHECK (at_risk_on <= decision_due),"
	"  decided_at INTEGER,"
	"  wishes TEXT CHECK (wishes IS NULL OR json_valid(wishes)),"
	"  CHECK ((preferred_from IS NULL) = (preferred_to IS NULL)),"
	"  CHECK ((discharge_date IS NULL) = (window_end IS NULL)),"
	"  CHECK (discharge_date IS NOT NULL OR NOT (state = 'active' OR state = 'ended'"
	"    OR state = 'paused')),"
	"  CHECK ((state = 'paused') = (paused_from IS NOT NULL)),"
	/* A referral awaiting its decision knows when the decision is due. */
	"  CHECK (decision_due IS NOT NULL OR state <> 'awaiting_decision')"
	");"
	"INSERT INTO courses_new (id, notification_id, state, state_reason, state_changed_at,"
	"  citizen_name, cpr, phone, preferred_from, preferred_to, unit, discharge_date,"
	"  window_end, mentor_id, consent_given_at, flag, flagged_at, superseded_by, created_at,"
	"  anonymised_at, intake_fingerprint, source, intake_token_id, notified_discharge_date,"
	"  readmissions, paused_at, paused_from)"
	" SELECT id, notification_id, state, state_reason, state_changed_at, citizen_name, cpr,"
	"  phone, preferred_from, preferred_to, unit, discharge_date, window_end, mentor_id,"
	"  consent_given_at, flag, flagged_at, superseded_by, created_at, anonymised_at,"
	"  intake_fingerprint, source, intake_token_id, notified_discharge_date, readmissions,"
	"  paused_at, paused_from FROM courses;"
	"DROP TABLE courses;"
	"ALTER TABLE courses_new RENAME TO courses;"
	"CREATE INDEX courses_state_mentor ON courses(state, mentor_id);"
	"CREATE INDEX courses_cpr ON courses(cpr) WHERE cpr IS NOT NULL;"
	"CREATE INDEX courses_phone ON courses(phone);"
	"CREATE INDEX courses_retention ON courses(state_changed_at)"
	"  WHERE anonymised_at IS NULL"
	"  AND state IN ('closed', 'superseded', 'cancelled', 'deceased');"
	"CREATE INDEX courses_expiry ON courses(window_end)"
	"  WHERE state = 'active' OR state = 'ended';"
	"CREATE INDEX courses_awaiting ON courses(created_at)"
	"  WHERE state = 'awaiting_discharge';"
	"CREATE INDEX courses_paused ON courses(paused_at) WHERE state = 'paused';"
	"CREATE INDEX courses_superseded_by ON courses(superseded_by)"
	"  WHERE superseded_by IS NOT NULL;"
	"CREATE INDEX courses_state ON courses(state);"
	"CREATE INDEX courses_mentor ON courses(mentor_id);"
	"CREATE INDEX courses_referral_expired ON courses(id) WHERE state = 'closed'"
	"  AND state_reason IN ('referral_expired', 'readmission_expired');"
	/* New: the referrals awaiting a decision by their deadline (the
	 * at-risk list), and a programme's courses by id (GET
	 * /v1/courses?programme=). */
	"CREATE INDEX courses_decision ON courses(at_risk_on, id)"
	"  WHERE state = 'awaiting_decision';"
	"CREATE INDEX courses_programme ON courses(programme, id);"
	"CREATE TRIGGER courses_load_insert AFTER INSERT ON courses"
	"  WHEN NEW.state = 'active' AND NEW.mentor_id IS NOT NULL BEGIN"
	"  UPDATE mentors SET active_courses = active_courses + 1 WHERE id = NEW.mentor_id;"
	"  END;"
	"CREATE TRIGGER courses_load_update AFTER UPDATE OF state, mentor_id ON courses BEGIN"
	"  UPDATE mentors SET active_courses = active_courses - 1"
	"    WHERE id = OLD.mentor_id AND OLD.state = 'active';"
	"  UPDATE mentors SET active_courses = active_courses + 1"
	"    WHERE id = NEW.mentor_id AND NEW.state = 'active';"
	"  END;"
	"CREATE TRIGGER courses_load_delete AFTER DELETE ON courses"
	"  WHEN OLD.state = 'active' BEGIN"
	"  UPDATE mentors SET active_courses = active_courses - 1 WHERE id = OLD.mentor_id;"
	"  END;"
	"CREATE TRIGGER courses_search_insert AFTER INSERT ON courses"
	"  WHEN NEW.anonymised_at IS NULL BEGIN"
	"  INSERT INTO courses_search (rowid, name, phone)"
	"    VALUES (NEW.id, NEW.citizen_name, NEW.phone);"
	"  END;"
	"CREATE TRIGGER courses_search_update"
	"  AFTER UPDATE OF citizen_name, phone, anonymised_at ON courses BEGIN"
	"  INSERT INTO courses_search (courses_search, rowid, name, phone)"
	"    SELECT 'delete', OLD.id, OLD.citizen_name, OLD.phone"
	"    WHERE OLD.anonymised_at IS NULL;"
	"  INSERT INTO courses_search (rowid, name, phone)"
	"    SELECT NEW.id, NEW.citizen_name, NEW.phone WHERE NEW.anonymised_at IS NULL;"
	"  END;"
	"CREATE TRIGGER courses_search_delete AFTER DELETE ON courses"
	"  WHEN OLD.anonymised_at IS NULL BEGIN"
	"  INSERT INTO courses_search (courses_search, rowid, name, phone)"
	"    VALUES ('delete', OLD.id, OLD.citizen_name, OLD.phone);"
	"  END;"
	"CREATE TRIGGER courses_mentor_calls AFTER UPDATE OF mentor_id ON courses"
	"  WHEN OLD.mentor_id IS NOT NEW.mentor_id"
	"  BEGIN UPDATE calls SET mentor_id = NEW.mentor_id"
	"    WHERE course_id = NEW.id AND state = 'pending'; END;"
	"CREATE TRIGGER calls_mentor_insert AFTER INSERT ON calls"
	"  WHEN NEW.state = 'pending'"
	"    AND NEW.mentor_id IS NOT (SELECT mentor_id FROM courses WHERE id = NEW.course_id)"
	"  BEGIN UPDATE calls SET mentor_id ="
	"    (SELECT mentor_id FROM courses WHERE id = NEW.course_id) WHERE id = NEW.id; END;"
	"CREATE TRIGGER calls_mentor_pending AFTER UPDATE OF state ON calls"
	"  WHEN NEW.state = 'pending' AND OLD.state IS NOT 'pending'"
	"  BEGIN UPDATE calls SET mentor_id ="
	"    (SELECT mentor_id FROM courses WHERE id = NEW.course_id) WHERE id = NEW.id; END;"
	"CREATE TRIGGER row_counts_course_insert AFTER INSERT ON courses BEGIN"
	"  INSERT INTO row_counts VALUES ('course_state', NEW.state, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_course_state AFTER UPDATE OF state ON courses"
	"  WHEN OLD.state IS NOT NEW.state BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'course_state' AND label = OLD.state;"
	"  INSERT INTO row_counts VALUES ('course_state', NEW.state, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_course_delete AFTER DELETE ON courses BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'course_state' AND label = OLD.state;"
	"  END;",
	/* 20: matching (doc/programmes.md). A mentor's profile in a table of
	 * its own, keyed by mentor, so mentors and its load triggers stay as
	 * they are. The lists are JSON arrays of short tags, checked to be
	 * arrays: proposals score every available mentor in C (match.c), a
	 * municipality has tens of mentors, and no query searches inside a
	 * list, so one row per mentor is read and written whole, with no
	 * child tables to keep in step. A profile goes with its mentor.
	 * Wishes of referrals made before matching ({"mentor_gender",
	 * "language"}) take the shape the matching reads ({"gender",
	 * "languages": [..]}); a note stays as it was. */
	"CREATE TABLE mentor_profile ("
	"  mentor_id INTEGER PRIMARY KEY REFERENCES mentors(id) ON DELETE CASCADE,"
	"  gender TEXT CHECK (gender IN ('female', 'male', 'other')),"
	"  languages TEXT NOT NULL DEFAULT '[]'"
	"    CHECK (json_valid(languages) AND json_type(languages) = 'array'),"
	"  competences TEXT NOT NULL DEFAULT '[]'"
	"    CHECK (json_valid(competences) AND json_type(competences) = 'array'),"
	"  interests TEXT NOT NULL DEFAULT '[]'"
	"    CHECK (json_valid(interests) AND json_type(interests) = 'array')"
	");"
	"UPDATE courses SET wishes = json_remove(json_set(wishes,"
	"    '$.gender', json_extract(wishes, '$.mentor_gender')), '$.mentor_gender')"
	"  WHERE json_type(wishes, '$.mentor_gender') = 'text';"
	"UPDATE courses SET wishes = json_remove(json_set(wishes,"
	"    '$.languages', json_array(json_extract(wishes, '$.language'))), '$.language')"
	"  WHERE json_type(wishes, '$.language') = 'text';",
	/* 21: time and cost (doc/programmes.md, "Time and cost").
	 * mentor_terms: a mentor's employment terms as a history, because a
	 * yearly report prices 2019 at 2019's terms: the row with the latest
	 * valid_from on or before a day is in force that day; before the
	 * first row a mentor is internal without a rate. hourly_rate is in
	 * øre (no floating point near money); an external mentor always has
	 * one, an internal mentor may (the municipality's own hourly cost).
	 * mentor_time: time a mentor spent in a week besides their calls
	 * (calls keep their own duration_minutes), for a course or not;
	 * programme is the course's, or the one named, so every minute
	 * belongs to a programme. week_start is the ISO week's Monday. An
	 * entry's note goes with its course's citizen data (retention.c);
	 * its minutes stay, counted in the years they were spent. */
	"CREATE TABLE mentor_terms ("
	"  id INTEGER PRIMARY KEY,"
	"  mentor_id INTEGER NOT NULL REFERENCES mentors(id),"
	"  valid_from TEXT NOT NULL,"
	"  external INTEGER NOT NULL CHECK (external = 0 OR external = 1),"
	"  hourly_rate INTEGER CHECK (hourly_rate IS NULL OR hourly_rate >= 0),"
	"  author TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  CHECK (external = 0 OR hourly_rate IS NOT NULL)"
	");"
	"CREATE INDEX mentor_terms_mentor ON mentor_terms(mentor_id, valid_from, id);"
	"CREATE TABLE mentor_time ("
	"  id INTEGER PRIMARY KEY,"
	"  mentor_id INTEGER NOT NULL REFERENCES mentors(id),"
	"  course_id INTEGER REFERENCES courses(id),"
	"  programme TEXT NOT NULL CHECK (programme <> ''),"
	"  week_start TEXT NOT NULL,"
	"  minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 10080),"
	"  note TEXT,"
	"  author TEXT NOT NULL,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX mentor_time_mentor ON mentor_time(mentor_id, week_start);"
	"CREATE INDEX mentor_time_week ON mentor_time(week_start);"
	/* The retention purge erases the notes of a course's entries. */
	"CREATE INDEX mentor_time_course ON mentor_time(course_id);",

	/* 22 (numbered at merge): progression goals and follow-up meetings
	 * (doc/programmes.md). A meeting is a call of kind 'meeting', so the
	 * queue, its order and publication read it like any call. "One open
	 * call per course" is about contact calls: a course may have one
	 * pending call of each kind, so a meeting never displaces the next
	 * contact nor the other way round. A goal's text and a progress note
	 * are the young person's: retention erases them with the course. */
	"ALTER TABLE calls ADD COLUMN kind TEXT NOT NULL DEFAULT 'call'"
	"  CHECK (kind IN ('call', 'meeting'));"
	"DROP INDEX calls_one_pending;"
	"CREATE UNIQUE INDEX calls_one_pending ON calls(course_id, kind) WHERE state = 'pending';"
	"CREATE TABLE goals ("
	"  id INTEGER PRIMARY KEY,"
	"  course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  text TEXT NOT NULL,"
	"  agreed_at INTEGER NOT NULL,"
	"  author TEXT NOT NULL"
	");"
	"CREATE INDEX goals_course ON goals(course_id, id);"
	"CREATE TABLE goal_progress ("
	"  goal_id INTEGER NOT NULL REFERENCES goals(id),"
	"  call_id INTEGER NOT NULL REFERENCES calls(id),"
	"  progress TEXT NOT NULL CHECK (progress IN ('none', 'some', 'good', 'achieved')),"
	"  note TEXT,"
	"  recorded_at INTEGER NOT NULL,"
	"  author TEXT NOT NULL,"
	"  PRIMARY KEY (goal_id, call_id)"
	");"
	/* The closing procedure's items ticked (programme closing.items). */
	"CREATE TABLE course_checklist ("
	"  course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  item TEXT NOT NULL,"
	"  ticked_by TEXT NOT NULL,"
	"  ticked_at INTEGER NOT NULL,"
	"  PRIMARY KEY (course_id, item)"
	");",

	/* 23 (numbered at merge): the courses held at their window's end by
	 * their closing checklist, counted by mentorctl status and /metrics
	 * from these few rather than from every ended course. */
	"CREATE INDEX courses_awaiting_checklist ON courses(id)"
	"  WHERE state = 'ended' AND state_reason = 'awaiting_checklist';",

	/* 24: courses_retention's states as comparisons, not an IN list.
	 * SQLite evaluates a partial index's WHERE for every course it
	 * inserts or updates, and a list of more than two constants is built
	 * as a temporary b-tree each time, with a pager and page cache of its
	 * own: a third of the daily close's time. retention.c's query names
	 * the same terms. */
	"DROP INDEX courses_retention;"
	"CREATE INDEX courses_retention ON courses(state_changed_at)"
	"  WHERE anonymised_at IS NULL"
	"  AND (state = 'closed' OR state = 'superseded' OR state = 'cancelled'"
	"  OR state = 'deceased');",

	/* 25: outbox_pending_id goes. outbox_state (state, id), migration 8,
	 * answers every query it did ("state = 'pending' ... ORDER BY id")
	 * as well, and each index is written once for every row published
	 * and once more for every row sent. */
	"DROP INDEX outbox_pending_id;",

	/* 26: the search index is written once per transaction, at its end,
	 * not by each change. FTS5 writes what it holds in memory out as a
	 * segment of its own whenever a savepoint opens, and every change in
	 * a group commit, and every statement that may have to undo itself,
	 * opens one: a segment per discharge, and merges of them, were half
	 * the intake's time. Now the triggers only note the course, with
	 * what the index holds for it (NULL: nothing), the first time it
	 * changes in the transaction, and store_commit() brings the index up
	 * to date from the notes before COMMIT (store.c), so between
	 * transactions there are none. A write that does not end in
	 * store_commit() (sqlite3 by hand, tests/bulk-load.sh) leaves its
	 * notes behind; the next search catches them up. */
	"CREATE TABLE courses_search_pending ("
	"  course_id INTEGER PRIMARY KEY,"
	"  indexed INTEGER NOT NULL DEFAULT 0,"
	"  name TEXT,"
	"  phone TEXT"
	");"
	"DROP TRIGGER courses_search_insert;"
	"DROP TRIGGER courses_search_update;"
	"DROP TRIGGER courses_search_delete;"
	"CREATE TRIGGER courses_search_insert AFTER INSERT ON courses"
	"  WHEN NEW.anonymised_at IS NULL BEGIN"
	"  INSERT OR IGNORE INTO courses_search_pending (course_id) VALUES (NEW.id);"
	"  END;"
	"CREATE TRIGGER courses_search_update"
	"  AFTER UPDATE OF citizen_name, phone, anonymised_at ON courses"
	"  WHEN OLD.citizen_name IS NOT NEW.citizen_name OR OLD.phone IS NOT NEW.phone"
	"    OR OLD.anonymised_at IS NOT NEW.anonymised_at BEGIN"
	"  INSERT OR IGNORE INTO courses_search_pending (course_id, indexed, name, phone)"
	"    SELECT OLD.id, 1, OLD.citizen_name, OLD.phone WHERE OLD.anonymised_at IS NULL;"
	"  INSERT OR IGNORE INTO courses_search_pending (course_id) VALUES (OLD.id);"
	"  END;"
	"CREATE TRIGGER courses_search_delete AFTER DELETE ON courses"
	"  WHEN OLD.anonymised_at IS NULL BEGIN"
	"  INSERT OR IGNORE INTO courses_search_pending (course_id, indexed, name, phone)"
	"    VALUES (OLD.id, 1, OLD.citizen_name, OLD.phone);"
	"  END;",

	/* 27: how many courses have had their personal data erased, kept
	 * like migration 15's counts: mentorctl status counted them over
	 * every course, 0.2 s of its 0.6 s at a million. */
	"INSERT INTO row_counts SELECT 'course_anonymised', '', count(*) FROM courses"
	"  WHERE anonymised_at IS NOT NULL;"
	"CREATE TRIGGER row_counts_course_anonymised_insert AFTER INSERT ON courses"
	"  WHEN NEW.anonymised_at IS NOT NULL BEGIN"
	"  UPDATE row_counts SET n = n + 1 WHERE family = 'course_anonymised' AND label = '';"
	"  END;"
	"CREATE TRIGGER row_counts_course_anonymised AFTER UPDATE OF anonymised_at ON courses"
	"  WHEN (OLD.anonymised_at IS NULL) <> (NEW.anonymised_at IS NULL) BEGIN"
	"  UPDATE row_counts SET n = n + iif(NEW.anonymised_at IS NULL, -1, 1)"
	"    WHERE family = 'course_anonymised' AND label = '';"
	"  END;"
	"CREATE TRIGGER row_counts_course_anonymised_delete AFTER DELETE ON courses"
	"  WHEN OLD.anonymised_at IS NOT NULL BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'course_anonymised' AND label = '';"
	"  END;",

	/* 28: one index of a course's outbox rows instead of two. It answers
	 * what outbox_pending_course (migration 6) did, "is an earlier row
	 * of this course and kind pending?", from (course_id, kind, state,
	 * id), and what outbox_course did, every row of a course, by its
	 * first column. Each index of a row is written when the row is
	 * published and again when it is sent: a third of publishing a
	 * call task went to these two. */
	"DROP INDEX outbox_pending_course;"
	"DROP INDEX outbox_course;"
	"CREATE INDEX outbox_course ON outbox(course_id, kind, state, id);",

	/* 29: a life event's key reused for another message is a conflict,
	 * not a repetition (doc/life-events.md, "Idempotency of events"), so
	 * each key keeps the SHA-256 of what its message said as well: the
	 * source, key, event, CPR number and instant, hashed together. With
	 * the key in it, it tells no more than the key's own hash. Keys kept
	 * from before have none (NULL) and are taken as the same message, as
	 * they always were. */
	"ALTER TABLE life_event_keys ADD COLUMN content BLOB"
	"  CHECK (content IS NULL OR length(content) = 32);",

	/* 30: the retention purge and a withdrawn consent erase the wishes
	 * (their note is the citizen's free text) and the intake fingerprint
	 * (an unkeyed hash of name, CPR and phone that confirms a guess) as
	 * well, since they did not before: courses erased before have them
	 * erased now. */
	"UPDATE courses SET wishes = NULL, intake_fingerprint = NULL"
	"  WHERE anonymised_at IS NOT NULL"
	"  AND (wishes IS NOT NULL OR intake_fingerprint IS NOT NULL);",

	/* 31: the counts behind /metrics' counters only ever grow, as
	 * Prometheus reads a decrease as a restart and rate() then spikes.
	 * call_outcome counts outcomes as recorded, by result: a correction
	 * adds one to its new result and takes none from the old (call_result
	 * still counts calls by their present result, for the gauge).
	 * outbox_attempts adds attempts made and no longer gives them back
	 * when a dead letter is retried (attempts reset) or a row is
	 * withdrawn. course_source counts courses created by where they came
	 * from, so discharge notifications are told from self-referrals and
	 * caseworkers' referrals, as the summary report tells them. Each
	 * starts from what the tables hold now. */
	"INSERT INTO row_counts SELECT 'call_outcome', label, n FROM row_counts"
	"  WHERE family = 'call_result';"
	"INSERT OR IGNORE INTO row_counts VALUES ('call_outcome', 'reached', 0),"
	"  ('call_outcome', 'no_answer', 0), ('call_outcome', 'wrong_number', 0),"
	"  ('call_outcome', 'declined', 0);"
	"CREATE TRIGGER row_counts_call_outcome_insert AFTER INSERT ON calls"
	"  WHEN NEW.result IS NOT NULL BEGIN"
	"  INSERT INTO row_counts VALUES ('call_outcome', NEW.result, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"CREATE TRIGGER row_counts_call_outcome AFTER UPDATE OF result ON calls"
	"  WHEN NEW.result IS NOT NULL AND OLD.result IS NOT NEW.result BEGIN"
	"  INSERT INTO row_counts VALUES ('call_outcome', NEW.result, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;"
	"DROP TRIGGER row_counts_outbox_attempts;"
	"CREATE TRIGGER row_counts_outbox_attempts AFTER UPDATE OF attempts ON outbox"
	"  WHEN NEW.attempts > OLD.attempts BEGIN"
	"  UPDATE row_counts SET n = n + NEW.attempts - OLD.attempts"
	"    WHERE family = 'outbox_attempts' AND label = '';"
	"  END;"
	"DROP TRIGGER row_counts_outbox_delete;"
	"CREATE TRIGGER row_counts_outbox_delete AFTER DELETE ON outbox BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE family = 'outbox_state' AND label = OLD.state;"
	"  END;"
	"INSERT INTO row_counts SELECT 'course_source', source, count(*) FROM courses"
	"  GROUP BY source;"
	"CREATE TRIGGER row_counts_course_source AFTER INSERT ON courses BEGIN"
	"  INSERT INTO row_counts VALUES ('course_source', NEW.source, 1)"
	"    ON CONFLICT DO UPDATE SET n = n + 1;"
	"  END;",
};

/* Migrations that rebuild a table others refer to: SQLite's procedure
 * needs foreign keys off, which only takes effect outside a transaction;
 * the migration then checks them itself before it commits. */
static const int migrations_rebuilding[] = {14, 19};

#define MIGRATION_COUNT ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_migrate_latest(void)
{
	return MIGRATION_COUNT;
}

/* Statements here are prepared and finalized on the spot: they run once,
 * while the store opens, before any statement is cached (sql.h). */
int store_migrate_version(sqlite3 *db, int *version, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK) {
		xasprintf(cause, "reading schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		xasprintf(cause, "reading schema version: %s", sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	*version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

static bool rebuilds(int to)
{
	for (size_t i = 0; i < sizeof migrations_rebuilding / sizeof migrations_rebuilding[0]; i++)
		if (migrations_rebuilding[i] == to)
			return true;
	return false;
}

/* The first column of the first row of sql, or -1 (a pragma's value;
 * for foreign_key_check, 1 if it reports any row, else 0). */
static int pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int v = -1, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_type(stmt, 0) == SQLITE_INTEGER ? sqlite3_column_int(stmt, 0)
								   : 1;
	else if (rc == SQLITE_DONE)
		v = 0;
	sqlite3_finalize(stmt);
	return v;
}

static int apply_migration_tx(sqlite3 *db, int to, char **cause)
{
	char *bump, *sub = NULL;

	if (sql_exec(db, "BEGIN IMMEDIATE", cause) != 0)
		return -1;
	if (sql_exec(db, migrations[to - 1], &sub) != 0)
		goto fail;
	if (rebuilds(to) && pragma_int(db, "PRAGMA foreign_key_check") != 0) {
		xasprintf(&sub, "a foreign key no longer holds after the rebuild");
		goto fail;
	}
	/* PRAGMA takes no bound parameters; "to" is our own integer. */
	xasprintf(&bump, "PRAGMA user_version = %d", to);
	if (sql_exec(db, bump, &sub) != 0) {
		free(bump);
		goto fail;
	}
	free(bump);
	if (sql_exec(db, "COMMIT", &sub) != 0)
		goto fail;
	return 0;

fail:
	xasprintf(cause, "migration to schema version %d failed: %s", to, sub);
	free(sub);
	sub = NULL;
	sql_exec(db, "ROLLBACK", &sub);
	free(sub);
	return -1;
}

static int apply_migration(sqlite3 *db, int to, char **cause)
{
	char *ignored = NULL;
	int fk, rc;

	if (!rebuilds(to))
		return apply_migration_tx(db, to, cause);
	fk = pragma_int(db, "PRAGMA foreign_keys");
	if (sql_exec(db, "PRAGMA foreign_keys=OFF", cause) != 0)
		return -1;
	rc = apply_migration_tx(db, to, cause);
	if (fk == 1 && sql_exec(db, "PRAGMA foreign_keys=ON", &ignored) != 0) {
		if (rc == 0)
			xasprintf(cause, "turning foreign keys back on: %s", ignored);
		rc = -1;
	}
	free(ignored);
	return rc;
}

int store_migrate_to(sqlite3 *db, int target, char **cause)
{
	int version;

	if (store_migrate_version(db, &version, cause) != 0)
		return -1;
	if (version > MIGRATION_COUNT) {
		xasprintf(cause,
			  "database schema version %d is newer than this mentord "
			  "knows (%d); refusing to open it with an older version",
			  version, MIGRATION_COUNT);
		return -1;
	}
	for (int to = version + 1; to <= target; to++)
		if (apply_migration(db, to, cause) != 0)
			return -1;
	return 0;
}

int store_migrate(sqlite3 *db, char **cause)
{
	return store_migrate_to(db, MIGRATION_COUNT, cause);
}
