/*
 * What a client needs to reach the HTTPS listener with Adobe's URLs unchanged: the local
 * CA to trust (campaign-mock ca) and the environment that sends Adobe's hosts here
 * (campaign-mock env, which also writes out the preloads embedded from preload/).
 */
#ifndef CAMPAIGN_CLIENT_SETUP_H
#define CAMPAIGN_CLIENT_SETUP_H

#include <stdio.h>

#include "config.h"

/* campaign-mock ca [--path]: the CA's PEM (or its path) on out, made if needed. Returns
 * the exit status; a problem is one line on stderr. */
int client_setup_ca(const struct config *cfg, FILE *out);

/* campaign-mock env: shell lines on out (export NAME='value'), the preloads written into
 * the CA's directory. Returns the exit status; a problem is one line on stderr. */
int client_setup_env(const struct config *cfg, FILE *out);

#endif
