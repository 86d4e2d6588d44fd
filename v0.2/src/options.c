/* options: parse the server's flags and environment variables, strictly. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PORT 8090

typedef int (*value_parser)(const char *text, struct options *o);

static int parse_uint(const char *text, long max, long *out)
{
    char *end;
    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int set_port(const char *text, struct options *o)
{
    long v;
    if (parse_uint(text, 65535, &v) != 0)
        return -1;
    o->port = (int)v;
    return 0;
}

static int set_threads(const char *text, struct options *o)
{
    long v;
    if (parse_uint(text, OPTIONS_THREADS_MAX, &v) != 0 || v < 1)
        return -1;
    o->threads = (int)v;
    return 0;
}

static int set_drain(const char *text, struct options *o)
{
    char *end;
    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v > OPTIONS_DRAIN_MAX)
        return -1;
    o->drain_seconds = v;
    return 0;
}

static int set_access_log(const char *text, struct options *o)
{
    if (strcmp(text, "on") == 0 || strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
        o->access_log = 1;
    else if (strcmp(text, "off") == 0 || strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
        o->access_log = 0;
    else
        return -1;
    return 0;
}

static int set_address(const char *text, struct options *o)
{
    size_t len = strlen(text);
    if (len == 0 || len >= sizeof o->address)
        return -1;
    memcpy(o->address, text, len + 1);
    return 0;
}

struct setting {
    const char *flag; /* long flag name, without dashes */
    const char *env;  /* environment variable */
    value_parser parse;
    const char *expects; /* said when a value is rejected */
};

static const struct setting settings[] = {
    { "port", "PORT", set_port, "a port number (0-65535)" },
    { "address", "ADDRESS", set_address, "an address (up to 255 characters)" },
    { "threads", "THREADS", set_threads, "a thread count (1-64)" },
    { "drain-seconds", "DRAIN_SECONDS", set_drain, "a number of seconds (0-3600)" },
    { "access-log", "ACCESS_LOG", set_access_log, "'on' or 'off'" },
};
#define SETTINGS_COUNT (sizeof settings / sizeof settings[0])

void options_defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->port = DEFAULT_PORT;
    o->access_log = 1;
}

static int apply_env(struct options *o, char *err, size_t errlen)
{
    for (size_t i = 0; i < SETTINGS_COUNT; i++) {
        const char *value = getenv(settings[i].env);
        if (value == NULL)
            continue;
        if (settings[i].parse(value, o) != 0) {
            snprintf(err, errlen, "environment variable %s='%.64s' is not %s", settings[i].env,
                     value, settings[i].expects);
            return -1;
        }
    }
    return 0;
}

static enum options_result apply_flags(struct options *o, int argc, char **argv, char *err,
                                       size_t errlen)
{
    struct option longopts[SETTINGS_COUNT + 3];
    for (size_t i = 0; i < SETTINGS_COUNT; i++)
        longopts[i] = (struct option){ settings[i].flag, required_argument, NULL, (int)i };
    longopts[SETTINGS_COUNT] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[SETTINGS_COUNT + 1] = (struct option){ "version", no_argument, NULL, 'V' };
    longopts[SETTINGS_COUNT + 2] = (struct option){ NULL, 0, NULL, 0 };

    optind = 0; /* GNU: start afresh, so parsing can run more than once */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
        if (c == 'h')
            return OPTIONS_HELP;
        if (c == 'V')
            return OPTIONS_VERSION;
        if (c == ':') {
            snprintf(err, errlen, "option '%.64s' needs a value", argv[optind - 1]);
            return OPTIONS_USAGE;
        }
        if (c == '?') {
            snprintf(err, errlen, "unknown option '%.64s'", argv[optind - 1]);
            return OPTIONS_USAGE;
        }
        const struct setting *s = &settings[c];
        if (s->parse(optarg, o) != 0) {
            snprintf(err, errlen, "--%s: '%.64s' is not %s", s->flag, optarg, s->expects);
            return OPTIONS_USAGE;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%.64s'", argv[optind]);
        return OPTIONS_USAGE;
    }
    return OPTIONS_RUN;
}

enum options_result options_parse(struct options *o, int argc, char **argv, char *err,
                                  size_t errlen)
{
    enum options_result r = apply_flags(o, argc, argv, err, errlen);
    if (r != OPTIONS_RUN)
        return r;
    /* Environment first, then the flags again so that they win. */
    if (apply_env(o, err, errlen) != 0)
        return OPTIONS_BAD_ENV;
    return apply_flags(o, argc, argv, err, errlen);
}

void options_usage(const char *prog, FILE *out)
{
    fprintf(out,
            "Usage: %s [OPTION]...\n"
            "Answer every GET or HEAD with one line of text, over HTTP.\n"
            "\n"
            "  --port N            port to listen on (env PORT; default 8090; 0 picks a free one)\n"
            "  --address A         address to listen on (env ADDRESS; default all interfaces)\n"
            "  --threads N         event loops, one per thread (env THREADS; default the CPUs\n"
            "                      this process may use, from its affinity and cgroup quota)\n"
            "  --drain-seconds S   after SIGTERM, keep serving this long with /readyz failing\n"
            "                      (env DRAIN_SECONDS; default 0)\n"
            "  --access-log on|off one line per request on stdout (env ACCESS_LOG; default on)\n"
            "  --help              print this help and exit\n"
            "  --version           print the version and exit\n"
            "\n"
            "Endpoints: /healthz (liveness), /readyz (readiness: 503 once shutdown begins),\n"
            "any other path answers the text. Methods other than GET and HEAD get 405.\n",
            prog);
}
