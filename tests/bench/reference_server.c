/*
 * The benchmark's floor: the smallest libmicrohttpd server that answers like
 * campaign-mock, started with the same daemon flags and options as server/http/server.c
 * (its own listening socket with the same backlog, a pool of two polling threads, the
 * same per-connection memory, timeout and connection limit). It reads and discards any
 * body, then answers one fixed small JSON body with the same Content-Type to every
 * request. What campaign-mock costs beyond this is ours; this much is MHD's and the
 * machine's.
 *
 * Usage: bench-reference-server [--port N]   (0, the default, picks a free port)
 * Prints "reference listening on http://127.0.0.1:PORT" when ready; stops on SIGTERM.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http/daemon.h" /* HTTP_DAEMON_FLAGS: the same event loop as the real server */
#include "http/server.h" /* HTTP_CONN_MEMORY: the same limit as the real server */

/* Adobe's documented success body: the size of a typical status poll answer. */
static const char BODY[] = "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44. \", \"numRecords\": "
                           "15, \"requestId\": 3520, \"status\": \"Success\"}";

static struct MHD_Response *answer;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mhd, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    /* Any non-NULL marker tells the second call from the first; nothing is allocated. */
    static int seen;
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (!*con_cls) {
        *con_cls = &seen;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(mhd, MHD_HTTP_OK, answer);
}

int main(int argc, char **argv)
{
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench-reference-server [--port N]\n");
            return 2;
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((unsigned short)port);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* The same backlog as campaign-mock's listener. */
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 512) < 0) {
        fprintf(stderr, "bench-reference-server: cannot listen: %s\n", strerror(errno));
        return 1;
    }
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);

    answer =
        MHD_create_response_from_buffer(sizeof(BODY) - 1, (void *)BODY, MHD_RESPMEM_PERSISTENT);
    if (!answer)
        return 1;
    MHD_add_response_header(answer, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json;charset=utf-8");
    unsigned flags = HTTP_DAEMON_FLAGS; /* campaign-mock's own (http/daemon.h) */
    struct MHD_Daemon *d =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_THREAD_POOL_SIZE,
                         (unsigned)2, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench-reference-server: cannot start the daemon\n");
        return 1;
    }
    printf("reference listening on http://127.0.0.1:%d\n", ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) == 0)
            break;
    }
    MHD_stop_daemon(d);
    MHD_destroy_response(answer);
    close(fd);
    return 0;
}
