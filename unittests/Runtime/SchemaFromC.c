/*===- SchemaFromC.c - the bundle schema header, compiled as C ------------===*\
|*                                                                            *|
|* Part of norm-mlir. See README.md for license information.                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/* norm_bundle_schema.h is plain C: this file compiles it as C and hands its
 * names to SchemaTest.cpp, which compares them with what C++ sees. */

#include "norm-runtime/norm_bundle_schema.h"
#include "norm-runtime/norm_runtime.h"

int norm_schema_c_format_version(void) { return NORM_BUNDLE_FORMAT_VERSION; }

const char *norm_schema_c_role_name(norm_tensor_role_t role) {
  switch (role) {
  case NORM_ROLE_ROW:
    return NORM_ROLE_NAME_ROW;
  case NORM_ROLE_VECTOR:
    return NORM_ROLE_NAME_VECTOR;
  case NORM_ROLE_SCALAR:
    return NORM_ROLE_NAME_SCALAR;
  case NORM_ROLE_SCALES:
    return NORM_ROLE_NAME_SCALES;
  }
  return "";
}

const char *norm_schema_c_key_format_version(void) {
  return NORM_KEY_FORMAT_VERSION;
}
