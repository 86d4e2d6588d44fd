/* test_target: the server under test, wherever it runs, behind one interface
 * so that the same behaviour tests run against each. */
#ifndef TEST_TARGET_H
#define TEST_TARGET_H

#include "test_proc.h"

struct server;

enum target_kind {
    TARGET_IN_PROCESS, /* server_start() in the test process, port 0 */
    TARGET_BINARY,     /* the built binary, port 0 */
    TARGET_EXTERNAL    /* already running at $ASKELADDEN_TARGET (host:port) */
};

struct target {
    enum target_kind kind;
    char host[64];
    int port;
    struct server *server;
    struct proc proc;
};

/* The target the current test talks to; the fixtures below set it. */
extern struct target target;

/* Start a target of that kind with extra binary flags (NULL-terminated, may
 * be NULL; ignored in process). 0 on success. */
int target_start(struct target *t, enum target_kind kind, const char *const flags[]);

/* Stop it; a binary gets SIGTERM and must exit 0 with no sanitizer report.
 * 1 when it stopped cleanly. */
int target_stop(struct target *t);

/* Check fixtures for the shared target. */
void target_setup_in_process(void);
void target_setup_binary(void);
void target_setup_external(void);
void target_teardown(void);

/* Connect to the target and send raw; fails the test when either fails.
 * Returns the connected socket. */
int target_send(const char *raw, size_t len);

/* A client that pipelines requests and never reads a reply, until the
 * server stops taking them in. The server's own intake is measured from
 * /proc, so the target must be the binary, with the access log off. */
struct stalled_writer {
    int fd;
    size_t sent;               /* bytes of requests the client sent */
    long intake;               /* bytes the server read meanwhile */
    long answered;             /* replies the server wrote meanwhile */
    long unanswered;           /* intake beyond the requests answered: what it holds */
    long started_ms, ended_ms; /* clock_ms() at the first and the last send */
};

/* Start one on the target; fails the test when the target misbehaves. */
void target_stall_writer(struct stalled_writer *w);

/* The address of an external target, or NULL when none is given. */
const char *target_external_address(void);

#endif
