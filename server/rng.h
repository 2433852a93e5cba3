/*
 * Seeded random numbers (splitmix64). Nothing else draws random numbers. The state
 * is a plain integer the caller keeps (in the database, so that a restart continues
 * the same sequence): the same seed and the same calls give the same draws.
 */
#ifndef CAMPAIGN_RNG_H
#define CAMPAIGN_RNG_H

#include <stdint.h>

/* The next 64 random bits; advances *state. */
uint64_t rng_next(uint64_t *state);

/* A uniform double in [0, 1); advances *state. */
double rng_unit(uint64_t *state);

/* 32 lowercase hex characters and a NUL (an AEP batch id); advances *state. */
void rng_hex32(char out[33], uint64_t *state);

#endif
