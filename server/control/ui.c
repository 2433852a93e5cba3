/*
 * GET /_mock/ui: the web dashboard, one self-contained page embedded at build time
 * from ui/index.html. It is served without the admin token (it holds no data); the
 * page asks for the token and sends it with every control call it makes.
 */
#include "control/control.h"

#include <string.h>

#include "embedded.h"

void handle_ui_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)app;
    (void)req;
    for (const struct embedded_file *f = ui_files; f->name; f++) {
        if (strcmp(f->name, "index.html") == 0) {
            reply_text(rep, 200, "text/html; charset=utf-8", f->text, strlen(f->text));
            reply_header_add(rep, "Cache-Control", "no-store");
            return;
        }
    }
    errors_reply(rep, ERR_ROUTE_NOT_FOUND, "the dashboard was not built into this binary");
}
