/* askeladden: answer every GET with one line of text, until SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cpus.h"
#include "options.h"
#include "server.h"

#ifndef ASKELADDEN_VERSION
#define ASKELADDEN_VERSION "dev"
#endif

static void ignore_signal(int sig)
{
    (void)sig;
}

/* As PID 1 in a container the kernel drops signals that have no handler, so
 * install one even though the signals are taken with sigwait. Block them
 * before any thread starts so that only the main thread receives them. */
static void take_over_signals(sigset_t *set)
{
    struct sigaction sa = { .sa_handler = ignore_signal };
    struct sigaction ign = { .sa_handler = SIG_IGN };
    sigemptyset(&sa.sa_mask);
    sigemptyset(&ign.sa_mask);
    /* A server that could not be stopped cleanly must not start. */
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGPIPE, &ign, NULL) != 0) {
        perror("askeladden: sigaction");
        exit(1);
    }
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    int rc = pthread_sigmask(SIG_BLOCK, set, NULL);
    if (rc != 0) {
        fprintf(stderr, "askeladden: pthread_sigmask: %s\n", strerror(rc));
        exit(1);
    }
}

/* Idle keep-alive connections each hold a descriptor: use all we may. A
 * failure leaves the soft limit, which is enough for a small server. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int wait_signal(const sigset_t *set, double seconds)
{
    if (seconds < 0) {
        int sig;
        return sigwait(set, &sig) == 0 ? sig : -1;
    }
    struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    int sig;
    while ((sig = sigtimedwait(set, NULL, &ts)) < 0 && errno == EINTR)
        ;
    return sig;
}

static void drain_then_stop(struct server *server, const sigset_t *set, int sig, double drain)
{
    server_begin_shutdown(server);
    printf("askeladden: %s received: /readyz now fails; draining for %gs\n",
           sig == SIGINT ? "SIGINT" : "SIGTERM", drain);
    if (drain > 0 && wait_signal(set, drain) > 0)
        printf("askeladden: second signal: ending the drain early\n");
    printf("askeladden: closing listeners; finishing requests in flight\n");
    server_stop(server);
    printf("askeladden: stopped\n");
}

int main(int argc, char **argv)
{
    struct options opt;
    char err[512];
    setvbuf(stdout, NULL, _IOLBF, 0);
    options_defaults(&opt);
    switch (options_parse(&opt, argc, argv, err, sizeof err)) {
    case OPTIONS_HELP:
        options_usage(argv[0], stdout);
        return 0;
    case OPTIONS_VERSION:
        printf("askeladden %s\n", ASKELADDEN_VERSION);
        return 0;
    case OPTIONS_USAGE:
        fprintf(stderr, "askeladden: %s (see --help)\n", err);
        return 2;
    case OPTIONS_BAD_ENV:
        fprintf(stderr, "askeladden: %s\n", err);
        return 1;
    case OPTIONS_RUN:
        break;
    }

    sigset_t signals;
    take_over_signals(&signals);
    raise_fd_limit();
    struct server_config cfg = {
        .address = opt.address,
        .port = opt.port,
        .access_log = opt.access_log,
        .threads = opt.threads > 0 ? opt.threads : cpus_available(),
        .log_fd = STDOUT_FILENO,
    };
    struct server *server = server_start(&cfg, err, sizeof err);
    if (server == NULL) {
        fprintf(stderr, "askeladden: %s\n", err);
        return 1;
    }
    printf("askeladden %s listening on http://%s (%d thread%s, access log %s)\n",
           ASKELADDEN_VERSION, server_endpoint(server), cfg.threads, cfg.threads == 1 ? "" : "s",
           cfg.access_log ? "on" : "off");

    int sig = wait_signal(&signals, -1);
    drain_then_stop(server, &signals, sig, opt.drain_seconds);
    return 0;
}
