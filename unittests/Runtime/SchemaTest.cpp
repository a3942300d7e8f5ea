//===- SchemaTest.cpp - the bundle schema header ----------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// norm_bundle_schema.h from C and C++, and the runtime's use of it: element
// type names both ways, the format version it accepts.
//
//===----------------------------------------------------------------------===//

#include "Bundle.h"
#include "RuntimeTestUtils.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <gtest/gtest.h>

extern "C" {
int norm_schema_c_format_version(void);
const char *norm_schema_c_role_name(norm_tensor_role_t role);
const char *norm_schema_c_key_format_version(void);
}

using namespace norm::test;

TEST(Schema, SameFromC) {
  EXPECT_EQ(norm_schema_c_format_version(), NORM_BUNDLE_FORMAT_VERSION);
  EXPECT_STREQ(norm_schema_c_key_format_version(), NORM_KEY_FORMAT_VERSION);
  EXPECT_STREQ(norm_schema_c_role_name(NORM_ROLE_ROW), NORM_ROLE_NAME_ROW);
  EXPECT_STREQ(norm_schema_c_role_name(NORM_ROLE_VECTOR),
               NORM_ROLE_NAME_VECTOR);
  EXPECT_STREQ(norm_schema_c_role_name(NORM_ROLE_SCALAR),
               NORM_ROLE_NAME_SCALAR);
  EXPECT_STREQ(norm_schema_c_role_name(NORM_ROLE_SCALES),
               NORM_ROLE_NAME_SCALES);
}

TEST(Schema, DtypeNamesRoundTrip) {
  const std::pair<norm_dtype_t, const char *> names[] = {
      {NORM_DTYPE_F32, NORM_DTYPE_NAME_F32},
      {NORM_DTYPE_F16, NORM_DTYPE_NAME_F16},
      {NORM_DTYPE_BF16, NORM_DTYPE_NAME_BF16},
      {NORM_DTYPE_F8E4M3FN, NORM_DTYPE_NAME_F8E4M3FN},
      {NORM_DTYPE_F8E4M3FNUZ, NORM_DTYPE_NAME_F8E4M3FNUZ},
      {NORM_DTYPE_F8E5M2, NORM_DTYPE_NAME_F8E5M2},
      {NORM_DTYPE_I8, NORM_DTYPE_NAME_I8}};
  for (const auto &[dtype, name] : names) {
    EXPECT_STREQ(norm_dtype_name(dtype), name);
    EXPECT_EQ(norm::runtime::parseDtype(name), dtype) << name;
  }
  EXPECT_EQ(norm::runtime::parseDtype("f64"), std::nullopt);
}

TEST(Schema, ReadsOnlyItsFormatVersion) {
  norm::runtime::Bundle bundle;
  std::string version = std::to_string(NORM_BUNDLE_FORMAT_VERSION);
  std::string manifest = validManifest();
  EXPECT_TRUE(norm::runtime::Bundle::parse(manifest, "", bundle).ok());
  std::string key = "\"" NORM_KEY_FORMAT_VERSION "\": ";
  size_t at = manifest.find(key + version);
  ASSERT_NE(at, std::string::npos);
  manifest.replace(at + key.size(), version.size(),
                   std::to_string(NORM_BUNDLE_FORMAT_VERSION + 1));
  norm::runtime::Status status =
      norm::runtime::Bundle::parse(manifest, "", bundle);
  EXPECT_EQ(status.code, NORM_ERROR_BAD_MANIFEST);
  EXPECT_NE(status.message.find("this runtime reads version " + version),
            std::string::npos)
      << status.message;
}
