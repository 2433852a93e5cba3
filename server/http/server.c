/*
 * libmicrohttpd glue. Per-request state (struct conn) is created on the first call of
 * the access handler and freed in the completion callback. A request goes:
 * receive (bounded) -> dispatch -> optional suspension (delay, hang) -> send (normal
 * or a broken transport) -> log line.
 */
#define _GNU_SOURCE /* POLLRDHUP: a client that closed, seen without reading */
#include "http/server.h"

#include <errno.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_received */
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clock.h"
#include "http/daemon.h"
#include "jsonw.h"
#include "log.h"
#include "text.h"

/* Bodies over HTTP_BODY_MAX but at most this are drained (read and discarded) before
 * the 413; a chunked body that goes on past it is cut without an answer. */
#define HTTP_DRAIN_MAX (16ull * HTTP_BODY_MAX)

/* How often open connections are checked against the request deadline: the deadline
 * is kept to within this, and the first byte of a request is seen to within it. */
#define DEADLINE_TICK_MS 250.0

/* How often a held connection (hanging or delayed) is checked for a client that went
 * away: a tenth of a second frees a slot soon enough and costs one poll() per check. */
#define HANG_POLL_MS 100.0

enum conn_state {
    CONN_RECEIVING = 0,
    CONN_SUSPENDED, /* reply ready, waiting for its delay, or hanging */
    CONN_READY,     /* reply ready to send */
    CONN_ABORT,     /* close without sending (hang ended, server stopping) */
    CONN_SENT,
};

struct conn {
    struct http_server *srv;
    struct MHD_Connection *mhd;
    enum conn_state state;
    int fresh; /* set by on_uri until on_request has seen the request */
    char method[16];
    char *path;     /* owned copy of the decoded path */
    char *raw_path; /* owned copy of the path as sent (still percent-encoded), for routing */
    size_t url_len;
    char *body; /* owned, grown up to HTTP_BODY_MAX */
    size_t len, cap;
    unsigned long long received; /* body bytes read, kept or not */
    int too_large;
    int framing; /* enum http_framing, see framing_of */
    int headers_too_large;
    int dispatched;
    double started_ms;
    double wake_ms;  /* monotonic time a delay ends (unused while hanging) */
    double check_ms; /* monotonic time of the next check for a client that left */
    int hanging;
    struct conn *next_waiting;
    struct http_request req;
    struct reply rep;
};

/* Open connections of one client address. */
struct client_count {
    unsigned char addr[16]; /* IPv6, or IPv4 mapped into IPv6 */
    int count;
};

struct http_server {
    http_dispatch dispatch;
    void *ctx;
    int max_connections, max_per_client;
    pthread_mutex_t clients_lock; /* guards clients, n_clients, open_connections */
    struct client_count *clients; /* addresses with open connections, unsorted */
    int n_clients, clients_cap;   /* at most the daemon's connection limit */
    int open_connections;
    struct MHD_Daemon *daemon;
    int listen_fd;
    pthread_t timer;
    int timer_started;
    pthread_mutex_t wait_lock;
    pthread_cond_t wait_cond;
    struct conn *waiting; /* suspended connections; guarded by wait_lock */
    int stopping;
    /* Draining (http_server_drain): no new connection, every request dispatched
     * answered, delayed ones included, until in_flight is 0 or drain_until_ms passes.
     * Guarded by wait_lock. */
    int draining;
    int in_flight; /* requests dispatched and not yet completed */
    double drain_until_ms;
    int tls;                   /* HTTPS: the socket carries TLS records, not HTTP */
    double request_timeout_ms; /* 0: no deadline */
    double next_scan_ms;       /* the timer's next deadline check */
    struct conn_slot *slots;   /* every open connection; guarded by clients_lock */
};

/* --- the request's fields, from libmicrohttpd's parse --------------------------------- */

struct field_walk {
    http_field_fn fn;
    void *cls;
};

static enum MHD_Result field_step(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    const struct field_walk *w = cls;
    return w->fn(w->cls, key, value) ? MHD_NO : MHD_YES;
}

static void mhd_fields_each(const struct http_request *req, enum http_field_kind kind,
                            http_field_fn fn, void *cls)
{
    struct field_walk w = {fn, cls};
    MHD_get_connection_values((struct MHD_Connection *)req->conn,
                              kind == HTTP_FIELD_HEADER ? MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND,
                              field_step, &w);
}

static const struct http_fields mhd_fields = {mhd_fields_each};

/* --- capacity: connections in all and per client address --------------------------- */

/* The 16-byte form of a connection's client address. */
static void client_key(struct MHD_Connection *mhd, unsigned char key[16])
{
    memset(key, 0, 16);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    } else if (sa && sa->sa_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    }
}

/* The index of key among the counted addresses, or n_clients. A linear scan: there are
 * at most as many addresses as connections (about a thousand). Call with clients_lock
 * held. */
static int client_find(const struct http_server *srv, const unsigned char key[16])
{
    int i = 0;
    while (i < srv->n_clients && memcmp(srv->clients[i].addr, key, 16) != 0)
        i++;
    return i;
}

/* Counts a connection in or out (delta +1 / -1), once per connection, not per request.
 * Call with clients_lock held. */
static void client_adjust(struct http_server *srv, const unsigned char key[16], int delta)
{
    int i = client_find(srv, key);
    if (i == srv->n_clients) {
        if (delta < 0 || srv->n_clients == srv->clients_cap)
            return; /* never counted (the table is as large as the connection limit) */
        memcpy(srv->clients[i].addr, key, 16);
        srv->clients[i].count = 0;
        srv->n_clients++;
    }
    srv->clients[i].count += delta;
    if (srv->clients[i].count <= 0) /* gone: the last entry takes its place */
        srv->clients[i] = srv->clients[--srv->n_clients];
}

/* Per connection (socket context): its client's address, counted in at start and out
 * at close, and where its next request stands against the deadline. Everything but key
 * is guarded by clients_lock. */
struct conn_slot {
    unsigned char key[16];
    int fd;
    struct conn_slot *prev, *next; /* http_server.slots */
    long long bytes_ready;         /* bytes received when it became ready for a request */
    double first_byte_ms;          /* when a byte past those was first seen, or 0 */
    int busy;                      /* a whole request is being answered: no deadline */
    int cut;                       /* the deadline passed: answered 408, never dispatched */
};

/* Bytes the kernel has received on a TCP socket since it opened, or -1 where the kernel
 * does not say. */
static long long bytes_received(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
        len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(ti.tcpi_bytes_received))
        return -1;
    return (long long)ti.tcpi_bytes_received;
}

static void on_connection(void *cls, struct MHD_Connection *mhd, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn_slot *slot = calloc(1, sizeof(*slot));
        *socket_context = slot;
        if (!slot)
            return;
        client_key(mhd, slot->key);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
        slot->fd = ci ? ci->connect_fd : -1;
        pthread_mutex_lock(&srv->clients_lock);
        srv->open_connections++;
        client_adjust(srv, slot->key, +1);
        slot->next = srv->slots;
        if (srv->slots)
            srv->slots->prev = slot;
        srv->slots = slot;
        pthread_mutex_unlock(&srv->clients_lock);
    } else if (*socket_context) {
        struct conn_slot *slot = *socket_context;
        /* libmicrohttpd closes the socket after this: once the slot is off the list
         * (under the lock), the timer can no longer touch its descriptor. */
        pthread_mutex_lock(&srv->clients_lock);
        srv->open_connections--;
        client_adjust(srv, slot->key, -1);
        if (slot->prev)
            slot->prev->next = slot->next;
        else
            srv->slots = slot->next;
        if (slot->next)
            slot->next->prev = slot->prev;
        pthread_mutex_unlock(&srv->clients_lock);
        free(slot);
        *socket_context = NULL;
    }
}

static struct conn_slot *slot_of(struct MHD_Connection *mhd)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Takes a whole request off the deadline, and says whether its connection is over
 * capacity (*full, enum http_full). Returns 0 when the deadline cut it first: it was
 * answered 408 and must not be dispatched. */
static int claim(struct http_server *srv, struct MHD_Connection *mhd, int *full)
{
    struct conn_slot *slot = slot_of(mhd);
    *full = HTTP_FULL_NONE;
    pthread_mutex_lock(&srv->clients_lock);
    if (slot && slot->cut) {
        pthread_mutex_unlock(&srv->clients_lock);
        return 0;
    }
    if (slot)
        slot->busy = 1;
    if (srv->open_connections > srv->max_connections) {
        *full = HTTP_FULL_TOTAL;
    } else if (slot) {
        int i = client_find(srv, slot->key);
        if (i < srv->n_clients && srv->clients[i].count > srv->max_per_client)
            *full = HTTP_FULL_CLIENT;
    }
    pthread_mutex_unlock(&srv->clients_lock);
    return 1;
}

/* bytes_ready before the timer has read it: the count is taken at its next check. */
#define BYTES_UNREAD (-2)

/* The connection is ready for its next request: the deadline starts at its first
 * byte. The byte count is left to the timer's next check (no system call here, on
 * every request): a request begun before it is seen at its next byte, a check later. */
static void ready_again(struct http_server *srv, struct MHD_Connection *mhd)
{
    struct conn_slot *slot = slot_of(mhd);
    if (!slot || srv->request_timeout_ms <= 0)
        return;
    pthread_mutex_lock(&srv->clients_lock);
    slot->busy = 0;
    slot->first_byte_ms = 0;
    slot->bytes_ready = BYTES_UNREAD;
    pthread_mutex_unlock(&srv->clients_lock);
}

/* --- the request deadline ---------------------------------------------------------- */

/* A reply as the bytes of an HTTP/1.1 response (malloc'd; NULL when out of memory). */
static char *reply_bytes(const struct reply *r, size_t *len)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    const char *reason = MHD_get_reason_phrase_for((unsigned)r->status);
    struct jsonw w; /* used as a plain growing buffer */
    jsonw_init(&w);
    jsonw_rawf(&w, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: %zu\r\n", r->status,
               reason, r->body_len);
    if (r->content_type)
        jsonw_rawf(&w, "Content-Type: %s\r\n", r->content_type);
    for (int i = 0; i < r->n_headers; i++)
        jsonw_rawf(&w, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
    jsonw_rawf(&w, "Date: %s\r\n\r\n", date);
    jsonw_rawn(&w, r->body ? r->body : "", r->body_len);
    return jsonw_take(&w, len);
}

/* Answers 408 on a connection whose request is late, and shuts it: libmicrohttpd then
 * reads the end of the stream and closes it. Nothing else writes to the socket then:
 * libmicrohttpd only writes once a request is whole (and claimed), or to refuse a
 * malformed one at once. On HTTPS the connection is only shut: the 408 would have to
 * be a TLS record of the session the worker thread owns, and plain bytes there are
 * garbage to the client. Call with clients_lock held. */
static void cut(struct http_server *srv, struct conn_slot *slot, double late_ms)
{
    if (!srv->tls) {
        struct http_request req;
        http_request_timed_out(&req);
        struct reply rep;
        reply_init(&rep);
        srv->dispatch(srv->ctx, &req, &rep);
        size_t len = 0;
        char *bytes = reply_bytes(&rep, &len);
        if (bytes)
            (void)send(slot->fd, bytes, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        free(bytes);
        reply_free(&rep);
    }
    shutdown(slot->fd, SHUT_RDWR);
    slot->cut = 1;
    log_msg(LOG_INFO, "request deadline: a%s request not whole %.1f s after its first byte%s",
            srv->tls ? "n HTTPS" : "", late_ms / 1000.0,
            srv->tls ? " (handshake included): its connection was closed"
                     : " was answered 408 and its connection closed");
}

/* The timer's check of every connection against the request deadline. */
static void deadline_scan(struct http_server *srv, double now)
{
    pthread_mutex_lock(&srv->clients_lock);
    for (struct conn_slot *s = srv->slots; s; s = s->next) {
        if (s->busy || s->cut || s->fd < 0)
            continue;
        if (s->first_byte_ms == 0) {
            /* Where the kernel cannot count, the deadline runs from when the connection
             * became ready. */
            long long bytes = bytes_received(s->fd);
            if (s->bytes_ready == BYTES_UNREAD && bytes >= 0)
                s->bytes_ready = bytes;
            else if (bytes < 0 || bytes != s->bytes_ready)
                s->first_byte_ms = now;
        } else if (now - s->first_byte_ms >= srv->request_timeout_ms) {
            cut(srv, s, now - s->first_byte_ms);
        }
    }
    pthread_mutex_unlock(&srv->clients_lock);
}

/* --- suspension: delays and hangs ------------------------------------------------ */

/* Whether the client of a held connection has gone: closed (even with bytes still
 * unread behind it, which a peek would see forever) or reset. A client that only
 * half-closed and still waits for the answer reads the same and is let go too. */
static int client_gone(struct conn *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return 1;
    struct pollfd p = {ci->connect_fd, POLLRDHUP, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static void *timer_main(void *arg)
{
    struct http_server *srv = arg;
    pthread_mutex_lock(&srv->wait_lock);
    while (!srv->stopping) {
        double now = clock_monotonic_ms();
        /* Drained, or out of time: what is still held is let go below. */
        if (srv->draining && (srv->in_flight == 0 || now >= srv->drain_until_ms)) {
            if (srv->in_flight > 0)
                log_msg(LOG_WARN,
                        "shutdown: %d request(s) still in flight after --shutdown-grace: cut",
                        srv->in_flight);
            srv->stopping = 1;
            break;
        }
        if (srv->request_timeout_ms > 0 && now >= srv->next_scan_ms) {
            pthread_mutex_unlock(&srv->wait_lock);
            deadline_scan(srv, now);
            pthread_mutex_lock(&srv->wait_lock);
            srv->next_scan_ms = now + DEADLINE_TICK_MS;
        }
        double next = now + 1000.0;
        if (srv->request_timeout_ms > 0 && srv->next_scan_ms < next)
            next = srv->next_scan_ms;
        if (srv->draining && srv->drain_until_ms < next)
            next = srv->drain_until_ms;
        struct conn **pp = &srv->waiting;
        while (*pp) {
            struct conn *c = *pp;
            /* Every held connection, delayed or hanging, is checked for a client that
             * left, so that its slot is freed then, not when the delay ends. */
            if (c->check_ms <= now) {
                if (client_gone(c)) {
                    c->state = CONN_ABORT;
                    goto resume;
                }
                c->check_ms = now + HANG_POLL_MS;
            }
            /* A hang never ends by itself: draining does not wait for it. */
            if (srv->draining && c->hanging) {
                c->state = CONN_ABORT;
                goto resume;
            }
            if (c->hanging || c->wake_ms > now) {
                double at = c->hanging || c->check_ms < c->wake_ms ? c->check_ms : c->wake_ms;
                if (at < next)
                    next = at;
                pp = &c->next_waiting;
                continue;
            }
            c->state = CONN_READY;
        resume:
            *pp = c->next_waiting;
            c->next_waiting = NULL;
            MHD_resume_connection(c->mhd);
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double wait = next - clock_monotonic_ms();
        if (wait < 1)
            wait = 1;
        long long ns = (long long)ts.tv_nsec + (long long)(wait * 1e6);
        ts.tv_sec += (time_t)(ns / 1000000000LL);
        ts.tv_nsec = (long)(ns % 1000000000LL);
        pthread_cond_timedwait(&srv->wait_cond, &srv->wait_lock, &ts);
    }
    /* Stopping: every held connection is released so the daemon can stop. */
    while (srv->waiting) {
        struct conn *c = srv->waiting;
        srv->waiting = c->next_waiting;
        c->next_waiting = NULL;
        c->state = CONN_ABORT;
        MHD_resume_connection(c->mhd);
    }
    pthread_mutex_unlock(&srv->wait_lock);
    return NULL;
}

static void suspend(struct conn *c, double wake_ms, int hanging)
{
    struct http_server *srv = c->srv;
    MHD_suspend_connection(c->mhd);
    pthread_mutex_lock(&srv->wait_lock);
    c->state = CONN_SUSPENDED;
    c->wake_ms = wake_ms;
    c->check_ms = clock_monotonic_ms() + HANG_POLL_MS;
    c->hanging = hanging;
    if (srv->stopping) {
        c->state = CONN_ABORT;
        MHD_resume_connection(c->mhd);
    } else {
        c->next_waiting = srv->waiting;
        srv->waiting = c;
        pthread_cond_signal(&srv->wait_cond);
    }
    pthread_mutex_unlock(&srv->wait_lock);
}

/* --- sending ----------------------------------------------------------------------- */

/* Content reader for a truncated body: half the bytes, then an error that makes
 * libmicrohttpd close the connection. */
static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct conn *c = cls;
    size_t half = c->rep.body_len / 2;
    if (pos >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, c->rep.body + pos, n);
    return (ssize_t)n;
}

/* A streamed body while libmicrohttpd sends it: owned by its response (freed with it). */
struct stream_state {
    struct reply_stream stream;
    struct jsonw piece; /* the piece being sent */
    size_t sent;        /* of piece */
    int ended;          /* next() said the last piece was made */
};

/* libmicrohttpd asks for up to max bytes: the rest of the piece in hand, else the
 * next piece, made now. A failure cuts the connection (the status line is gone). */
static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream_state *st = cls;
    while (st->sent == st->piece.len) {
        if (st->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        st->piece.len = 0;
        st->sent = 0;
        int rc = st->stream.next(st->stream.ctx, &st->piece);
        if (rc < 0 || st->piece.failed) {
            log_msg(LOG_ERROR, "a streamed reply failed part way: its connection is cut");
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        st->ended = rc == 0;
    }
    size_t n = st->piece.len - st->sent;
    if (n > max)
        n = max;
    memcpy(buf, st->piece.buf + st->sent, n);
    st->sent += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream_state *st = cls;
    if (st->stream.free_ctx)
        st->stream.free_ctx(st->stream.ctx);
    jsonw_free(&st->piece);
    free(st);
}

/* The response of a streamed reply, which takes the stream over. Chunked on HTTP/1.1
 * (no length is known before the end). */
static struct MHD_Response *stream_response(struct reply *r)
{
    struct stream_state *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->stream = r->stream;
    memset(&r->stream, 0, sizeof(r->stream));
    jsonw_init(&st->piece);
    /* 64 KiB: each write to the socket a large one, and the buffer bounded. */
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
                                                                  stream_reader, st, stream_free);
    if (!resp)
        stream_free(st);
    return resp;
}

static enum MHD_Result send_reply(struct conn *c)
{
    struct reply *r = &c->rep;
    c->state = CONN_SENT;
    if (r->transport == TRANSPORT_EMPTY || r->transport == TRANSPORT_RESET ||
        r->transport == TRANSPORT_HANG) {
        if (r->transport == TRANSPORT_RESET) {
            /* SO_LINGER with a zero timeout turns close() into a TCP RST. */
            const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
            struct linger lg = {1, 0};
            if (ci)
                setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        }
        return MHD_NO;
    }
    struct MHD_Response *resp;
    if (r->stream.next)
        resp = stream_response(r);
    else if (r->transport == TRANSPORT_TRUNCATE && r->body_len > 0)
        resp = MHD_create_response_from_callback(r->body_len, 4096, truncated_reader, c, NULL);
    else
        resp = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (void *)"",
                                               MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    for (int i = 0; i < r->n_headers; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    if (r->close) /* libmicrohttpd closes the connection once this is sent */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c->mhd, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* --- dispatch ---------------------------------------------------------------------- */

/* Hands the request over; the dispatch function writes the journal entry before
 * anything is sent, so a client that reads the journal right after its answer always
 * finds its call there. */
static int dispatch(struct conn *c)
{
    struct http_server *srv = c->srv;
    int full;
    if (!claim(srv, c->mhd, &full))
        return 0;
    c->dispatched = 1;
    pthread_mutex_lock(&srv->wait_lock);
    srv->in_flight++;
    int draining = srv->draining;
    pthread_mutex_unlock(&srv->wait_lock);
    c->req.method = c->method;
    c->req.path = c->path;
    c->req.raw_path = c->raw_path ? c->raw_path : c->path;
    c->req.body = c->body ? c->body : "";
    c->req.body_len = c->len;
    c->req.conn = c->mhd;
    c->req.fields = &mhd_fields;
    c->req.url_len = c->url_len;
    c->req.body_too_large = c->too_large;
    c->req.server_full = full;
    c->req.framing = c->framing;
    c->req.headers_too_large = c->headers_too_large;
    c->req.started_ms = c->started_ms;
    c->req.tls = srv->tls;
    srv->dispatch(srv->ctx, &c->req, &c->rep);
    if (draining) /* a keep-alive client's next request must go to the next server */
        c->rep.close = 1;
    return 1;
}

struct framing_walk {
    const char *length; /* the first Content-Length */
    int lengths_differ;
    int codings;       /* Transfer-Encoding headers */
    int chunked_alone; /* the first of them is "chunked" and nothing else */
    size_t bytes;      /* of all names and values */
};

static enum MHD_Result framing_step(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct framing_walk *f = cls;
    value = value ? value : "";
    if (!key)
        return MHD_YES;
    f->bytes += strlen(key) + strlen(value);
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (!f->length)
            f->length = value;
        else if (strcmp(f->length, value) != 0)
            f->lengths_differ = 1;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        /* libmicrohttpd reads a body as chunked only when the first Transfer-Encoding
         * is exactly "chunked"; any other it reads until the client closes. */
        if (f->codings++ == 0)
            f->chunked_alone = strcasecmp(value, "chunked") == 0;
    }
    return MHD_YES;
}

/* What is wrong with the framing of a request's body, as RFC 9112 (6.1, 6.3) sees it:
 * two Content-Length headers that disagree (libmicrohttpd reads the body by the first,
 * and the rest would be taken for another request); Content-Length beside
 * Transfer-Encoding (the two readings differ; the connection must close); a transfer
 * coding other than chunked alone (no end of body a server can find: 501). */
static int framing_of(struct MHD_Connection *mhd, size_t *header_bytes)
{
    struct framing_walk f = {NULL, 0, 0, 0, 0};
    MHD_get_connection_values(mhd, MHD_HEADER_KIND, framing_step, &f);
    *header_bytes = f.bytes;
    if (f.codings && (f.codings > 1 || !f.chunked_alone))
        return HTTP_FRAMING_CODING;
    if (f.codings && f.length)
        return HTTP_FRAMING_LENGTH_AND_CODING;
    return f.lengths_differ ? HTTP_FRAMING_TWO_LENGTHS : HTTP_FRAMING_OK;
}

/* Whether the client waits for "100 Continue" before it sends the body. */
static int expects_continue(struct MHD_Connection *mhd)
{
    const char *e = MHD_lookup_connection_value(mhd, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    return e && strcasecmp(e, "100-continue") == 0;
}

/* Answers now, before the body is read (libmicrohttpd then discards what the client
 * still sends and closes the connection). */
static enum MHD_Result answer_now(struct conn *c)
{
    if (!dispatch(c))
        return MHD_NO;
    return send_reply(c);
}

/* Called by libmicrohttpd with the raw request target (path and query) before it is
 * parsed: the one place where the full length is known. What it returns becomes the
 * request's *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mhd)
{
    struct conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->srv = cls;
    c->mhd = mhd;
    c->fresh = 1;
    c->started_ms = clock_monotonic_ms();
    c->url_len = strlen(uri);
    /* Routing splits the path as sent: a %2F inside a segment must not become a '/'
     * that makes another route (libmicrohttpd decodes the path whole). */
    size_t raw = strcspn(uri, "?#");
    c->raw_path = strndup(uri, raw > HTTP_URL_MAX ? HTTP_URL_MAX + 1 : raw);
    reply_init(&c->rep);
    return c;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mhd, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct conn *c = *con_cls;
    (void)cls;
    (void)version;
    if (!c)
        return MHD_NO; /* on_uri could not allocate */
    if (c->fresh) {
        c->fresh = 0;
        /* The path is checked against HTTP_URL_MAX whole but only its head is stored. */
        c->path = strndup(url, HTTP_URL_MAX + 1);
        snprintf(c->method, sizeof(c->method), "%s", method);
        if (!c->path)
            return MHD_NO;
        size_t header_bytes;
        c->framing = framing_of(mhd, &header_bytes);
        c->headers_too_large = header_bytes > HTTP_HEADERS_MAX;
        if (c->framing == HTTP_FRAMING_CODING || c->headers_too_large)
            return answer_now(c); /* a body that has no end that can be found, or is not
                                     wanted */
        const char *cl =
            MHD_lookup_connection_value(mhd, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long declared =
            cl && c->framing != HTTP_FRAMING_LENGTH_AND_CODING ? strtoull(cl, NULL, 10) : 0;
        if (declared > HTTP_BODY_MAX) {
            c->too_large = 1;
            /* A client still sending when the server closes gets a TCP reset, which
             * may destroy the 413 before it reads it: a body up to HTTP_DRAIN_MAX is
             * read and discarded, then answered. Beyond that, reading it all costs
             * more than the risk, so the answer goes at once; and at once to a client
             * that waits for "100 Continue" before sending it (it then sends nothing). */
            if (declared > HTTP_DRAIN_MAX || expects_continue(mhd))
                return answer_now(c);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        c->received += *upload_size;
        /* A body of unknown length (chunked) past the drain limit: cut unanswered, as
         * libmicrohttpd gives no way to answer before the body ends. */
        if (c->received > HTTP_DRAIN_MAX)
            return MHD_NO;
        if (c->state == CONN_RECEIVING && !c->too_large) {
            size_t n = *upload_size;
            if (c->len + n > HTTP_BODY_MAX) {
                c->too_large = 1; /* keep reading, discard, answer 413 at the end */
                free(c->body);
                c->body = NULL;
                c->len = c->cap = 0;
            } else {
                if (c->len + n + 1 > c->cap) {
                    size_t cap = c->cap ? c->cap : 1024;
                    while (cap < c->len + n + 1)
                        cap *= 2;
                    char *grown = realloc(c->body, cap);
                    if (!grown)
                        return MHD_NO;
                    c->body = grown;
                    c->cap = cap;
                }
                memcpy(c->body + c->len, upload_data, n);
                c->len += n;
                c->body[c->len] = '\0';
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    switch (c->state) {
    case CONN_RECEIVING:
        if (!dispatch(c))
            return MHD_NO; /* the deadline answered it */
        if (c->rep.transport == TRANSPORT_HANG) {
            suspend(c, clock_monotonic_ms() + HANG_POLL_MS, 1);
            return MHD_YES;
        }
        if (c->rep.delay_ms > 0) {
            suspend(c, clock_monotonic_ms() + (double)c->rep.delay_ms, 0);
            return MHD_YES;
        }
        return send_reply(c);
    case CONN_READY:
        return send_reply(c);
    case CONN_ABORT:
        return MHD_NO;
    case CONN_SUSPENDED:
    case CONN_SENT:
        break;
    }
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *mhd, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn *c = *con_cls;
    (void)toe;
    ready_again(cls, mhd);
    if (!c)
        return;
    *con_cls = NULL;
    if (c->dispatched) {
        struct http_server *srv = cls;
        pthread_mutex_lock(&srv->wait_lock);
        if (--srv->in_flight == 0 && srv->draining)
            pthread_cond_signal(&srv->wait_cond);
        pthread_mutex_unlock(&srv->wait_lock);
        double duration = clock_monotonic_ms() - c->started_ms;
        int status = c->rep.transport == TRANSPORT_NORMAL ? c->rep.status : 0;
        /* Quiet routes (health probes, a Docker HEALTHCHECK every few seconds) only at
         * debug level. */
        if (log_enabled(c->rep.quiet ? LOG_DEBUG : LOG_INFO))
            log_request(c->rep.tenant, c->method, c->path, status, duration, c->rep.note);
    }
    reply_free(&c->rep);
    free(c->body);
    free(c->path);
    free(c->raw_path);
    free(c);
}

/* Percent-decoding for the path and the query, in place (see text_url_decode). */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return text_url_decode(s, s, strlen(s));
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_msg(LOG_DEBUG, "libmicrohttpd: %s", msg);
}

/* --- lifecycle --------------------------------------------------------------------- */

static int open_listener(const char *host, int port, int *family, int *bound_port, char *err,
                         size_t n)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char port_s[16];
    snprintf(port_s, sizeof(port_s), "%d", port);
    int rc = getaddrinfo(host, port_s, &hints, &res);
    if (rc != 0) {
        snprintf(err, n, "cannot listen on %s:%d: %s", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0) {
        snprintf(err, n, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        freeaddrinfo(res);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* A backlog of 512 absorbs bursts of parallel CI clients connecting at once. */
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 512) < 0) {
        snprintf(err, n, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        close(fd);
        freeaddrinfo(res);
        return -1;
    }
    *family = res->ai_family;
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *bound_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                           : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

int http_server_start(struct http_server **out, const struct http_options *opt,
                      http_dispatch dispatch_fn, void *ctx, int *bound_port, char *err,
                      size_t err_size)
{
    const char *host = opt->host;
    int port = opt->port;
    struct http_server *srv = calloc(1, sizeof(*srv));
    if (!srv) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    srv->dispatch = dispatch_fn;
    srv->ctx = ctx;
    srv->listen_fd = -1;
    srv->max_connections = opt->max_connections;
    srv->max_per_client = opt->max_per_client;
    srv->request_timeout_ms = 1000.0 * opt->request_timeout;
    pthread_mutex_init(&srv->clients_lock, NULL);
    srv->clients_cap = opt->max_connections + HTTP_OVERFLOW_CONNECTIONS;
    srv->clients = calloc((size_t)srv->clients_cap, sizeof(*srv->clients));
    if (!srv->clients) {
        snprintf(err, err_size, "out of memory");
        pthread_mutex_destroy(&srv->clients_lock);
        free(srv);
        return -1;
    }
    pthread_mutex_init(&srv->wait_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->wait_cond, &ca);
    pthread_condattr_destroy(&ca);

    int family = AF_INET;
    srv->listen_fd = open_listener(host, port, &family, bound_port, err, err_size);
    if (srv->listen_fd < 0)
        goto fail;
    unsigned flags = HTTP_DAEMON_FLAGS; /* why poll and not epoll: see http/daemon.h */
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* HTTPS: TLS 1.2 and 1.3 only, as Adobe's hosts serve them. libmicrohttpd copies the
     * PEM into GnuTLS when the daemon starts. */
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)opt->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)opt->tls_key_pem},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->tls = opt->tls_cert_pem != NULL;
    if (srv->tls)
        flags |= MHD_USE_TLS;
    else
        tls_options[0].option = MHD_OPTION_END;
    /* --threads polling threads (default two, one per core of the machines we
     * target), each dispatching its own connections' requests in parallel. */
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_LISTEN_SOCKET, srv->listen_fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HTTP_CONN_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)opt->idle_timeout,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)opt->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(opt->max_connections + HTTP_OVERFLOW_CONNECTIONS), MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, srv, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_ARRAY,
        tls_options, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, err_size, "cannot start the %s server on %s:%d", srv->tls ? "HTTPS" : "HTTP",
                 host, port);
        goto fail;
    }
    if (pthread_create(&srv->timer, NULL, timer_main, srv) != 0) {
        snprintf(err, err_size, "cannot start the timer thread");
        goto fail;
    }
    srv->timer_started = 1;
    *out = srv;
    return 0;
fail:
    http_server_stop(srv);
    return -1;
}

void http_server_drain(struct http_server *srv, int grace_s)
{
    if (!srv)
        return;
    if (srv->daemon)
        MHD_quiesce_daemon(srv->daemon);
    pthread_mutex_lock(&srv->wait_lock);
    if (!srv->draining) {
        srv->draining = 1;
        srv->drain_until_ms = clock_monotonic_ms() + 1000.0 * grace_s;
    }
    pthread_cond_signal(&srv->wait_cond);
    pthread_mutex_unlock(&srv->wait_lock);
}

void http_server_stop(struct http_server *srv)
{
    if (!srv)
        return;
    if (srv->daemon)
        MHD_quiesce_daemon(srv->daemon);
    pthread_mutex_lock(&srv->wait_lock);
    /* Drained by now unless no drain was asked for (or the timer never started). */
    if (!srv->draining || !srv->timer_started)
        srv->stopping = 1;
    pthread_cond_signal(&srv->wait_cond);
    pthread_mutex_unlock(&srv->wait_lock);
    if (srv->timer_started)
        pthread_join(srv->timer, NULL);
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    pthread_cond_destroy(&srv->wait_cond);
    pthread_mutex_destroy(&srv->wait_lock);
    pthread_mutex_destroy(&srv->clients_lock);
    free(srv->clients);
    free(srv);
}
