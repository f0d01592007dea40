/* util.c: a second compile unit, in a subdirectory. */
#include "util.h"

int scale(int v) {
  int k = 3; /* @scale-k */
  return clamp(v * k, 0, 100);
}
