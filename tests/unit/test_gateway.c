/*
 * test_gateway.c - the gateway client against tests/mockgw, a real process
 * on an ephemeral port: outcomes per status and failure, headers and body
 * as the gateway saw them, the concurrency bound, a loop that keeps
 * running while the gateway is slow, shutdown with requests outstanding;
 * and the pure parts (status table, backoff).
 *
 * Control requests to mockgw use blocking libcurl easy calls: they run
 * between loop iterations, never inside the loop under test.
 */
#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway.h"

#define TOKEN "s3cret-token.for_tests~1"

struct mock {
	pid_t pid;
	int port;
	char dir[64];
	char port_file[128];
	char record[128];
	char url[64];
};

struct fixture;

struct done {
	struct fixture *f;
	int called;
	enum gateway_outcome outcome;
	long status;
	char error[512];
	char body[GATEWAY_REPLY_MAX + 1];
	size_t body_len;
	double at; /* monotonic seconds */
	int post_rc; /* what gateway_post() returned from inside the callback */
};

struct fixture {
	struct mock mock;
	struct event_base *base;
	struct gateway *gw;
	struct gateway_options options;
	int expected; /* callbacks still awaited by wait_for() */
	/* Everything a callback or an event may touch lives here, not on a
	 * test's stack: after a failed assertion teardown still frees the
	 * gateway, which runs the outstanding callbacks. */
	struct done done[16];
	int ndone;
	struct event *ticker;
	struct done other;
	int free_cb_called;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* --- mockgw as a child process -------------------------------------------- */

static int mock_start(struct mock *m, const char *token)
{
	const char *builddir = getenv("top_builddir");
	char program[4096];
	pid_t parent = getpid();
	FILE *f;

	memset(m, 0, sizeof *m);
	snprintf(m->dir, sizeof m->dir, "/tmp/mentord-test-gw-XXXXXX");
	if (mkdtemp(m->dir) == NULL)
		return -1;
	snprintf(m->port_file, sizeof m->port_file, "%s/port", m->dir);
	snprintf(m->record, sizeof m->record, "%s/record.jsonl", m->dir);
	snprintf(program, sizeof program, "%s/tests/mockgw", builddir != NULL ? builddir : ".");
	m->pid = fork();
	if (m->pid < 0)
		return -1;
	if (m->pid == 0) {
		/* A crashed test must not leave its gateway running. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		if (token != NULL)
			execl(program, "mockgw", "--port-file", m->port_file, "--record", m->record,
			      "--token", token, (char *)NULL);
		else
			execl(program, "mockgw", "--port-file", m->port_file, "--record", m->record,
			      (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", program, strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		if ((f = fopen(m->port_file, "r")) != NULL) {
			int ok = fscanf(f, "%d", &m->port) == 1;
			fclose(f);
			if (ok) {
				snprintf(m->url, sizeof m->url, "http://127.0.0.1:%d", m->port);
				return 0;
			}
		}
		if (waitpid(m->pid, NULL, WNOHANG) == m->pid) {
			m->pid = 0;
			return -1;
		}
		sleep_ms(10);
	}
	return -1;
}

/* SIGTERM, and mockgw must exit 0 within 5 s. Returns 0 if it did. */
static int mock_stop(struct mock *m)
{
	int status = 0, rc = -1;

	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		for (int i = 0; i < 500; i++) {
			if (waitpid(m->pid, &status, WNOHANG) == m->pid) {
				rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
				break;
			}
			sleep_ms(10);
		}
		if (rc != 0 && !WIFEXITED(status) && !WIFSIGNALED(status)) {
			kill(m->pid, SIGKILL);
			waitpid(m->pid, NULL, 0);
		}
		m->pid = 0;
	}
	unlink(m->port_file);
	unlink(m->record);
	rmdir(m->dir);
	return rc;
}

static size_t collect_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	char **text = arg;
	size_t old = *text != NULL ? strlen(*text) : 0, n = size * nmemb;

	*text = realloc(*text, old + n + 1);
	memcpy(*text + old, data, n);
	(*text)[old + n] = '\0';
	return n;
}

/* A blocking request outside the loop under test; returns the status. */
static long easy_request(const struct mock *m, const char *path, const char *body,
			 struct curl_slist *headers, char **reply)
{
	char url[256];
	long status = 0;
	CURL *easy = curl_easy_init();

	snprintf(url, sizeof url, "%s%s", m->url, path);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
	if (body != NULL)
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, reply);
	if (curl_easy_perform(easy) == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(easy);
	return status;
}

static void mock_control(const struct mock *m, const char *json)
{
	char *reply = NULL;

	assert_int_equal(easy_request(m, "/control", json, NULL, &reply), 200);
	free(reply);
}

static json_t *mock_stats(const struct mock *m)
{
	char *reply = NULL;
	json_t *stats;

	assert_int_equal(easy_request(m, "/control/stats", NULL, NULL, &reply), 200);
	stats = json_loads(reply, 0, NULL);
	free(reply);
	assert_non_null(stats);
	return stats;
}

static long stat_value(const struct mock *m, const char *name)
{
	json_t *stats = mock_stats(m);
	long value = (long)json_integer_value(json_object_get(stats, name));

	json_decref(stats);
	return value;
}

/* Every line of the record file, parsed. */
static json_t *mock_records(const struct mock *m)
{
	json_t *all = json_array();
	char line[65536];
	FILE *f = fopen(m->record, "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		json_t *record = json_loads(line, 0, NULL);
		assert_non_null(record);
		json_array_append_new(all, record);
	}
	fclose(f);
	return all;
}

static const char *record_string(json_t *records, size_t i, const char *name)
{
	return json_string_value(json_object_get(json_array_get(records, i), name));
}

/* --- fixture and loop helpers ------------------------------------------------ */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cause = NULL;

	if (f == NULL || mock_start(&f->mock, TOKEN) != 0) {
		fprintf(stderr, "cannot start tests/mockgw (is top_builddir set?)\n");
		free(f);
		return -1;
	}
	f->base = event_base_new();
	f->options = (struct gateway_options){
		.url = f->mock.url,
		.token = TOKEN,
		.connect_timeout_ms = 2000,
		.timeout_ms = 3000,
		.max_in_flight = 4,
	};
	f->gw = gateway_new(f->base, &f->options, &cause);
	if (f->gw == NULL) {
		fprintf(stderr, "gateway_new: %s\n", cause);
		free(cause);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	gateway_free(f->gw);
	if (f->ticker != NULL)
		event_free(f->ticker);
	event_base_free(f->base);
	rc = mock_stop(&f->mock);
	if (rc != 0)
		fprintf(stderr, "mockgw did not exit 0 on SIGTERM\n");
	free(f);
	return rc;
}

static struct done *done_new(struct fixture *f, int n)
{
	struct done *d = &f->done[f->ndone];

	assert_true(f->ndone + n <= (int)(sizeof f->done / sizeof f->done[0]));
	f->ndone += n;
	return d;
}

static void done_cb(const struct gateway_result *result, void *arg)
{
	struct done *d = arg;

	d->called++;
	d->outcome = result->outcome;
	d->status = result->status;
	snprintf(d->error, sizeof d->error, "%s", result->error);
	assert_true(result->body_len <= GATEWAY_REPLY_MAX);
	memcpy(d->body, result->body, result->body_len + 1);
	d->body_len = result->body_len;
	d->at = now_s();
	if (d->f != NULL)
		d->f->expected--;
}

static void deadline_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	*(int *)arg = 1;
}

/* Run the loop until f->expected callbacks have come, or fail after max_s. */
static void wait_for(struct fixture *f, double max_s)
{
	int expired = 0;
	struct timeval tv = {(time_t)max_s, (suseconds_t)((max_s - (time_t)max_s) * 1e6)};
	struct event *deadline = evtimer_new(f->base, deadline_cb, &expired);

	evtimer_add(deadline, &tv);
	while (f->expected > 0 && !expired)
		event_base_loop(f->base, EVLOOP_ONCE);
	event_free(deadline);
	if (f->expected > 0)
		fail_msg("%d callbacks missing after %.1f s", f->expected, max_s);
}

static void post(struct fixture *f, const char *path, const char *key, const char *body,
		 struct done *d)
{
	struct error err;

	d->f = f;
	if (gateway_post(f->gw, path, key, body, done_cb, d, &err) != 0)
		fail_msg("gateway_post: %s", err.message);
	f->expected++;
}

static void post_and_wait(struct fixture *f, const char *key, struct done *d)
{
	post(f, "/v1/messages", key, "{\"n\":1}", d);
	wait_for(f, 10);
	assert_int_equal(d->called, 1);
}

static void set_options(struct fixture *f)
{
	char *cause = NULL;

	if (gateway_set_options(f->gw, &f->options, &cause) != 0)
		fail_msg("gateway_set_options: %s", cause);
}

/* --- delivery ------------------------------------------------------------------ */

static void test_post_is_delivered_with_exact_headers_and_body(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 1);
	char body[2048];
	json_t *records;
	int n;

	/* Over 1 KiB, where libcurl would otherwise wait for 100-continue. */
	n = snprintf(body, sizeof body,
		     "{\"message_uuid\":\"5d0e6f4a-4c1b-4a57-9b7e-0c2d3e4f5a6b\","
		     "\"type\":\"followup\",\"label\":\"Opfølgning fra din mentor\","
		     "\"body\":\"Hej Åse – vi ses på torsdag.\\nMvh\",\"offers\":[");
	while (n < 1200)
		n += snprintf(body + n, sizeof body - (size_t)n, "\"Åben rådgivning\",");
	snprintf(body + n - 1, sizeof body - (size_t)n + 1, "]}");

	post(f, "/v1/messages", "msg-5d0e6f4a:1", body, d);
	/* Never from inside gateway_post(): only the loop runs callbacks. */
	assert_int_equal(d->called, 0);
	assert_int_equal(gateway_in_flight(f->gw), 1);
	wait_for(f, 10);
	assert_int_equal(d->called, 1);
	assert_int_equal(d->outcome, GATEWAY_DELIVERED);
	assert_int_equal(d->status, 200);
	assert_string_equal(d->error, "");
	assert_non_null(strstr(d->body, "accepted"));
	assert_int_equal(gateway_in_flight(f->gw), 0);

	records = mock_records(&f->mock);
	assert_int_equal(json_array_size(records), 1);
	assert_string_equal(record_string(records, 0, "method"), "POST");
	assert_string_equal(record_string(records, 0, "path"), "/v1/messages");
	assert_string_equal(record_string(records, 0, "idempotency_key"), "msg-5d0e6f4a:1");
	assert_string_equal(record_string(records, 0, "authorization"), "Bearer " TOKEN);
	assert_string_equal(record_string(records, 0, "content_type"), "application/json");
	assert_string_equal(record_string(records, 0, "body"), body);
	assert_true(json_is_false(json_object_get(json_array_get(records, 0), "duplicate")));
	json_decref(records);
}

static void test_base_url_slash_and_call_task_path(void **state)
{
	struct fixture *f = *state;
	char url[80];
	struct done *d = done_new(f, 1);
	json_t *records;

	snprintf(url, sizeof url, "%s/", f->mock.url);
	f->options.url = url;
	set_options(f);
	post(f, "/v1/call-tasks", "task-17:3", "{\"id\":17}", d);
	wait_for(f, 10);
	assert_int_equal(d->outcome, GATEWAY_DELIVERED);
	records = mock_records(&f->mock);
	assert_string_equal(record_string(records, 0, "path"), "/v1/call-tasks");
	json_decref(records);
}

static void test_repeated_key_is_delivered_and_deduplicated(void **state)
{
	struct fixture *f = *state;
	struct done *a = done_new(f, 1), *b = done_new(f, 1);
	json_t *records;

	post_and_wait(f, "msg-1", a);
	post_and_wait(f, "msg-1", b);
	assert_int_equal(a->outcome, GATEWAY_DELIVERED);
	assert_int_equal(b->outcome, GATEWAY_DELIVERED);
	records = mock_records(&f->mock);
	assert_int_equal(json_array_size(records), 2);
	assert_true(json_is_true(json_object_get(json_array_get(records, 1), "duplicate")));
	json_decref(records);
	assert_int_equal(stat_value(&f->mock, "requests"), 2);
	assert_int_equal(stat_value(&f->mock, "distinct_keys"), 1);
	assert_int_equal(stat_value(&f->mock, "duplicates"), 1);
}

static void test_409_is_delivered(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 1);

	mock_control(&f->mock, "{\"mode\":\"conflict\",\"count\":1}");
	post_and_wait(f, "msg-409", d);
	assert_int_equal(d->outcome, GATEWAY_DELIVERED);
	assert_int_equal(d->status, 409);
}

static void test_statuses_are_classified_end_to_end(void **state)
{
	static const struct {
		int status;
		enum gateway_outcome outcome;
	} cases[] = {
		{201, GATEWAY_DELIVERED}, {202, GATEWAY_DELIVERED}, {400, GATEWAY_PERMANENT},
		{403, GATEWAY_PERMANENT}, {404, GATEWAY_PERMANENT}, {422, GATEWAY_PERMANENT},
		{408, GATEWAY_TRANSIENT}, {429, GATEWAY_TRANSIENT}, {500, GATEWAY_TRANSIENT},
		{502, GATEWAY_TRANSIENT}, {503, GATEWAY_TRANSIENT}, {301, GATEWAY_TRANSIENT},
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char control[128], key[32], expect[32];
		struct done *d = done_new(f, 1);

		snprintf(control, sizeof control, "{\"mode\":\"status\",\"status\":%d,\"count\":1}",
			 cases[i].status);
		mock_control(&f->mock, control);
		snprintf(key, sizeof key, "msg-status-%d", cases[i].status);
		post_and_wait(f, key, d);
		if (d->outcome != cases[i].outcome || d->status != cases[i].status)
			fail_msg("HTTP %d: got %s, status %ld", cases[i].status,
				 gateway_outcome_name(d->outcome), d->status);
		snprintf(expect, sizeof expect, "HTTP %d", cases[i].status);
		if (cases[i].outcome == GATEWAY_DELIVERED)
			assert_string_equal(d->error, "");
		else
			assert_string_equal(d->error, expect);
	}
}

static void test_status_table(void **state)
{
	(void)state;
	assert_int_equal(gateway_classify_status(200), GATEWAY_DELIVERED);
	assert_int_equal(gateway_classify_status(204), GATEWAY_DELIVERED);
	assert_int_equal(gateway_classify_status(299), GATEWAY_DELIVERED);
	assert_int_equal(gateway_classify_status(409), GATEWAY_DELIVERED);
	assert_int_equal(gateway_classify_status(400), GATEWAY_PERMANENT);
	assert_int_equal(gateway_classify_status(401), GATEWAY_PERMANENT);
	assert_int_equal(gateway_classify_status(410), GATEWAY_PERMANENT);
	assert_int_equal(gateway_classify_status(499), GATEWAY_PERMANENT);
	assert_int_equal(gateway_classify_status(408), GATEWAY_TRANSIENT);
	assert_int_equal(gateway_classify_status(429), GATEWAY_TRANSIENT);
	assert_int_equal(gateway_classify_status(500), GATEWAY_TRANSIENT);
	assert_int_equal(gateway_classify_status(599), GATEWAY_TRANSIENT);
	assert_int_equal(gateway_classify_status(302), GATEWAY_TRANSIENT);
	assert_int_equal(gateway_classify_status(100), GATEWAY_TRANSIENT);
	assert_int_equal(gateway_classify_status(0), GATEWAY_TRANSIENT);
	assert_string_equal(gateway_outcome_name(GATEWAY_CANCELLED), "cancelled");
}

/* A new token (SIGHUP) applies to the next request. */
static void test_wrong_token_is_permanent_and_new_token_applies(void **state)
{
	struct fixture *f = *state;
	struct done *a = done_new(f, 1), *b = done_new(f, 1);
	json_t *records;

	f->options.token = "not-the-token";
	set_options(f);
	post_and_wait(f, "msg-auth", a);
	assert_int_equal(a->outcome, GATEWAY_PERMANENT);
	assert_int_equal(a->status, 401);

	f->options.token = TOKEN;
	set_options(f);
	post_and_wait(f, "msg-auth", b);
	assert_int_equal(b->outcome, GATEWAY_DELIVERED);
	records = mock_records(&f->mock);
	assert_string_equal(record_string(records, 0, "authorization"), "Bearer not-the-token");
	assert_string_equal(record_string(records, 1, "authorization"), "Bearer " TOKEN);
	json_decref(records);
	assert_int_equal(stat_value(&f->mock, "unauthorized"), 1);
}

/* --- transport failures ------------------------------------------------------- */

static void test_timeout_is_transient_within_the_timeout(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 1);
	double start, took;

	f->options.timeout_ms = 1000;
	set_options(f);
	mock_control(&f->mock, "{\"mode\":\"sleep\",\"sleep_ms\":5000}");
	start = now_s();
	post_and_wait(f, "msg-slow", d);
	took = d->at - start;
	print_message("# timeout 1000 ms: TRANSIENT after %.0f ms (%s)\n", took * 1000, d->error);
	assert_int_equal(d->outcome, GATEWAY_TRANSIENT);
	assert_int_equal(d->status, 0);
	assert_non_null(strstr(d->error, "curl error 28"));
	assert_true(took >= 0.9 && took < 2.0);
}

static void test_closed_connection_is_transient(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 1);

	mock_control(&f->mock, "{\"mode\":\"close\"}");
	post_and_wait(f, "msg-close", d);
	print_message("# closed connection: %s\n", d->error);
	assert_int_equal(d->outcome, GATEWAY_TRANSIENT);
	assert_int_equal(d->status, 0);
	assert_non_null(strstr(d->error, "curl error 52"));
}

static void test_connection_refused_is_transient(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sin;
	char url[64];
	struct done *d = done_new(f, 1);
	int fd;

	/* Bound but not listening: the port is ours and refuses connections. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(sin.sin_port));
	f->options.url = url;
	set_options(f);
	post_and_wait(f, "msg-refused", d);
	close(fd);
	print_message("# refused: %s\n", d->error);
	assert_int_equal(d->outcome, GATEWAY_TRANSIENT);
	assert_int_equal(d->status, 0);
	assert_non_null(strstr(d->error, "curl error 7"));
}

static void test_reply_body_is_truncated_not_failed(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 1);

	mock_control(&f->mock, "{\"mode\":\"ok\",\"body_bytes\":200000}");
	post_and_wait(f, "msg-big-reply", d);
	assert_int_equal(d->outcome, GATEWAY_DELIVERED);
	assert_int_equal(d->body_len, GATEWAY_REPLY_MAX);
	assert_int_equal(strlen(d->body), GATEWAY_REPLY_MAX);
	assert_int_equal(d->body[0], '{');
}

/* --- the loop and the bound ----------------------------------------------------- */

static void test_concurrency_bound_and_fifo(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 10);
	char key[10][16];
	double start, took;
	json_t *records;

	f->options.max_in_flight = 2;
	set_options(f);
	mock_control(&f->mock, "{\"mode\":\"sleep\",\"sleep_ms\":200}");
	start = now_s();
	for (int i = 0; i < 10; i++) {
		snprintf(key[i], sizeof key[i], "msg-c%d", i);
		post(f, "/v1/messages", key[i], "{}", &d[i]);
	}
	assert_int_equal(gateway_in_flight(f->gw), 2);
	assert_int_equal(gateway_queued(f->gw), 8);
	wait_for(f, 10);
	took = now_s() - start;
	for (int i = 0; i < 10; i++)
		assert_int_equal(d[i].outcome, GATEWAY_DELIVERED);
	assert_int_equal(gateway_in_flight(f->gw), 0);
	assert_int_equal(gateway_queued(f->gw), 0);
	print_message("# 10 posts, max_in_flight 2, 200 ms each: %.0f ms, mockgw saw at most %ld\n",
		      took * 1000, stat_value(&f->mock, "max_in_flight"));
	assert_int_equal(stat_value(&f->mock, "max_in_flight"), 2);
	assert_int_equal(stat_value(&f->mock, "distinct_keys"), 10);
	assert_true(took >= 0.95);
	/* FIFO: each key reaches the gateway within one place of its turn. */
	records = mock_records(&f->mock);
	assert_int_equal(json_array_size(records), 10);
	for (int i = 0; i < 10; i++) {
		const char *k = record_string(records, (size_t)i, "idempotency_key");
		int n = atoi(k + 5);
		assert_true(n >= i - 1 && n <= i + 1);
	}
	json_decref(records);
}

/* Raising max_in_flight (SIGHUP) starts queued requests at once. */
static void test_raising_the_bound_starts_queued_requests(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 4);

	f->options.max_in_flight = 1;
	set_options(f);
	mock_control(&f->mock, "{\"mode\":\"sleep\",\"sleep_ms\":300}");
	for (int i = 0; i < 4; i++) {
		char key[16];
		snprintf(key, sizeof key, "msg-r%d", i);
		post(f, "/v1/messages", key, "{}", &d[i]);
	}
	assert_int_equal(gateway_queued(f->gw), 3);
	f->options.max_in_flight = 4;
	set_options(f);
	assert_int_equal(gateway_queued(f->gw), 0);
	assert_int_equal(gateway_in_flight(f->gw), 4);
	wait_for(f, 10);
	assert_int_equal(stat_value(&f->mock, "max_in_flight"), 4);
}

struct ticker {
	int ticks;
	double last, max_gap;
};

static void tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ticker *t = arg;
	double now = now_s();

	(void)fd;
	(void)events;
	if (t->ticks > 0 && now - t->last > t->max_gap)
		t->max_gap = now - t->last;
	t->last = now;
	t->ticks++;
}

static void test_slow_gateway_does_not_block_the_loop(void **state)
{
	struct fixture *f = *state;
	static struct ticker t;
	struct timeval ten_ms = {0, 10000};
	struct done *d = done_new(f, 1);
	double start, took;

	mock_control(&f->mock, "{\"mode\":\"sleep\",\"sleep_ms\":1000}");
	memset(&t, 0, sizeof t);
	f->ticker = event_new(f->base, -1, EV_PERSIST, tick_cb, &t);
	event_add(f->ticker, &ten_ms);
	start = t.last = now_s();
	post_and_wait(f, "msg-tick", d);
	took = d->at - start;
	event_free(f->ticker);
	f->ticker = NULL;
	print_message("# request slept %.0f ms; the 10 ms timer fired %d times, largest gap %.1f ms\n",
		      took * 1000, t.ticks, t.max_gap * 1000);
	assert_int_equal(d->outcome, GATEWAY_DELIVERED);
	assert_true(took >= 0.95);
	assert_true(t.ticks >= 50);
	assert_true(t.max_gap < 0.25);
}

/* --- shutdown ----------------------------------------------------------------------- */

static void cancelled_cb(const struct gateway_result *result, void *arg)
{
	struct done *d = arg;
	char *cause = NULL;
	struct error err;

	done_cb(result, arg);
	/* A callback run by gateway_free() cannot post. */
	d->post_rc = gateway_post(d->f->gw, "/v1/messages", "late", "{}", done_cb, NULL, &err);
	free(cause);
}

static void test_free_with_requests_outstanding_cancels_them(void **state)
{
	struct fixture *f = *state;
	struct done *d = done_new(f, 3);
	struct error err;

	f->options.max_in_flight = 1;
	set_options(f);
	mock_control(&f->mock, "{\"mode\":\"sleep\",\"sleep_ms\":3000}");
	for (int i = 0; i < 3; i++) {
		d[i].f = f;
		assert_int_equal(gateway_post(f->gw, "/v1/messages", "msg-cancel", "{}",
					      cancelled_cb, &d[i], &err),
				 0);
	}
	/* Let the first reach the gateway. */
	for (int i = 0; i < 100 && stat_value(&f->mock, "requests") == 0; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK), sleep_ms(10);
	assert_int_equal(stat_value(&f->mock, "requests"), 1);
	gateway_free(f->gw);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(d[i].called, 1);
		assert_int_equal(d[i].outcome, GATEWAY_CANCELLED);
		assert_int_equal(d[i].post_rc, -1);
	}
	f->gw = NULL;
}

static void free_gateway_cb(const struct gateway_result *result, void *arg)
{
	struct fixture *f = arg;

	f->free_cb_called++;
	f->expected--;
	if (result->outcome != GATEWAY_DELIVERED)
		return;
	gateway_free(f->gw);
	f->gw = NULL;
	/* The other request's CANCELLED comes only after this returns. */
	f->free_cb_called += f->other.called * 100;
}

static void test_free_from_a_callback(void **state)
{
	struct fixture *f = *state;
	struct error err;

	mock_control(&f->mock, "{\"mode\":\"sleep\",\"sleep_ms\":3000,\"path\":\"/v1/slow\"}");
	post(f, "/v1/slow", "msg-slow", "{}", &f->other);
	assert_int_equal(gateway_post(f->gw, "/v1/messages", "msg-fast", "{}", free_gateway_cb,
				      f, &err),
			 0);
	f->expected++;
	wait_for(f, 10);
	assert_null(f->gw);
	assert_int_equal(f->free_cb_called, 1);
	assert_int_equal(f->other.called, 1);
	assert_int_equal(f->other.outcome, GATEWAY_CANCELLED);
}

/* --- argument checks ------------------------------------------------------------------ */

static void test_bad_arguments_are_refused(void **state)
{
	struct fixture *f = *state;
	struct gateway_options bad = f->options;
	char long_key[300], *cause = NULL;
	struct error err;
	struct done *d = done_new(f, 1);
	static const char *bad_keys[] = {"", "a\r\nX-Evil: 1", "has space", "tab\tkey", "æøå"};

	memset(long_key, 'k', sizeof long_key - 1);
	long_key[sizeof long_key - 1] = '\0';
	for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
		assert_int_equal(gateway_post(f->gw, "/v1/messages", bad_keys[i], "{}", done_cb, d,
					      &err),
				 -1);
		assert_non_null(strstr(err.message, "Idempotency-Key"));
		free(cause);
		cause = NULL;
	}
	assert_int_equal(gateway_post(f->gw, "/v1/messages", long_key, "{}", done_cb, d, &err),
			 -1);
	free(cause);
	cause = NULL;
	long_key[GATEWAY_KEY_MAX] = '\0'; /* exactly the limit is fine */
	d->f = f;
	assert_int_equal(gateway_post(f->gw, "/v1/messages", long_key, "{}", done_cb, d, &err),
			 0);
	f->expected++;
	assert_int_equal(gateway_post(f->gw, "v1/messages", "k", "{}", done_cb, d, &err), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(gateway_post(f->gw, "/v1/a b", "k", "{}", done_cb, d, &err), -1);
	free(cause);
	cause = NULL;
	wait_for(f, 10);
	assert_int_equal(d->called, 1);
	assert_int_equal(d->outcome, GATEWAY_DELIVERED);

	bad.url = "ftp://example.org";
	assert_null(gateway_new(f->base, &bad, &cause));
	assert_non_null(strstr(cause, "http"));
	free(cause);
	cause = NULL;
	bad = f->options;
	bad.max_in_flight = 0;
	assert_int_equal(gateway_set_options(f->gw, &bad, &cause), -1);
	free(cause);
	cause = NULL;
	bad = f->options;
	bad.token = "two words";
	assert_int_equal(gateway_set_options(f->gw, &bad, &cause), -1);
	free(cause);
	cause = NULL;
	bad = f->options;
	bad.ca_path = "/nonexistent/ca.pem";
	assert_int_equal(gateway_set_options(f->gw, &bad, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/ca.pem"));
	free(cause);
	cause = NULL;
	/* The old options are still in force. */
	d = done_new(f, 1);
	post_and_wait(f, "msg-after-bad-options", d);
	assert_int_equal(d->outcome, GATEWAY_DELIVERED);
}

static void test_mockgw_is_strict(void **state)
{
	struct fixture *f = *state;
	struct curl_slist *h = NULL;
	char *reply = NULL;

	h = curl_slist_append(h, "Authorization: Bearer " TOKEN);
	h = curl_slist_append(h, "Content-Type: application/json");
	assert_int_equal(easy_request(&f->mock, "/v1/messages", "{}", h, &reply), 400);
	h = curl_slist_append(h, "Idempotency-Key: k1");
	assert_int_equal(easy_request(&f->mock, "/v1/messages", "not json", h, &reply), 400);
	assert_int_equal(easy_request(&f->mock, "/v1/messages", "{}", h, &reply), 200);
	assert_int_equal(easy_request(&f->mock, "/v1/messages", NULL, h, &reply), 405);
	curl_slist_free_all(h);
	h = curl_slist_append(NULL, "Idempotency-Key: k2");
	h = curl_slist_append(h, "Content-Type: application/json");
	assert_int_equal(easy_request(&f->mock, "/v1/messages", "{}", h, &reply), 401);
	curl_slist_free_all(h);
	free(reply);
	assert_int_equal(stat_value(&f->mock, "requests"), 5);
}

/* --- token file and backoff ------------------------------------------------------------ */

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/mentord-test-token-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_token_file(void **state)
{
	static const struct {
		const char *text;
		const char *token; /* NULL = refused */
	} cases[] = {
		{"abc.DEF-123_~+/=\n", "abc.DEF-123_~+/="},
		{"  padded \r\n\n", "padded"},
		{"no-newline", "no-newline"},
		{"", NULL},
		{"\n\n", NULL},
		{"two\nlines\n", NULL},
		{"with space\n", NULL},
	};
	char *token = NULL, *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = write_temp(cases[i].text);
		int rc = gateway_load_token(path, &token, &cause);
		if (cases[i].token != NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, cause);
			assert_string_equal(token, cases[i].token);
			free(token);
		} else {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(cause, path));
			free(cause);
		}
		token = cause = NULL;
		unlink(path);
		free(path);
	}
	assert_int_equal(gateway_load_token("/nonexistent/token", &token, &cause), -1);
	free(cause);
}

/* Who may read the token may send in the municipality's name. */
static void test_token_file_mode(void **state)
{
	static const struct {
		mode_t mode;
		bool accepted;
	} cases[] = {
		{0600, true}, {0400, true}, {0640, true}, {0644, false}, {0604, false}, {0620, false},
	};
	char *path = write_temp("secret-token\n"), *token = NULL, *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(chmod(path, cases[i].mode), 0);
		int rc = gateway_load_token(path, &token, &cause);
		if (cases[i].accepted && rc != 0)
			fail_msg("mode %04o refused: %s", (unsigned)cases[i].mode, cause);
		if (!cases[i].accepted && (rc == 0 || strstr(cause, "readable or writable by others") == NULL))
			fail_msg("mode %04o accepted", (unsigned)cases[i].mode);
		free(token);
		free(cause);
		token = cause = NULL;
	}
	unlink(path);
	free(path);
}

static void test_backoff_table(void **state)
{
	static const struct {
		int attempt;
		uint32_t random;
		time_t expect;
	} cases[] = {
		{1, 0, 27},	   {1, 3, 30},	       {1, 6, 33},	   {1, 7, 27},
		{1, UINT32_MAX, 30}, {0, 3, 30},	       {-5, 3, 30},	   {2, 0, 54},
		{2, 12, 66},	   {3, 12, 120},       {7, 0, 1728},	   {7, 384, 2112},
		/* 30 * 2^7 = 3840 is capped at 3600, and jitter above the cap
		 * is mirrored below it. */
		{8, 0, 3240},	   {8, 360, 3600},     {8, 361, 3599},	   {8, 720, 3240},
		{1000, 360, 3600}, {INT32_MAX, 0, 3240},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_t got = gateway_backoff_delay(cases[i].attempt, 30, 3600, cases[i].random);
		if (got != cases[i].expect)
			fail_msg("attempt %d random %u: %lld, expected %lld", cases[i].attempt,
				 cases[i].random, (long long)got, (long long)cases[i].expect);
	}
	assert_int_equal(gateway_backoff_delay(1, 1, 1, 12345), 1);
	assert_int_equal(gateway_backoff_delay(5, 0, 0, 12345), 1);
	/* Any random value: within ±10% of the doubled delay, never above
	 * the cap, never shrinking by more than the jitter. */
	for (int attempt = 1; attempt <= 40; attempt++) {
		int64_t base = 30;
		for (int i = 1; i < attempt && base < 3600; i++)
			base *= 2;
		if (base > 3600)
			base = 3600;
		for (uint32_t r = 1, i = 0; i < 2000; i++) {
			time_t got;
			r = r * 1103515245u + 12345u;
			got = gateway_backoff_delay(attempt, 30, 3600, r);
			if (got < base - base / 10 || got > base + base / 10 || got > 3600)
				fail_msg("attempt %d random %u: %lld", attempt, r, (long long)got);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define NET(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		NET(test_post_is_delivered_with_exact_headers_and_body),
		NET(test_base_url_slash_and_call_task_path),
		NET(test_repeated_key_is_delivered_and_deduplicated),
		NET(test_409_is_delivered),
		NET(test_statuses_are_classified_end_to_end),
		NET(test_wrong_token_is_permanent_and_new_token_applies),
		NET(test_timeout_is_transient_within_the_timeout),
		NET(test_closed_connection_is_transient),
		NET(test_connection_refused_is_transient),
		NET(test_reply_body_is_truncated_not_failed),
		NET(test_concurrency_bound_and_fifo),
		NET(test_raising_the_bound_starts_queued_requests),
		NET(test_slow_gateway_does_not_block_the_loop),
		NET(test_free_with_requests_outstanding_cancels_them),
		NET(test_free_from_a_callback),
		NET(test_bad_arguments_are_refused),
		NET(test_mockgw_is_strict),
#undef NET
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_token_file_mode),
		cmocka_unit_test(test_backoff_table),
	};
	int rc;

	/* The tests talk to 127.0.0.1 only; a proxy from the environment
	 * would change what they measure. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("gateway", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
