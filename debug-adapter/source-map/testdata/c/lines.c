/* lines.c: input for the source-map tests. Tests find lines by the @markers in comments, so
 * lines may be added; keep each marker on its line. */
#include <stdio.h>

#include "lib/util.h"

static int square(int x) {
  int y = x * x; /* @square-body */

  /* @blank-before-return: the line above is blank */
  return y; /* @square-return */
}

int sum_squares(int n) { /* @sum-open */
  int total = 0;
  for (int i = 0; i < n; i++) { /* @for */
    total += square(i); /* @call-square */
  }
  return clamp(total, 0, 1000); /* @call-clamp */
}

int main(void) {
  int r = sum_squares(4); /* @call-sum */
  printf("%d %d\n", r, scale(r)); /* @printf */
  return 0;
}
/* @after-last-code */
