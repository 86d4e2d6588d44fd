/* cpus: how many CPUs this process may really use. */
#ifndef CPUS_H
#define CPUS_H

/* The smaller of the CPUs in our affinity mask and the cgroup CPU quota
 * (rounded up); at least 1. */
int cpus_available(void);

/* The same with the files it reads (/proc/self/cgroup, /sys/fs/cgroup/...)
 * under root: "" is the machine's own. */
int cpus_available_under(const char *root);

/* The CPU limit of our cgroup under root, rounded up: the smallest quota set
 * on it or on a parent, cgroup v2 first (cpu.max), then v1's cpu controller
 * (cpu.cfs_quota_us); 0 when none is set or nothing can be read. */
int cpus_cgroup_limit(const char *root);

/* The CPU limit a cgroup v2 "cpu.max" line sets ("max 100000" or
 * "150000 100000"), rounded up; 0 when it sets none or cannot be read. */
int cpus_from_cpu_max(const char *line);

/* The same for cgroup v1's cfs_quota_us and cfs_period_us. */
int cpus_from_cfs(long quota_us, long period_us);

#endif
