/*
 * file.c - reading a whole small file into memory (see file.h).
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

static int file_check(int fd, const char *path, size_t max, unsigned flags, size_t *size,
		      char **cause)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		return -1;
	}
	/* Whoever reads a credential can act in the municipality's name:
	 * root:mentord 0640 or the owner's own 0600, never world-readable or
	 * writable by anyone but its owner. */
	if ((flags & FILE_READ_SECRET) != 0 && (st.st_mode & (S_IRWXO | S_IWGRP)) != 0) {
		xasprintf(cause,
			  "%s: readable or writable by others (mode %04o): chmod 0600 or 0640",
			  path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if ((unsigned long long)st.st_size > max) {
		xasprintf(cause, "%s: larger than %zu bytes", path, max);
		return -1;
	}
	*size = (size_t)st.st_size;
	return 0;
}

static void file_discard(char *buf, size_t size, unsigned flags)
{
	if (buf != NULL && (flags & FILE_READ_SECRET) != 0)
		explicit_bzero(buf, size);
	free(buf);
}

/* A file may grow between fstat() and read(): room for more, up to one
 * byte past the limit (so the growth is noticed) and the NUL. Not
 * realloc(): a secret's old copy must be wiped, not left to the heap. */
static char *file_grow(char *buf, size_t *cap, size_t used, size_t max, unsigned flags)
{
	size_t bigger = *cap > (max + 2) / 2 ? max + 2 : *cap * 2;
	char *next = xmalloc(bigger);

	memcpy(next, buf, used);
	file_discard(buf, *cap, flags);
	*cap = bigger;
	return next;
}

int file_read(const char *path, size_t max, unsigned flags, char **data, size_t *len, char **cause)
{
	size_t size = 0, n = 0;
	char *buf = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (file_check(fd, path, max, flags, &size, cause) != 0)
		goto fail;
	/* What fstat() saw, one byte to notice growth and one for the NUL. */
	size += 2;
	buf = xmalloc(size);
	for (;;) {
		if (n == size - 1)
			buf = file_grow(buf, &size, n, max, flags);
		ssize_t got = read(fd, buf + n, size - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			xasprintf(cause, "%s: larger than %zu bytes", path, max);
			goto fail;
		}
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;

fail:
	close(fd);
	file_discard(buf, size, flags);
	return -1;
}
