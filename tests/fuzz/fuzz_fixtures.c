/*
 * Fuzz target: fixture files end to end. The input is written as one file (or two,
 * split at its first NUL byte, which JSON text never holds, to exercise merging), read
 * and validated with fixtures_read, and when valid applied into a :memory: store.
 * Invariants: a set is valid exactly when no problem is reported; a valid set always
 * applies; every mapping read back validates again in fixture form.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;
static char dir[64];
static char paths[2][96];

/* Each process makes one directory; it goes when the process exits normally. */
static void cleanup(void)
{
    store_close(store);
    store = NULL;
    unlink(paths[0]);
    unlink(paths[1]);
    rmdir(dir);
}

static int setup(void)
{
    if (store)
        return 0;
    snprintf(dir, sizeof(dir), "/tmp/cm-fuzz-fixtures-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(paths[0], sizeof(paths[0]), "%s/a.json", dir);
    snprintf(paths[1], sizeof(paths[1]), "%s/b.json", dir);
    atexit(cleanup);
    return store_open(&store, ":memory:", NULL, 0);
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = size ? fwrite(data, 1, size, f) : 0;
    return fclose(f) == 0 && n == size ? 0 : -1;
}

static int apply_tx(struct store *st, void *arg)
{
    return fixtures_apply(st, arg);
}

static int recheck_mapping(void *arg, const struct model_mapping *m)
{
    (void)arg;
    cJSON *obj = fixtures_mapping_to_json(m);
    if (!obj)
        return 0;
    struct problems p;
    problems_init(&p);
    if (fixtures_mapping_validate(obj, "store", "mapping", &p) != 0) {
        fprintf(stderr, "mapping read back is invalid:\n%s", p.text ? p.text : "");
        abort();
    }
    problems_free(&p);
    cJSON_Delete(obj);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (setup() < 0)
        abort();
    const uint8_t *nul = memchr(data, '\0', size);
    size_t first = nul ? (size_t)(nul - data) : size;
    int n = 1;
    if (write_file(paths[0], data, first) < 0)
        abort();
    if (nul) {
        if (write_file(paths[1], nul + 1, size - first - 1) < 0)
            abort();
        n = 2;
    }
    const char *files[2] = {paths[0], paths[1]};
    struct problems p;
    problems_init(&p);
    struct fixture_set set;
    memset(&set, 0, sizeof(set));
    int rc = fixtures_read(&set, files, n, &p);
    if ((rc == 0) != (p.count == 0) || (p.count > 0 && (!p.text || p.len != strlen(p.text))))
        abort();
    if (rc == 0) {
        if (store_transact(store, apply_tx, &set) != 0) {
            fprintf(stderr, "a valid fixture set failed to apply: %s\n", store_errmsg(store));
            abort();
        }
        for (const cJSON *t = set.tenants->child; t; t = t->next) {
            if (store_mapping_each(store, t->string, recheck_mapping, NULL) < 0) {
                fprintf(stderr, "the mappings cannot be read back: %s\n", store_errmsg(store));
                abort();
            }
        }
        fixtures_free(&set);
    }
    problems_free(&p);
    unlink(paths[0]);
    unlink(paths[1]);
    return 0;
}
