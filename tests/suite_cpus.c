/* cpus: the threads a cgroup CPU quota implies, read from small cgroup v1 and
 * v2 trees made for each test (the reason a pod with a 500m CPU limit starts
 * 1 thread), not from whatever machine runs the tests. */
#include <check.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpus.h"
#include "suites.h"

static char root[64];

static void make_root(void)
{
    snprintf(root, sizeof root, "/tmp/askeladden-cgroup-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_root(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* root/relative with text in it, and the directories it needs. */
static void put(const char *relative, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, relative);
    for (char *slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        ck_assert_msg(mkdir(path, 0700) == 0 || access(path, F_OK) == 0, "mkdir %s", path);
        *slash = '/';
    }
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static int affinity(void)
{
    cpu_set_t set;
    ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
    return CPU_COUNT(&set);
}

/* The tree implies limit CPUs (0: none), and so that many threads, or the
 * CPUs of the affinity mask when those are fewer. */
static void implies(int limit)
{
    ck_assert_int_eq(cpus_cgroup_limit(root), limit);
    int cpus = affinity();
    int threads = limit > 0 && limit < cpus ? limit : cpus;
    ck_assert_int_eq(cpus_available_under(root), threads);
}

START_TEST(quota_is_rounded_up)
{
    ck_assert_int_eq(cpus_from_cpu_max("max 100000\n"), 0);
    ck_assert_int_eq(cpus_from_cpu_max("100000 100000\n"), 1);
    ck_assert_int_eq(cpus_from_cpu_max("150000 100000\n"), 2);
    ck_assert_int_eq(cpus_from_cpu_max("50000 100000\n"), 1);
    ck_assert_int_eq(cpus_from_cpu_max("garbage"), 0);
    ck_assert_int_eq(cpus_from_cfs(-1, 100000), 0);
    ck_assert_int_eq(cpus_from_cfs(400000, 100000), 4);
}
END_TEST

START_TEST(v2_a_500m_limit_is_1_thread)
{
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cpu.max", "50000 100000\n");
    implies(1);
    ck_assert_int_eq(cpus_available_under(root), 1);
}
END_TEST

START_TEST(v2_a_quota_over_1_cpu_rounds_up)
{
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cpu.max", "150000 100000\n");
    implies(2);
}
END_TEST

START_TEST(v2_max_is_no_limit)
{
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cpu.max", "max 100000\n");
    implies(0);
}
END_TEST

START_TEST(v2_without_cpu_max_is_no_limit)
{
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cgroup.controllers", "memory pids\n");
    implies(0);
}
END_TEST

/* A pod's limit on the pod's cgroup binds the container below it, whose own
 * cpu.max says max; a smaller limit below wins over a larger one above. */
START_TEST(v2_nested_the_smallest_limit_on_the_way_up)
{
    put("proc/self/cgroup", "0::/kubepods/pod1/c1\n");
    put("sys/fs/cgroup/cpu.max", "max 100000\n");
    put("sys/fs/cgroup/kubepods/pod1/cpu.max", "50000 100000\n");
    put("sys/fs/cgroup/kubepods/pod1/c1/cpu.max", "max 100000\n");
    implies(1);
    put("sys/fs/cgroup/kubepods/pod1/cpu.max", "300000 100000\n");
    put("sys/fs/cgroup/kubepods/pod1/c1/cpu.max", "200000 100000\n");
    implies(2);
}
END_TEST

START_TEST(v1_a_500m_limit_is_1_thread)
{
    put("proc/self/cgroup", "4:memory:/\n3:cpu,cpuacct:/\n0::/\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "50000\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    implies(1);
    ck_assert_int_eq(cpus_available_under(root), 1);
}
END_TEST

START_TEST(v1_quota_minus_1_is_no_limit)
{
    put("proc/self/cgroup", "3:cpu,cpuacct:/\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    implies(0);
}
END_TEST

START_TEST(v1_nested_the_smallest_limit_on_the_way_up)
{
    put("proc/self/cgroup", "3:cpuacct,cpu:/kubepods/pod1/c1\n");
    put("sys/fs/cgroup/cpu/kubepods/pod1/cpu.cfs_quota_us", "250000\n");
    put("sys/fs/cgroup/cpu/kubepods/pod1/cpu.cfs_period_us", "100000\n");
    put("sys/fs/cgroup/cpu/kubepods/pod1/c1/cpu.cfs_quota_us", "-1\n");
    put("sys/fs/cgroup/cpu/kubepods/pod1/c1/cpu.cfs_period_us", "100000\n");
    implies(3);
}
END_TEST

/* Without a cgroup namespace the path names a cgroup the container cannot
 * see: its own is what is mounted. */
START_TEST(v1_a_path_not_mounted_falls_back_to_the_mount)
{
    put("proc/self/cgroup", "3:cpu,cpuacct:/docker/0123abcd\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "100000\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    implies(1);
}
END_TEST

START_TEST(v1_and_v2_without_a_quota_is_no_limit)
{
    put("proc/self/cgroup", "3:cpu,cpuacct:/\n0::/\n");
    put("sys/fs/cgroup/unified/cgroup.controllers", "\n");
    implies(0);
}
END_TEST

START_TEST(no_cgroup_files_is_no_limit)
{
    implies(0);
}
END_TEST

Suite *cpus_suite(void)
{
    Suite *s = suite_create("cpus");
    TCase *quota = tcase_create("quota");
    tcase_add_test(quota, quota_is_rounded_up);
    suite_add_tcase(s, quota);
    TCase *trees = tcase_create("cgroup_trees");
    tcase_add_checked_fixture(trees, make_root, remove_root);
    tcase_add_test(trees, v2_a_500m_limit_is_1_thread);
    tcase_add_test(trees, v2_a_quota_over_1_cpu_rounds_up);
    tcase_add_test(trees, v2_max_is_no_limit);
    tcase_add_test(trees, v2_without_cpu_max_is_no_limit);
    tcase_add_test(trees, v2_nested_the_smallest_limit_on_the_way_up);
    tcase_add_test(trees, v1_a_500m_limit_is_1_thread);
    tcase_add_test(trees, v1_quota_minus_1_is_no_limit);
    tcase_add_test(trees, v1_nested_the_smallest_limit_on_the_way_up);
    tcase_add_test(trees, v1_a_path_not_mounted_falls_back_to_the_mount);
    tcase_add_test(trees, v1_and_v2_without_a_quota_is_no_limit);
    tcase_add_test(trees, no_cgroup_files_is_no_limit);
    suite_add_tcase(s, trees);
    return s;
}
