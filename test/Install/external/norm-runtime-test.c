/* Uses the installed runtime from C: bundle errors come back as codes. */
#include "norm-runtime/norm_runtime.h"

#include <stdio.h>

int main(void) {
  norm_bundle *bundle = NULL;
  norm_status_t status = norm_bundle_open("/nonexistent/bundle", &bundle);
  printf("%s: %s\n", norm_status_name(status), norm_last_error());
  return status == NORM_ERROR_IO ? 0 : 1;
}
