/* test_proc: run the built server binary as a child process and watch it. */
#ifndef TEST_PROC_H
#define TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

#define PROC_OUTPUT_MAX 65536

struct proc {
    pid_t pid;
    int out_fd, err_fd; /* the child's stdout and stderr */
    int port;           /* from its "listening on" line */
    int exited, exit_code, signaled;
    size_t out_len, err_len;
    char out[PROC_OUTPUT_MAX + 1]; /* what it printed so far, NUL-terminated */
    char err[PROC_OUTPUT_MAX + 1];
};

/* The binary under test: $ASKELADDEN_BIN, else the snapshot's own build. */
const char *proc_binary(void);

/* Start proc_binary() (under $ASKELADDEN_WRAPPER, a command and its
 * arguments, when set) with args (NULL-terminated, without argv[0]) and the
 * extra environment entries env ("NAME=value", NULL-terminated, may be NULL).
 * nofile > 0 caps its file descriptors. 0 on success. */
int proc_start(struct proc *p, const char *const args[], const char *const env[], long nofile);

/* Read its output until it prints where it listens; sets p->port. 0 on success. */
int proc_wait_listening(struct proc *p, int timeout_ms);

/* Read output until text appears on stdout; 1 if it did in time. */
int proc_wait_output(struct proc *p, const char *text, int timeout_ms);

/* Read output until text appears on stderr; 1 if it did in time. */
int proc_wait_error(struct proc *p, const char *text, int timeout_ms);

/* Keep reading its output for ms milliseconds: a measurement window. */
void proc_watch(struct proc *p, int ms);

/* Wait for it to exit, reading its output. 0 when it did in time. */
int proc_wait_exit(struct proc *p, int timeout_ms);

/* Run to completion: start, then wait. 0 when it exited in time. */
int proc_run(struct proc *p, const char *const args[], const char *const env[], int timeout_ms);

/* Run the binary under prefix (a command and its arguments, split at
 * spaces), in front of $ASKELADDEN_WRAPPER (valgrind under make
 * test-memcheck), until proc_unwrap() puts the run's own wrapper back. */
void proc_wrap(const char *prefix);
void proc_unwrap(void);

/* Kill it if it still runs, reap it, and close the pipes. */
void proc_cleanup(struct proc *p);

/* The CPU time it has used so far, in milliseconds (from /proc). */
long proc_cpu_ms(const struct proc *p);

/* A memory figure from /proc/PID/status, in kB: field is "VmRSS" (now) or
 * "VmHWM" (the peak). -1 when it cannot be read. */
long proc_memory_kb(const struct proc *p, const char *field);

/* What it has read and written through system calls so far, in bytes, from
 * /proc/PID/io: with the access log off, its traffic. 0 on success. */
int proc_io(const struct proc *p, long *read_bytes, long *written_bytes);

/* 1 when every thread of it sleeps (waits for an event), none runs or is
 * ready to run. */
int proc_asleep(const struct proc *p);

#endif
