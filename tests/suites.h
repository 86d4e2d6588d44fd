/* The Check suites, in one place. Each NAME has a NAME_suite() in suite_NAME.c. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

#define ASKELADDEN_SUITES(X) \
    X(options)               \
    X(server)                \
    X(cpus)                  \
    X(http)                  \
    X(shutdown)              \
    X(cli)                   \
    X(access_log)            \
    X(hostile)               \
    X(load)                  \
    X(snapshots)             \
    X(defaults)

#define DECLARE_SUITE(name) Suite *name##_suite(void);
ASKELADDEN_SUITES(DECLARE_SUITE)
#undef DECLARE_SUITE

#endif
