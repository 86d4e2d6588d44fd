/* The Check runner: every suite in suites.h, or with ASKELADDEN_TARGET set,
 * only the HTTP behaviours against that already running server. */
#include <signal.h>
#include <stdlib.h>

#include "suites.h"
#include "test_target.h"

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    SRunner *runner = srunner_create(NULL);
    if (target_external_address() != NULL) {
        srunner_add_suite(runner, http_suite());
    } else {
#define ADD_SUITE(name) srunner_add_suite(runner, name##_suite());
        ASKELADDEN_SUITES(ADD_SUITE)
#undef ADD_SUITE
    }
    srunner_run_all(runner, CK_ENV);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
