/* cpus: how many CPUs this process may really use. */
#ifndef CPUS_H
#define CPUS_H

/* The smaller of the CPUs in our affinity mask and the cgroup CPU quota
 * (rounded up); at least 1. */
int cpus_available(void);

/* The CPU limit a cgroup v2 "cpu.max" line sets ("max 100000" or
 * "150000 100000"), rounded up; 0 when it sets none or cannot be read. */
int cpus_from_cpu_max(const char *line);

/* The same for cgroup v1's cfs_quota_us and cfs_period_us. */
int cpus_from_cfs(long quota_us, long period_us);

#endif
