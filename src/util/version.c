/*
 * version.c -- the version functions, status texts and dv_free.
 */
#include "internal.h"

#include <stdlib.h>

int dv_version_number(void) { return DV_VERSION_NUMBER; }
const char *dv_version_string(void) { return DV_VERSION_STRING; }

const char *dv_strerror(int code)
{
    switch (code) {
#define DV__STATUS_CASE(name, val, text) \
    case val:                            \
        return text;
        DV_STATUS_MAP(DV__STATUS_CASE)
#undef DV__STATUS_CASE
    default:
        return "unknown status";
    }
}

void dv_free(void *p) { free(p); }
