// Linux system interfaces that Glibc does not bring into Swift: epoll, eventfd,
// timerfd, signalfd, TCP options, and accept4 (which needs _GNU_SOURCE, kept out
// of this header and defined only in shim.c).
#ifndef C_RELEVO_SYSTEM_H
#define C_RELEVO_SYSTEM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <pthread.h>

/// accept4(2) with the peer address written to `address`; returns the new
/// descriptor or -1 with errno set.
int crelevo_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// Blocks the given signal in the calling thread (and threads it starts later).
int crelevo_block_signal(int signal);

/// Waits for one of the blocked signals in `signals` (a list ending in 0), up to
/// `milliseconds`; returns the signal number, 0 on time-out, or -1 with errno set.
int crelevo_wait_signal(const int *signals, long milliseconds);

/// Names a thread for ps and debuggers; at most 15 bytes are kept.
int crelevo_set_thread_name(pthread_t thread, const char *name);

#endif
