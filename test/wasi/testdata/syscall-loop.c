// A syscall-heavy guest for comparing hosts: many small unbuffered writes to a file, reads of it
// back in small chunks, clock reads and stats. Usage: syscall-loop.wasm [iterations]
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  int fd = open("loop.tmp", O_CREAT | O_TRUNC | O_RDWR, 0644);
  if (fd < 0) {
    perror("open");
    return 1;
  }
  char line[64];
  long ticks = 0;
  struct timespec ts;
  for (int i = 0; i < n; i++) {
    int len = snprintf(line, sizeof line, "line %d\n", i);
    if (write(fd, line, len) != len) {
      perror("write");
      return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ticks += ts.tv_nsec & 1;
  }
  if (lseek(fd, 0, SEEK_SET) != 0) return 2;
  char buf[16];
  long bytes = 0;
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) bytes += r;
  struct stat st;
  for (int i = 0; i < n / 10; i++) {
    if (stat("loop.tmp", &st) != 0) return 3;
  }
  close(fd);
  unlink("loop.tmp");
  printf("%d lines, %ld bytes read, size %lld\n", n, bytes, (long long)st.st_size);
  return 0;
}
