/* cpus: count usable CPUs from the affinity mask and the cgroup quota, since a
 * container limited to 1 CPU on a 64-core node should not start 64 loops. */
#include "cpus.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

int cpus_from_cfs(long quota_us, long period_us)
{
    if (quota_us <= 0 || period_us <= 0)
        return 0;
    return (int)((quota_us + period_us - 1) / period_us);
}

int cpus_from_cpu_max(const char *line)
{
    long quota, period;
    if (strncmp(line, "max", 3) == 0)
        return 0;
    if (sscanf(line, "%ld %ld", &quota, &period) != 2)
        return 0;
    return cpus_from_cfs(quota, period);
}

static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    return ok ? 0 : -1;
}

/* Whether a /proc/self/cgroup line's controller list ("cpu,cpuacct") names
 * controller; "" stands for cgroup v2, whose list is empty ("0::/path"). */
static int lists_controller(char *names, const char *controller)
{
    if (controller[0] == '\0')
        return names[0] == '\0';
    for (char *save, *name = strtok_r(names, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        if (strcmp(name, controller) == 0)
            return 1;
    }
    return 0;
}

/* Our cgroup's path ("/" inside a container with a cgroup namespace) in the
 * hierarchy of controller, into path; 0 when found. */
static int own_cgroup(const char *root, const char *controller, char *path, size_t len)
{
    char file[4096], line[1024];
    snprintf(file, sizeof file, "%s/proc/self/cgroup", root);
    FILE *f = fopen(file, "r");
    if (f == NULL)
        return -1;
    int found = -1;
    while (found != 0 && fgets(line, sizeof line, f) != NULL) {
        char *names = strchr(line, ':'); /* "id:names:path" */
        char *own = names != NULL ? strchr(names + 1, ':') : NULL;
        if (own == NULL)
            continue;
        *own++ = '\0';
        own[strcspn(own, "\n")] = '\0';
        if (own[0] == '/' && lists_controller(names + 1, controller)) {
            snprintf(path, len, "%s", own);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* The smallest limit that read(dir) finds in our cgroup's directory under
 * mount and in each of its parents up to mount itself: a parent's quota (a
 * Kubernetes pod's) binds every cgroup below it. A directory that is not
 * there (a container that sees only its own cgroup, at mount) is skipped.
 * 0 when none sets a limit. */
static int smallest_limit_upwards(const char *mount, const char *own, int (*read)(const char *))
{
    char path[4096 + 1024];
    int smallest = 0;
    size_t floor = strlen(mount);
    snprintf(path, sizeof path, "%s%s", mount, own);
    for (;;) {
        int limit = read(path);
        if (limit > 0 && (smallest == 0 || limit < smallest))
            smallest = limit;
        char *slash = strrchr(path, '/');
        if (slash == NULL || (size_t)(slash - path) < floor)
            break;
        *slash = '\0';
    }
    return smallest;
}

static int read_cpu_max(const char *dir)
{
    char path[4096 + 1024 + 16], line[128];
    snprintf(path, sizeof path, "%s/cpu.max", dir);
    return read_line(path, line, sizeof line) == 0 ? cpus_from_cpu_max(line) : 0;
}

static int read_cfs(const char *dir)
{
    char path[4096 + 1024 + 32], quota[64], period[64];
    long q, p;
    snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
    if (read_line(path, quota, sizeof quota) != 0 || sscanf(quota, "%ld", &q) != 1)
        return 0;
    snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
    if (read_line(path, period, sizeof period) != 0 || sscanf(period, "%ld", &p) != 1)
        return 0;
    return cpus_from_cfs(q, p);
}

int cpus_cgroup_limit(const char *root)
{
    char own[1024], mount[4096];
    int limit = 0;
    if (own_cgroup(root, "", own, sizeof own) == 0) {
        snprintf(mount, sizeof mount, "%s/sys/fs/cgroup", root);
        limit = smallest_limit_upwards(mount, own, read_cpu_max);
    }
    if (limit == 0 && own_cgroup(root, "cpu", own, sizeof own) == 0) {
        snprintf(mount, sizeof mount, "%s/sys/fs/cgroup/cpu", root);
        limit = smallest_limit_upwards(mount, own, read_cfs);
    }
    return limit;
}

int cpus_available_under(const char *root)
{
    cpu_set_t set;
    int n = 1;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    int limit = cpus_cgroup_limit(root);
    if (limit > 0 && limit < n)
        n = limit;
    return n > 0 ? n : 1;
}

int cpus_available(void)
{
    return cpus_available_under("");
}
