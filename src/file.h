/*
 * file.h - reading a whole small file into memory, the one way mentord does.
 *
 * Contract:
 *  - file_read() reads a regular file of at most `max` bytes into a new
 *    buffer the caller frees, NUL-terminated (the NUL is not counted in
 *    *len), so text formats can be parsed in place.
 *  - Anything else is refused with a cause naming the path: a missing or
 *    unreadable file, a directory, FIFO or device (opened O_NONBLOCK, so a
 *    FIFO put in its place never stalls the caller), a file larger than
 *    `max`, also one that grows past it while being read.
 *  - FILE_READ_SECRET is for credentials: the file must not be readable by
 *    others nor writable by its group or others, and every buffer that
 *    held its bytes is wiped before it is freed or left.
 *  - On failure nothing is allocated and *data is untouched.
 */
#ifndef MENTORD_FILE_H
#define MENTORD_FILE_H

#include <stddef.h>

enum file_read_flags {
	FILE_READ_SECRET = 1 << 0,
};

int file_read(const char *path, size_t max, unsigned flags, char **data, size_t *len, char **cause);

#endif
