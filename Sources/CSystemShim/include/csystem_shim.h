// What Glibc's Swift module leaves out: signalfd(2). Typed wrappers, no variadics.
#ifndef CSYSTEM_SHIM_H
#define CSYSTEM_SHIM_H
#include <signal.h>

/// Blocks `signals` (a zero-terminated list) in the calling thread and returns a non-blocking, close-on-exec
/// signalfd that reads them; -1 with errno set on failure.
int pd_signalfd_open(const int *signals);

/// Reads one pending signal from `fd`: its number, 0 if none is pending, -1 with errno on error.
int pd_signalfd_next(int fd);

/// CLOCK_MONOTONIC in microseconds (what sd_notify's MONOTONIC_USEC wants).
unsigned long long pd_monotonic_usec(void);

#endif
