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

/* Our cgroup v2 directory from /proc/self/cgroup ("0::/path"); inside a
 * container with a cgroup namespace it is "/". */
static int cgroup2_limit(void)
{
    char line[512], path[600];
    int limit = 0;
    if (read_line("/proc/self/cgroup", line, sizeof line) == 0 &&
        strncmp(line, "0::", 3) == 0) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", line + 3);
        if (read_line(path, line, sizeof line) == 0)
            limit = cpus_from_cpu_max(line);
    }
    if (limit == 0 && read_line("/sys/fs/cgroup/cpu.max", line, sizeof line) == 0)
        limit = cpus_from_cpu_max(line);
    return limit;
}

static int cgroup1_limit(void)
{
    char quota[64], period[64];
    long q, p;
    if (read_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", quota, sizeof quota) != 0 ||
        read_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us", period, sizeof period) != 0)
        return 0;
    if (sscanf(quota, "%ld", &q) != 1 || sscanf(period, "%ld", &p) != 1)
        return 0;
    return cpus_from_cfs(q, p);
}

int cpus_available(void)
{
    cpu_set_t set;
    int n = 1;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    int limit = cgroup2_limit();
    if (limit == 0)
        limit = cgroup1_limit();
    if (limit > 0 && limit < n)
        n = limit;
    return n > 0 ? n : 1;
}
