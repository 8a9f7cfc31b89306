/* A stand-in for syslogd, for tests: binds a datagram socket at PATH (a
 * private /dev/log) and writes every message it receives, one per line, to
 * stdout, until it has COUNT of them or SECONDS pass.
 *
 *   tw-syslog-sink PATH COUNT SECONDS */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s PATH COUNT SECONDS\n", argv[0]);
		return 2;
	}
	int want = atoi(argv[2]);
	time_t end = time(NULL) + atoi(argv[3]);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof(a.sun_path))
		return 2;
	strcpy(a.sun_path, argv[1]);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	unlink(argv[1]);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("syslog-sink: bind");
		return 1;
	}
	/* Callers drop to their own uid before they log. */
	chmod(argv[1], 0666);
	printf("ready\n");
	fflush(stdout);
	int got = 0;
	while (got < want && time(NULL) < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		if (poll(&p, 1, 200) <= 0)
			continue;
		char buf[2048];
		ssize_t n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
		printf("%s\n", buf);
		fflush(stdout);
		got++;
	}
	unlink(argv[1]);
	return got == want ? 0 : 1;
}
