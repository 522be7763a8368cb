// zlib for PantauCore's .xes.gz / .csv.gz reading and writing. zlib's init functions are macros,
// which Swift cannot call, so they are wrapped here.
#ifndef PANTAU_CZLIB_SHIM_H
#define PANTAU_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 for gzip members (window 15, gzip header required).
static inline int pantau_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}

/// deflateInit2 writing a gzip member.
static inline int pantau_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
