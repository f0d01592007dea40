/* util.h: a header with code, so a line table names more than one file. */
#ifndef UTIL_H
#define UTIL_H

static inline int clamp(int v, int lo, int hi) {
  if (v < lo) return lo; /* @clamp-lo */
  if (v > hi) return hi;
  return v;
}

int scale(int v);

#endif
