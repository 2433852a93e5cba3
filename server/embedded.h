/*
 * Files embedded in the binary at build time (cmake/embed.cmake): the SQL migrations
 * of schema/, the bundled fixtures of fixtures/, the dashboard, the client preloads and
 * the OpenAPI document. Each array holds NAME_count files (never 0: the build stops on
 * an empty set), then {NULL, NULL}; readers go by the count.
 */
#ifndef CAMPAIGN_EMBEDDED_H
#define CAMPAIGN_EMBEDDED_H

struct embedded_file {
    const char *name; /* e.g. "001_core.sql", "fixtures/acs-docs.json" */
    const char *text;
};

/* Migration i (0-based) brings the database to PRAGMA user_version i + 1. */
extern const struct embedded_file store_migrations[];
extern const int store_migrations_count;

extern const struct embedded_file fixtures_bundled[];
extern const int fixtures_bundled_count;

/* The web dashboard's files (ui/), by file name. */
extern const struct embedded_file ui_files[];
extern const int ui_files_count;

/* The client preloads (preload/node, preload/python), by file name. */
extern const struct embedded_file preload_files[];
extern const int preload_files_count;

/* The OpenAPI document (schema/openapi.yaml). */
extern const struct embedded_file docs_files[];
extern const int docs_files_count;

#endif
