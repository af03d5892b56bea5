/*
 * figcheck.h -- what the figure tests share: a scratch directory, and the
 * checks that a PNG decodes (libpng) to the requested size and is not blank,
 * that an SVG parses (libxml2) with an <svg> root, and that a PDF starts
 * with its magic.  Include after check.h.
 */
#ifndef DV_FIGCHECK_H
#define DV_FIGCHECK_H

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fig_dir[256];

/* Makes a fresh directory /tmp/dval_TAG_XXXXXX; 0 on failure. */
static inline int fig_dir_open(const char *tag)
{
    snprintf(fig_dir, sizeof fig_dir, "/tmp/dval_%s_XXXXXX", tag);
    if (!mkdtemp(fig_dir)) {
        perror("mkdtemp");
        return 0;
    }
    return 1;
}

/* fig_dir/name (the last eight results stay valid). */
static inline const char *fig_path(const char *name)
{
    static char buf[8][512];
    static int k = 0;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", fig_dir, name);
    return buf[k];
}

/* Removes the directory when the tests passed (else keeps it to look at),
 * and releases libxml2's, cairo's and fontconfig's process-wide state for
 * the leak checker.  Returns rc. */
static inline int fig_dir_close(int rc)
{
    if (rc == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fig_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", fig_dir);
    } else {
        fprintf(stderr, "outputs kept in %s\n", fig_dir);
    }
    xmlCleanupParser();
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}

/* The PNG decodes to w x h pixels whose grey levels vary (not blank). */
static inline void check_png(const char *path, unsigned w, unsigned h)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path)) {
        CHECK_MSG(0, "%s: %s", path, im.message);
        return;
    }
    CHECK_EQ_INT(im.width, w);
    CHECK_EQ_INT(im.height, h);
    im.format = PNG_FORMAT_GRAY;
    size_t n = (size_t)im.width * im.height;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
    CHECK(px != NULL);
    if (!px || !png_image_finish_read(&im, NULL, px, 0, NULL)) {
        CHECK_MSG(0, "%s: %s", path, im.message);
        png_image_free(&im);
        free(px);
        return;
    }
    double s = 0, s2 = 0;
    size_t dark = 0;
    for (size_t i = 0; i < n; i++) {
        s += px[i];
        s2 += (double)px[i] * px[i];
        dark += px[i] < 128;
    }
    double mean = s / (double)n, var = s2 / (double)n - mean * mean;
    CHECK_MSG(var > 100, "%s: grey variance %g (blank?)", path, var);
    CHECK_MSG(dark > n / 200, "%s: only %zu dark pixels of %zu", path, dark, n);
    free(px);
}

/* The SVG parses as XML with an <svg> root. */
static inline void check_svg(const char *path)
{
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_HUGE);
    CHECK_MSG(doc != NULL, "%s does not parse as XML", path);
    if (!doc)
        return;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    CHECK_MSG(root && strcmp((const char *)root->name, "svg") == 0, "%s: root is not <svg>", path);
    xmlFreeDoc(doc);
}

/* The file starts with "%PDF-". */
static inline void check_pdf(const char *path)
{
    FILE *f = fopen(path, "rb");
    char head[5] = {0};
    CHECK_MSG(f && fread(head, 1, 5, f) == 5 && memcmp(head, "%PDF-", 5) == 0, "%s is not a PDF",
              path);
    if (f)
        fclose(f);
}

#endif
