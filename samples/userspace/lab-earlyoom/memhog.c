/* kill2 lab: allocate and touch 256 MiB every 0.5 s up to a cap; with argv[1]="ignore-term" ignore SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "ignore-term") == 0) signal(SIGTERM, SIG_IGN);
    size_t step = 256UL << 20, cap = 9UL << 30, total = 0;
    while (total < cap) {
        char *p = malloc(step);
        if (!p) break;
        memset(p, 0x5a, step);
        total += step;
        printf("%zu MiB\n", total >> 20);
        fflush(stdout);
        struct timespec ts = {0, 500000000};
        nanosleep(&ts, NULL);
    }
    printf("cap reached, sleeping\n"); fflush(stdout);
    sleep(60);
    return 0;
}
