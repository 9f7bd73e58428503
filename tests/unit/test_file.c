/*
 * test_file.c - unit tests for file.c: a whole small file into memory,
 * refusing what is not a small regular file and secrets others can read.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "xmalloc.h"

struct dir {
	char path[64];
};

static int dir_setup(void **state)
{
	struct dir *d = xcalloc(1, sizeof *d);

	strcpy(d->path, "/tmp/test_file.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;
	char *cmd;

	xasprintf(&cmd, "rm -rf '%s'", d->path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(d);
	return 0;
}

/* A file of `len` bytes of `fill` with the given mode; its path. */
static char *write_file(struct dir *d, const char *name, size_t len, char fill, mode_t mode)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/%s", d->path, name);
	assert_non_null(f = fopen(path, "w"));
	for (size_t i = 0; i < len; i++)
		assert_int_not_equal(fputc(fill, f), EOF);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void expect_refused(const char *path, size_t max, unsigned flags, const char *why)
{
	char *data = (char *)"untouched", *cause = NULL;
	size_t len = 7;

	assert_int_equal(file_read(path, max, flags, &data, &len, &cause), -1);
	assert_string_equal(data, "untouched");
	assert_int_equal(len, 7);
	assert_non_null(cause);
	if (strstr(cause, why) == NULL || strstr(cause, path) == NULL)
		fail_msg("cause \"%s\" does not name %s and \"%s\"", cause, path, why);
	free(cause);
}

static void test_reads_whole_file_nul_terminated(void **state)
{
	char *path = write_file(*state, "a", 100000, 'x', 0644), *data, *cause = NULL;
	size_t len;

	assert_int_equal(file_read(path, 100000, 0, &data, &len, &cause), 0);
	assert_int_equal(len, 100000);
	assert_int_equal(strspn(data, "x"), 100000);
	assert_int_equal(data[len], '\0');
	free(data);
	free(path);
}

static void test_empty_file(void **state)
{
	char *path = write_file(*state, "empty", 0, 'x', 0644), *data, *cause = NULL;
	size_t len = 1;

	assert_int_equal(file_read(path, 10, 0, &data, &len, &cause), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	free(path);
}

/* /proc files say they are empty: the buffer grows as the bytes come, as
 * for a file that grows while it is read. */
static void test_file_longer_than_its_size(void **state)
{
	char *data, *cause = NULL;
	size_t len;

	(void)state;
	assert_int_equal(file_read("/proc/self/status", 1 << 20, 0, &data, &len, &cause), 0);
	assert_true(len > 100);
	assert_int_equal(strlen(data), len);
	assert_non_null(strstr(data, "Name:"));
	free(data);
	expect_refused("/proc/self/status", 10, 0, "larger than 10 bytes");
}

static void test_one_byte_over_the_limit(void **state)
{
	char *path = write_file(*state, "big", 11, 'x', 0644);

	expect_refused(path, 10, 0, "larger than 10 bytes");
	free(path);
}

static void test_not_a_regular_file(void **state)
{
	struct dir *d = *state;
	char *fifo;

	expect_refused(d->path, 10, 0, "not a regular file");
	/* Opened O_NONBLOCK: a FIFO with no writer must not stall the read. */
	xasprintf(&fifo, "%s/fifo", d->path);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_refused(fifo, 10, 0, "not a regular file");
	free(fifo);
}

static void test_missing_file(void **state)
{
	struct dir *d = *state;
	char *path;

	xasprintf(&path, "%s/none", d->path);
	expect_refused(path, 10, 0, "No such file");
	free(path);
}

static void test_secret_modes(void **state)
{
	static const struct {
		mode_t mode;
		int accepted;
	} cases[] = {
		{0600, 1}, {0640, 1}, {0400, 1}, {0644, 0}, {0660, 0}, {0602, 0}, {0604, 0},
	};
	char *data, *cause = NULL;
	size_t len;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = write_file(*state, "secret", 5, 's', cases[i].mode);
		if (cases[i].accepted) {
			assert_int_equal(file_read(path, 5, FILE_READ_SECRET, &data, &len, &cause), 0);
			assert_string_equal(data, "sssss");
			free(data);
			/* The mode matters only for a secret. */
		} else {
			expect_refused(path, 5, FILE_READ_SECRET, "readable or writable by others");
			assert_int_equal(file_read(path, 5, 0, &data, &len, &cause), 0);
			free(data);
		}
		assert_int_equal(unlink(path), 0);
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_whole_file_nul_terminated, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, dir_setup, dir_teardown),
		cmocka_unit_test(test_file_longer_than_its_size),
		cmocka_unit_test_setup_teardown(test_one_byte_over_the_limit, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_not_a_regular_file, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_secret_modes, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
