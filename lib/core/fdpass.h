/* Passing a file descriptor over a unix socket the way QEMU's bridge
 * helper protocol does: SCM_RIGHTS with a one-byte payload. */
#ifndef TW_FDPASS_H
#define TW_FDPASS_H

/* 0 or -errno. Never raises SIGPIPE. */
int tw_fd_send(int sock, int fd);
/* The received fd (close-on-exec), or -errno; timeout_ms < 0 waits for
 * ever. -EPIPE when the peer closed without sending one. */
int tw_fd_recv(int sock, int timeout_ms);

#endif
