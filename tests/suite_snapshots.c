/* snapshots: v0.1 and v0.2 run the same server, byte for byte, so that a fix
 * to one cannot be forgotten in the other; and `diff -ru v0.1 v0.2` shows
 * only what post 2 changes. */
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static const char *root(void)
{
    const char *r = getenv("ASKELADDEN_ROOT");
    return r != NULL && r[0] != '\0' ? r : ".";
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        if (n == 0)
            break;
        *len += n;
    }
    fclose(f);
    return buf;
}

static void assert_same_file(const char *relative)
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/v0.1/%s", root(), relative);
    snprintf(b, sizeof b, "%s/v0.2/%s", root(), relative);
    size_t alen, blen;
    char *x = slurp(a, &alen), *y = slurp(b, &blen);
    ck_assert_msg(alen == blen && memcmp(x, y, alen) == 0,
                  "%s and %s differ: a fix to the server goes into both snapshots", a, b);
    free(x);
    free(y);
}

/* Names of the regular files in dir, sorted, newline-separated. */
static void list_dir(const char *dir, char *out, size_t outlen)
{
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, alphasort);
    ck_assert_msg(n >= 0, "cannot read %s", dir);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (entries[i]->d_name[0] != '.') {
            strncat(out, entries[i]->d_name, outlen - strlen(out) - 2);
            strcat(out, "\n");
        }
        free(entries[i]);
    }
    free(entries);
}

START_TEST(server_sources_are_identical)
{
    char dir1[4096], dir2[4096], names1[8192], names2[8192];
    snprintf(dir1, sizeof dir1, "%s/v0.1/src", root());
    snprintf(dir2, sizeof dir2, "%s/v0.2/src", root());
    list_dir(dir1, names1, sizeof names1);
    list_dir(dir2, names2, sizeof names2);
    ck_assert_str_eq(names1, names2);
    ck_assert_msg(strstr(names1, "main.c") != NULL, "no main.c in %s", dir1);
    char *save, *name = strtok_r(names1, "\n", &save);
    for (; name != NULL; name = strtok_r(NULL, "\n", &save)) {
        char rel[512];
        snprintf(rel, sizeof rel, "src/%s", name);
        assert_same_file(rel);
    }
}
END_TEST

START_TEST(makefiles_are_identical)
{
    assert_same_file("Makefile");
}
END_TEST

/* What post 2 changes, and nothing else may differ. */
static const char *const post2_changes[] = { "Dockerfile", "VERSION", "k8s/deployment.yaml" };
static char differing[8192];
static size_t snapshot_prefix;
static const char *other_snapshot;

static int is_post2_change(const char *relative)
{
    for (size_t i = 0; i < sizeof post2_changes / sizeof post2_changes[0]; i++)
        if (strcmp(relative, post2_changes[i]) == 0)
            return 1;
    return 0;
}

static int files_differ(const char *a, const char *b)
{
    FILE *fb = fopen(b, "rb");
    if (fb == NULL)
        return 1;
    fclose(fb);
    size_t alen, blen;
    char *x = slurp(a, &alen), *y = slurp(b, &blen);
    int differ = alen != blen || memcmp(x, y, alen) != 0;
    free(x);
    free(y);
    return differ;
}

/* Build outputs are not part of the snapshot. */
static int is_build_output(const char *relative)
{
    return strncmp(relative, "build/", 6) == 0 || strcmp(relative, "build") == 0 ||
           strcmp(relative, "askeladden") == 0;
}

static int note_difference(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    const char *relative = path + snapshot_prefix;
    if (type != FTW_F || is_build_output(relative))
        return 0;
    char other[4096];
    snprintf(other, sizeof other, "%s/%s/%s", root(), other_snapshot, relative);
    if (files_differ(path, other)) {
        strncat(differing, relative, sizeof differing - strlen(differing) - 2);
        strcat(differing, "\n");
    }
    return 0;
}

START_TEST(only_post_2_changes_differ)
{
    static const char *const pairs[2][2] = { { "v0.1", "v0.2" }, { "v0.2", "v0.1" } };
    differing[0] = '\0';
    for (int i = 0; i < 2; i++) { /* both ways: a file only in one counts too */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", root(), pairs[i][0]);
        snapshot_prefix = strlen(dir) + 1;
        other_snapshot = pairs[i][1];
        ck_assert_int_eq(nftw(dir, note_difference, 16, FTW_PHYS), 0);
    }
    char expected[256] = "";
    char *save, *name = strtok_r(differing, "\n", &save);
    for (; name != NULL; name = strtok_r(NULL, "\n", &save))
        ck_assert_msg(is_post2_change(name),
                      "%s differs between v0.1 and v0.2, but post 2 does not change that file",
                      name);
    for (size_t i = 0; i < sizeof post2_changes / sizeof post2_changes[0]; i++) {
        snprintf(expected, sizeof expected, "%s/v0.1/%s", root(), post2_changes[i]);
        char other[4096];
        snprintf(other, sizeof other, "%s/v0.2/%s", root(), post2_changes[i]);
        ck_assert_msg(files_differ(expected, other),
                      "post 2 changes %s, but both snapshots have the same", post2_changes[i]);
    }
}
END_TEST

Suite *snapshots_suite(void)
{
    Suite *s = suite_create("snapshots");
    TCase *tc = tcase_create("identical");
    tcase_add_test(tc, server_sources_are_identical);
    tcase_add_test(tc, makefiles_are_identical);
    tcase_add_test(tc, only_post_2_changes_differ);
    suite_add_tcase(s, tc);
    return s;
}
