/*
 * Replays a fuzz target over files, so ctest runs every seed and every past crash
 * reproducer on each build (under ASan too) without needing clang or libFuzzer.
 * Arguments are files or directories (their regular files, in name order). A target
 * that crashes or trips a sanitizer fails the test; otherwise one check per file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"

CHECK_DEFINE_COUNTERS;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus files are small; anything larger is not a seed but a mistake. */
#define REPLAY_FILE_MAX (4u * 1024 * 1024)

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f)
        return;
    uint8_t *buf = malloc(REPLAY_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, REPLAY_FILE_MAX + 1, f) : 0;
    fclose(f);
    CHECK(buf && n <= REPLAY_FILE_MAX, "%s: unreadable or larger than 4 MiB", path);
    if (buf && n <= REPLAY_FILE_MAX) {
        /* An exact-size copy, so ASan sees any read past the input's end. */
        uint8_t *exact = malloc(n ? n : 1);
        if (exact) {
            if (n)
                memcpy(exact, buf, n);
            LLVMFuzzerTestOneInput(exact, n);
            free(exact);
            CHECK(1, "%s", path);
        }
    }
    free(buf);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open directory %s", dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof(*names));
            if (!grown)
                break;
            names = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len)))
            break;
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof(*names), cmp_str);
    CHECK(n > 0, "%s: empty corpus", dir);
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode))
            run_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    CHECK(argc > 1, "usage: %s CORPUS_DIR_OR_FILE...", argv[0]);
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            run_dir(argv[i]);
        else
            run_file(argv[i]);
    }
    return test_report();
}
