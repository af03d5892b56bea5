/*
 * fig_colour.c -- the figures' colours: the Okabe-Ito palette and the
 * sequential and diverging colour maps.
 */
#include "plot/figimpl.h"

#include <math.h>

static dv__rgb hex(unsigned v)
{
    dv__rgb c = {((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0};
    return c;
}

dv__rgb dv__palette(int i)
{
    static const unsigned okabe_ito[8] = {0xE69F00, 0x56B4E9, 0x009E73, 0x0072B2,
                                          0xD55E00, 0xCC79A7, 0xF0E442, 0x000000};
    int k = i % 8;
    return hex(okabe_ito[k < 0 ? k + 8 : k]);
}

dv__rgb dv__cmap_color(dv__cmap map, double t)
{
    static const unsigned viridis[17] = {0x440154, 0x48186a, 0x472d7b, 0x424086, 0x3b528b, 0x33638d,
                                         0x2c728e, 0x26828e, 0x21918c, 0x1fa088, 0x28ae80, 0x3fbc73,
                                         0x5ec962, 0x84d44b, 0xaddc30, 0xd8e219, 0xfde725};
    static const unsigned diverging[5] = {0x0072B2, 0x8CBCDB, 0xFFFFFF, 0xEBAA7A, 0xD55E00};
    if (isnan(t)) {
        dv__rgb g = {0.5, 0.5, 0.5};
        return g;
    }
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const unsigned *tab = map == DV__CMAP_DIVERGING ? diverging : viridis;
    int n = map == DV__CMAP_DIVERGING ? 5 : 17;
    double u = t * (n - 1);
    int i = (int)u;
    if (i >= n - 1)
        i = n - 2;
    double f = u - i;
    dv__rgb a = hex(tab[i]), b = hex(tab[i + 1]), c;
    c.r = a.r + f * (b.r - a.r);
    c.g = a.g + f * (b.g - a.g);
    c.b = a.b + f * (b.b - a.b);
    return c;
}
