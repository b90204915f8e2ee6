#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <pthread.h>
#include "CRelevoSystem.h"

int crelevo_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int crelevo_block_signal(int signal) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int crelevo_wait_signal(const int *signals, long milliseconds) {
    sigset_t set;
    sigemptyset(&set);
    for (const int *s = signals; *s != 0; s++) {
        sigaddset(&set, *s);
    }
    struct timespec timeout = { milliseconds / 1000, (milliseconds % 1000) * 1000000L };
    int result = sigtimedwait(&set, NULL, &timeout);
    if (result < 0 && errno == EAGAIN) {
        return 0;
    }
    return result;
}

int crelevo_set_thread_name(pthread_t thread, const char *name) {
    return pthread_setname_np(thread, name);
}
