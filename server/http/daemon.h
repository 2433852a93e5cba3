/*
 * The libmicrohttpd daemon flags, shared with the benchmark's reference server
 * (tests/bench/reference_server.c) so that both are measured on the same event loop.
 */
#ifndef CAMPAIGN_HTTP_DAEMON_H
#define CAMPAIGN_HTTP_DAEMON_H

#include <microhttpd.h>

/*
 * poll(), not epoll. libmicrohttpd's epoll loop (MHD_epoll in daemon.c, the same from
 * 0.9.75 to 1.0) calls epoll_wait again while the previous call filled its 128-event
 * buffer, and that second call blocks for the connection timeout with the 128 ready
 * connections not yet processed: a worker that gets exactly 128 (or 256, ...) ready
 * requests at once sleeps for two minutes. With epoll, about one wrk run in eight at
 * 128 connections stalled, and tests/http/test_stall.c (128 requests made ready on one
 * worker) failed every time; with poll it passes, and 12 wrk runs of 2 s at 128
 * connections each served 32,000 to 57,000 requests, none stalled.
 * poll's cost grows with a worker's connection count, which the connection limit (1000)
 * bounds.
 *
 * MHD_USE_TURBO skips the shutdown(SHUT_WR) before close: without it a "reset" fault
 * would send a FIN ahead of its RST and clients would see an empty reply instead.
 */
#define HTTP_DAEMON_FLAGS                                                                          \
    (MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_TURBO)

#endif
