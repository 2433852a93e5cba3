/*
 * campaign-mock report [URL] [--tenant T] [--since ID] [--poll-interval-ms N]
 * [--format text|json|junit] [--fail-on error|warning|never]: the report of a running
 * server (GET /_mock/report), for a person or a CI job.
 */
#ifndef CAMPAIGN_REPORT_CLI_H
#define CAMPAIGN_REPORT_CLI_H

#include <stdio.h>

#include "config.h"

/* Prints the report on out; returns the exit status: 0, 1 when a finding reaches
 * --fail-on (default error) or the server could not be asked, 2 for a bad URL. */
int report_command(const struct config *cfg, FILE *out);

#endif
