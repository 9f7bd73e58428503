/*
 * notify-listen.c - stand in for systemd's notification socket in tests.
 *
 * usage: notify-listen SOCKET OUTPUT [SECONDS]
 *
 * Binds an AF_UNIX datagram socket at SOCKET (what NOTIFY_SOCKET names) and
 * appends every datagram to OUTPUT as one block: a line "@pid=N" with the
 * sender's PID (systemd checks it too, for NotifyAccess=main), the message
 * lines, then an empty line. Each block is one write(2), so a test reading
 * OUTPUT meanwhile never sees half a message. Exits 0 after SECONDS
 * (default 30) or on SIGTERM/SIGINT, removing SOCKET; 1 on errors.
 *
 * Only libc: the test must not share code with the sd_notify it checks.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ucred */
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE_MAX 4096

static volatile sig_atomic_t stop;

static void stop_handler(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Receive one datagram into text; the sender's PID (or 0) into *pid. */
static ssize_t receive(int fd, char *text, size_t size, pid_t *pid)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = {.iov_base = text, .iov_len = size};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof control.buf,
	};
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);

	*pid = 0;
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;
			memcpy(&cred, CMSG_DATA(c), sizeof cred);
			*pid = cred.pid;
		}
	}
	if ((size_t)n > size) {
		fprintf(stderr, "notify-listen: datagram of %zd bytes truncated\n", n);
		n = (ssize_t)size;
	}
	return n;
}

static int append(int out, const char *text, size_t len, pid_t pid)
{
	char block[MESSAGE_MAX + 64];
	int head = snprintf(block, sizeof block, "@pid=%ld\n", (long)pid);
	size_t total = (size_t)head;

	memcpy(block + total, text, len);
	total += len;
	if (len == 0 || text[len - 1] != '\n')
		block[total++] = '\n';
	block[total++] = '\n';
	return write(out, block, total) == (ssize_t)total ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct sigaction sa;
	char text[MESSAGE_MAX];
	long long deadline;
	int fd, out, one = 1, rc = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: notify-listen SOCKET OUTPUT [SECONDS]\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof addr.sun_path) {
		fprintf(stderr, "notify-listen: socket path too long: %s\n", argv[1]);
		return 2;
	}
	deadline = now_ms() + 1000LL * (argc == 4 ? atoi(argv[3]) : 30);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = stop_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0) {
		fprintf(stderr, "notify-listen: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "notify-listen: socket: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	strcpy(addr.sun_path, argv[1]);
	unlink(argv[1]);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		fprintf(stderr, "notify-listen: bind %s: %s\n", argv[1], strerror(errno));
		return 1;
	}

	while (!stop) {
		long long left = deadline - now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		pid_t pid;
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&p, 1, left > 1000 ? 1000 : (int)left) <= 0)
			continue; /* timeout, or EINTR from a stop signal */
		while ((n = receive(fd, text, sizeof text, &pid)) >= 0) {
			if (append(out, text, (size_t)n, pid) != 0) {
				fprintf(stderr, "notify-listen: %s: %s\n", argv[2], strerror(errno));
				rc = 1;
				stop = 1;
				break;
			}
		}
	}
	close(fd);
	close(out);
	unlink(argv[1]);
	return rc;
}
