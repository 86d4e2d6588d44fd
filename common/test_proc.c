/* test_proc: fork/exec the server binary with pipes on stdout and stderr. */
#include "test_proc.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_clock.h"

#ifndef SNAPSHOT_DIR
#define SNAPSHOT_DIR "v0.1"
#endif

const char *proc_binary(void)
{
    const char *bin = getenv("ASKELADDEN_BIN");
    return bin != NULL && bin[0] != '\0' ? bin : SNAPSHOT_DIR "/askeladden";
}

static void exec_child(const char *const args[], const char *const env[], long nofile, int out,
                       int err)
{
    const char *argv[64];
    size_t n = 0;
    /* ASKELADDEN_WRAPPER runs the server under a tool, e.g. valgrind. */
    char *wrapper = getenv("ASKELADDEN_WRAPPER");
    if (wrapper != NULL)
        wrapper = strdup(wrapper);
    for (char *save, *word = wrapper ? strtok_r(wrapper, " ", &save) : NULL; word != NULL && n < 32;
         word = strtok_r(NULL, " ", &save))
        argv[n++] = word;
    argv[n++] = proc_binary();
    for (size_t i = 0; args != NULL && args[i] != NULL && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    for (size_t i = 0; env != NULL && env[i] != NULL; i++)
        putenv((char *)env[i]);
    if (nofile > 0) {
        struct rlimit rl = { (rlim_t)nofile, (rlim_t)nofile };
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execvp(argv[0], (char *const *)argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int proc_start(struct proc *p, const char *const args[], const char *const env[], long nofile)
{
    int out[2], err[2];
    memset(p, 0, offsetof(struct proc, out));
    p->out[0] = p->err[0] = '\0';
    p->out_fd = p->err_fd = -1;
    if (pipe2(out, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    p->pid = fork();
    if (p->pid == 0)
        exec_child(args, env, nofile, out[1], err[1]);
    close(out[1]);
    close(err[1]);
    p->out_fd = out[0];
    p->err_fd = err[0];
    return p->pid > 0 ? 0 : -1;
}

static void read_into(int *fd, char *buf, size_t *len)
{
    ssize_t n = read(*fd, buf + *len, PROC_OUTPUT_MAX - *len);
    if (n > 0) {
        *len += (size_t)n;
        buf[*len] = '\0';
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd);
        *fd = -1;
    }
}

/* Read whatever arrives on stdout and stderr for up to wait_ms. */
static void pump(struct proc *p, int wait_ms)
{
    struct pollfd fds[2] = { { .fd = p->out_fd, .events = POLLIN },
                             { .fd = p->err_fd, .events = POLLIN } };
    if (p->out_fd < 0 && p->err_fd < 0) {
        /* Nothing more to read: wait for the exit itself, the event a pidfd
         * reports (on a kernel without pidfds, for wait_ms). */
        int pidfd = p->exited ? -1 : (int)syscall(SYS_pidfd_open, p->pid, 0);
        struct pollfd exit_event = { .fd = pidfd, .events = POLLIN };
        poll(&exit_event, pidfd >= 0 ? 1 : 0, wait_ms);
        if (pidfd >= 0)
            close(pidfd);
        return;
    }
    if (poll(fds, 2, wait_ms) <= 0)
        return;
    if (p->out_fd >= 0 && (fds[0].revents & (POLLIN | POLLHUP)))
        read_into(&p->out_fd, p->out, &p->out_len);
    if (p->err_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP)))
        read_into(&p->err_fd, p->err, &p->err_len);
}

static int reap(struct proc *p)
{
    int status;
    if (p->exited)
        return 1;
    if (waitpid(p->pid, &status, WNOHANG) != p->pid)
        return 0;
    p->exited = 1;
    p->signaled = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return 1;
}

static int wait_text(struct proc *p, const char *buf, const int *fd, const char *text,
                     int timeout_ms)
{
    long deadline = clock_ms() + timeout_ms;
    while (strstr(buf, text) == NULL) {
        long left = deadline - clock_ms();
        if (left <= 0 || (*fd < 0 && reap(p)))
            return 0;
        pump(p, left < 50 ? (int)left : 50);
    }
    return 1;
}

int proc_wait_output(struct proc *p, const char *text, int timeout_ms)
{
    return wait_text(p, p->out, &p->out_fd, text, timeout_ms);
}

int proc_wait_error(struct proc *p, const char *text, int timeout_ms)
{
    return wait_text(p, p->err, &p->err_fd, text, timeout_ms);
}

void proc_watch(struct proc *p, int ms)
{
    long deadline = clock_ms() + ms;
    for (long left = ms; left > 0; left = deadline - clock_ms())
        pump(p, (int)left);
}

int proc_wait_listening(struct proc *p, int timeout_ms)
{
    if (!proc_wait_output(p, "listening on http://", timeout_ms))
        return -1;
    /* Wait for the end of the line, then take the number after the last ':'. */
    const char *at = strstr(p->out, "listening on http://");
    if (!proc_wait_output(p, " (", timeout_ms))
        return -1;
    const char *space = strchr(at + 20, ' ');
    const char *colon = space;
    while (colon > at && *colon != ':')
        colon--;
    p->port = atoi(colon + 1);
    return p->port > 0 ? 0 : -1;
}

int proc_wait_exit(struct proc *p, int timeout_ms)
{
    long deadline = clock_ms() + timeout_ms;
    while (!reap(p)) {
        long left = deadline - clock_ms();
        if (left <= 0)
            return -1;
        pump(p, left < 20 ? (int)left : 20);
    }
    while (p->out_fd >= 0 || p->err_fd >= 0)
        pump(p, 100);
    return 0;
}

int proc_run(struct proc *p, const char *const args[], const char *const env[], int timeout_ms)
{
    if (proc_start(p, args, env, 0) != 0)
        return -1;
    return proc_wait_exit(p, timeout_ms);
}

/* The wrapper this run was given, while a test runs the binary under another. */
static char *saved_wrapper;
static int wrapper_changed;

void proc_wrap(const char *prefix)
{
    proc_unwrap();
    const char *old = getenv("ASKELADDEN_WRAPPER");
    char wrapper[4096];
    snprintf(wrapper, sizeof wrapper, "%s%s%s", prefix, old != NULL && old[0] != '\0' ? " " : "",
             old != NULL ? old : "");
    saved_wrapper = old != NULL ? strdup(old) : NULL;
    wrapper_changed = 1;
    setenv("ASKELADDEN_WRAPPER", wrapper, 1);
}

void proc_unwrap(void)
{
    if (!wrapper_changed)
        return;
    if (saved_wrapper != NULL)
        setenv("ASKELADDEN_WRAPPER", saved_wrapper, 1);
    else
        unsetenv("ASKELADDEN_WRAPPER");
    free(saved_wrapper);
    saved_wrapper = NULL;
    wrapper_changed = 0;
}

void proc_cleanup(struct proc *p)
{
    if (p->pid <= 0) /* never started */
        return;
    if (!reap(p)) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->exited = 1;
    }
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->err_fd >= 0)
        close(p->err_fd);
    p->out_fd = p->err_fd = -1;
}

long proc_cpu_ms(const struct proc *p)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)p->pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *after_name = strrchr(buf, ')');
    unsigned long utime, stime;
    if (after_name == NULL ||
        sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
               &stime) != 2)
        return -1;
    return (long)((utime + stime) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

long proc_memory_kb(const struct proc *p, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)p->pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long kb = -1;
    size_t len = strlen(field);
    while (kb < 0 && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, len) == 0 && line[len] == ':')
            kb = atol(line + len + 1);
    fclose(f);
    return kb;
}

int proc_io(const struct proc *p, long *read_bytes, long *written_bytes)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/io", (int)p->pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int found = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "rchar:", 6) == 0 && ++found)
            *read_bytes = atol(line + 6);
        else if (strncmp(line, "wchar:", 6) == 0 && ++found)
            *written_bytes = atol(line + 6);
    }
    fclose(f);
    return found == 2 ? 0 : -1;
}

/* The state letter of one thread, from /proc/PID/task/TID/stat; '?' if gone. */
static char thread_state(pid_t pid, const char *tid)
{
    char path[320], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)pid, tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return '?';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *after_name = strrchr(buf, ')');
    return after_name != NULL && after_name[1] == ' ' ? after_name[2] : '?';
}

int proc_asleep(const struct proc *p)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)p->pid);
    DIR *dir = opendir(path);
    if (dir == NULL)
        return 0;
    int asleep = 1;
    for (struct dirent *e; asleep && (e = readdir(dir)) != NULL;)
        if (e->d_name[0] != '.')
            asleep = thread_state(p->pid, e->d_name) == 'S';
    closedir(dir);
    return asleep;
}
