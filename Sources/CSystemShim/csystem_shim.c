#include "csystem_shim.h"
#include <errno.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

int pd_signalfd_open(const int *signals) {
    sigset_t mask;
    sigemptyset(&mask);
    for (const int *s = signals; *s != 0; s++) sigaddset(&mask, *s);
    int rc = pthread_sigmask(SIG_BLOCK, &mask, NULL);
    if (rc != 0) { errno = rc; return -1; }
    return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

int pd_signalfd_next(int fd) {
    struct signalfd_siginfo info;
    for (;;) {
        ssize_t n = read(fd, &info, sizeof info);
        if (n == (ssize_t)sizeof info) return (int)info.ssi_signo;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        return -1;
    }
}

unsigned long long pd_monotonic_usec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL;
}
