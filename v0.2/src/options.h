/* options: the server's settings from flags and environment variables. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#define OPTIONS_ADDRESS_MAX 256
#define OPTIONS_THREADS_MAX 64
#define OPTIONS_DRAIN_MAX 3600.0

struct options {
    char address[OPTIONS_ADDRESS_MAX]; /* empty: all interfaces */
    int port;
    int threads; /* 0: as many as CPUs we may use */
    double drain_seconds;
    int access_log;
};

enum options_result {
    OPTIONS_RUN,     /* start the server */
    OPTIONS_HELP,    /* --help was given */
    OPTIONS_VERSION, /* --version was given */
    OPTIONS_BAD_ENV, /* an environment variable is invalid (exit 1) */
    OPTIONS_USAGE    /* a flag is unknown or invalid (exit 2) */
};

void options_defaults(struct options *o);

/* Environment first, flags override it. On OPTIONS_BAD_ENV or OPTIONS_USAGE,
 * err holds one line saying what is wrong. */
enum options_result options_parse(struct options *o, int argc, char **argv, char *err,
                                  size_t errlen);

void options_usage(const char *prog, FILE *out);

#endif
