/* test_clock: monotonic milliseconds, for deadlines and durations in tests. */
#ifndef TEST_CLOCK_H
#define TEST_CLOCK_H

long clock_ms(void);

#endif
