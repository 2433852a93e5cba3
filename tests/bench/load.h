/*
 * The benchmark's load generator and process helpers: N keep-alive HTTP/1.1
 * connections on raw sockets, driven by one epoll loop, sending a fixed number of
 * requests of one workload and timing each; plus starting a server and reading its
 * ready line, its RSS from /proc, and one blocking call for set-up. 127.0.0.1 only.
 */
#ifndef CAMPAIGN_BENCH_LOAD_H
#define CAMPAIGN_BENCH_LOAD_H

#include <stddef.h>
#include <sys/types.h>

enum load_kind {
    LOAD_POLL,    /* GET of one finished request, over and over: the hottest path */
    LOAD_CYCLE,   /* per connection: POST on its own template tenant, GETs until terminal */
    LOAD_CONTROL, /* GET /_mock/journal/count */
    LOAD_TRIGGER, /* POST of one path (a mapping that succeeds at once), over and over */
};

struct load_spec {
    int port;
    int conns;
    long requests; /* total requests of the run, shared by the connections */
    enum load_kind kind;
    const char *path;          /* LOAD_POLL: the path with its query; LOAD_TRIGGER: the POST's */
    const char *tenant_prefix; /* LOAD_CYCLE: connection i uses tenant PREFIXi */
    /* 1: answers are campaign-mock's and drive the cycle (request id, terminal status);
     * a LOAD_TRIGGER answer that is not "submitted successfully" is an error.
     * 0: the reference's fixed answer; the cycle replays campaign-mock's shape with
     * afterPolls 1 (POST, GET, GET) so both servers get the same requests. */
    int follow_bodies;
    double timeout_s; /* the run is abandoned (and reported failed) past this */
};

struct load_result {
    long done;   /* answers received (any status) */
    long errors; /* non-200 answers, broken connections, unexpected bodies */
    long cycles; /* LOAD_CYCLE: cycles that reached a terminal status */
    int timed_out;
    double seconds;
    double rps;
    double p50_ms, p99_ms;
    char first_error[256];
};

/* Runs one load. Returns 0 when it ran to the end (errors are counted in *out), -1 when
 * it could not start (no connection) or timed out; *out is filled either way. */
int load_run(struct load_result *out, const struct load_spec *spec);

/* One blocking call with "Connection: close" and the auth headers; the body of the
 * answer goes to body (NUL-terminated, truncated to size). Returns the HTTP status, or
 * -1 on a transport error. */
int load_call(int port, const char *method, const char *path, char *body, size_t size);

/* load_call with a request body: req_body (NUL-terminated; NULL: none) is sent with
 * Content-Type content_type (NULL: no such header). */
int load_call_body(int port, const char *method, const char *path, const char *content_type,
                   const char *req_body, char *body, size_t size);

/* "requestId": N from a body; -1 when absent. */
long long load_body_request_id(const char *body);

struct proc {
    pid_t pid;
    int out_fd; /* read end of the child's stdout, kept open until stop */
    int port;
    double ready_ms; /* from fork to the ready line */
};

/* Starts argv (argv[0] a path; NULL-terminated) with its stderr appended to
 * stderr_path (NULL: /dev/null), and waits up to timeout_ms for a stdout line
 * containing "listening on http://HOST:PORT". Returns 0, or -1 (the child is killed). */
int proc_start(struct proc *p, const char *const *argv, const char *stderr_path, double timeout_ms);

/* SIGTERM, then waits up to 10 s (then SIGKILL). Returns the exit status, or -1 when
 * it did not exit by itself or died from a signal. */
int proc_stop(struct proc *p);

/* A "Vm..." field of /proc/PID/status in KiB (VmRSS, VmHWM); -1 when unreadable. */
long proc_status_kb(pid_t pid, const char *field);

/* The CPU time (user + system, all threads) the process has used so far, in ms; -1
 * when unreadable. */
double proc_cpu_ms(pid_t pid);

/* Monotonic milliseconds. */
double load_now_ms(void);

/* A TCP connection to 127.0.0.1:port with TCP_NODELAY (blocking), or -1. */
int load_connect(int port);

/* The path of the program name beside this executable (./name when unknown). */
void load_sibling(char *out, size_t size, const char *name);

#endif
