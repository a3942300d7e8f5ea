//===- BundleTest.cpp - bundle and manifest parsing --------------*- C++
//-*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtils.h"

#include <gtest/gtest.h>

using namespace norm::test;

namespace {

/// Opens `manifest` as a bundle; returns the status and norm_last_error().
norm_status_t openManifest(const std::string &manifest, std::string &message,
                           bool withFiles = true) {
  TempBundle dir(manifest, withFiles);
  norm_bundle *bundle = nullptr;
  norm_status_t status = norm_bundle_open(dir.path().c_str(), &bundle);
  message = norm_last_error();
  if (status == NORM_SUCCESS) {
    EXPECT_NE(bundle, nullptr);
    norm_bundle_close(bundle);
  } else {
    EXPECT_EQ(bundle, nullptr);
  }
  return status;
}

/// validManifest() with the first occurrence of `from` replaced by `to`.
std::string edited(const std::string &from, const std::string &to) {
  std::string text = validManifest();
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

} // namespace

TEST(Bundle, OpensValidBundle) {
  TempBundle dir(validManifest());
  norm_bundle *bundle = nullptr;
  ASSERT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_SUCCESS)
      << norm_last_error();
  ASSERT_EQ(norm_bundle_num_kernels(bundle), 5u);
  EXPECT_STREQ(norm_bundle_kernel_name(bundle, 0), "add_dyn");
  EXPECT_STREQ(norm_bundle_kernel_name(bundle, 4), "rms");
  EXPECT_EQ(norm_bundle_kernel_name(bundle, 5), nullptr);

  norm_kernel_info_t info;
  ASSERT_EQ(norm_bundle_kernel_info(bundle, "rms", &info), NORM_SUCCESS);
  EXPECT_STREQ(info.op, "rmsnorm");
  EXPECT_EQ(info.num_tensors, 3);
  EXPECT_EQ(info.cols, 4096);
  EXPECT_EQ(info.block_size, 128);
  EXPECT_EQ(info.vector_width, 8);
  // Left out: the vector width.
  EXPECT_EQ(info.cols_multiple, 8);
  ASSERT_EQ(norm_bundle_kernel_info(bundle, "add_dyn", &info), NORM_SUCCESS);
  EXPECT_EQ(info.cols, -1);
  // Peeled rows: any H.
  EXPECT_EQ(info.vector_width, 8);
  EXPECT_EQ(info.cols_multiple, 1);

  const char *name;
  norm_dtype_t dtype;
  int64_t align;
  norm_tensor_role_t role;
  ASSERT_EQ(norm_bundle_tensor_info(bundle, "qgroup", 1, &name, &dtype, &align,
                                    &role),
            NORM_SUCCESS);
  EXPECT_STREQ(name, "output");
  EXPECT_EQ(role, NORM_ROLE_ROW);
  ASSERT_EQ(norm_bundle_tensor_info(bundle, "qgroup", 2, nullptr, nullptr,
                                    nullptr, &role),
            NORM_SUCCESS);
  EXPECT_EQ(role, NORM_ROLE_SCALES);
  EXPECT_EQ(dtype, NORM_DTYPE_F8E4M3FN);
  EXPECT_EQ(align, 8);
  EXPECT_EQ(norm_bundle_tensor_info(bundle, "qgroup", 3, &name, &dtype, &align,
                                    &role),
            NORM_ERROR_INVALID_ARGUMENT);

  norm_kernel_params_t params;
  ASSERT_EQ(norm_bundle_kernel_params(bundle, "qgroup", &params), NORM_SUCCESS);
  EXPECT_FALSE(params.normalize);
  EXPECT_TRUE(params.quantize);
  EXPECT_EQ(params.scheme, NORM_SCHEME_PER_GROUP);
  EXPECT_EQ(params.group_size, 128);
  EXPECT_TRUE(params.scales_col_major);
  EXPECT_DOUBLE_EQ(params.min_scale, 4.3e-06);
  ASSERT_EQ(norm_bundle_kernel_params(bundle, "qtoken", &params), NORM_SUCCESS);
  EXPECT_TRUE(params.has_scale_ub);
  EXPECT_EQ(params.scale_ub, 1200.0);
  EXPECT_FALSE(params.has_clip);
  ASSERT_EQ(norm_bundle_kernel_params(bundle, "add_dyn", &params),
            NORM_SUCCESS);
  EXPECT_TRUE(params.normalize);
  EXPECT_DOUBLE_EQ(params.epsilon, 1e-5);
  EXPECT_EQ(norm_bundle_kernel_params(bundle, "add_dyn", nullptr),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_bundle_kernel_info(bundle, "nope", &info),
            NORM_ERROR_NOT_FOUND);
  EXPECT_NE(std::string(norm_last_error()).find("no kernel 'nope'"),
            std::string::npos);
  norm_bundle_close(bundle);
}

TEST(Bundle, NullAndEmptyArguments) {
  norm_bundle *bundle = nullptr;
  EXPECT_EQ(norm_bundle_open(nullptr, &bundle), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(norm_last_error()).find("directory is null"),
            std::string::npos);
  EXPECT_EQ(norm_bundle_open("/tmp", nullptr), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_bundle_open("", &bundle), NORM_ERROR_INVALID_ARGUMENT);
  norm_kernel_info_t info;
  EXPECT_EQ(norm_bundle_kernel_info(nullptr, "rms", &info),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_bundle_num_kernels(nullptr), 0u);
  norm_bundle_close(nullptr); // no-op
}

TEST(Bundle, MissingDirectoryOrManifest) {
  norm_bundle *bundle = nullptr;
  EXPECT_EQ(norm_bundle_open("/nonexistent/bundle", &bundle), NORM_ERROR_IO);
  EXPECT_NE(std::string(norm_last_error()).find("manifest.json"),
            std::string::npos);
  TempBundle dir(validManifest());
  dir.remove("manifest.json");
  EXPECT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_ERROR_IO);
}

TEST(Bundle, MissingOrEmptyBinary) {
  TempBundle dir(validManifest());
  dir.remove("norm_kernels.sm_90.cubin");
  norm_bundle *bundle = nullptr;
  EXPECT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_ERROR_IO);
  EXPECT_NE(std::string(norm_last_error()).find("norm_kernels.sm_90.cubin"),
            std::string::npos);
  dir.write("norm_kernels.sm_90.cubin", "");
  EXPECT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_ERROR_IO);
  EXPECT_NE(std::string(norm_last_error()).find("is empty"), std::string::npos);
}

TEST(Bundle, EveryTruncationIsRejected) {
  std::string manifest = validManifest();
  // Every proper prefix must fail cleanly: a bundle cut short in transfer.
  for (size_t length = 0; length < manifest.size(); length += 7) {
    std::string message;
    EXPECT_EQ(openManifest(manifest.substr(0, length), message),
              NORM_ERROR_BAD_MANIFEST)
        << "prefix of " << length << " bytes";
  }
}

TEST(Bundle, CorruptedBytesNeverCrash) {
  std::string manifest = validManifest();
  // Flip bytes across the file: each result is either a clean error or a
  // bundle that still validates; nothing may crash.
  for (size_t at = 0; at < manifest.size(); at += 13) {
    std::string corrupted = manifest;
    corrupted[at] = char(corrupted[at] ^ 0x5A);
    std::string message;
    norm_status_t status = openManifest(corrupted, message);
    EXPECT_TRUE(status == NORM_SUCCESS || status == NORM_ERROR_BAD_MANIFEST ||
                status == NORM_ERROR_IO)
        << at << ": " << norm_status_name(status);
    if (status != NORM_SUCCESS) {
      EXPECT_FALSE(message.empty());
    }
  }
}

TEST(Bundle, OptionalElementTypeParams) {
  // add_dyn is the first kernel with these params.
  std::string params = "\"params\": {\"epsilon\": 1e-05, \"normalize\": "
                       "true, \"quantize\": false, \"weight_offset\": 0}";
  TempBundle dir(edited(params, params.substr(0, params.size() - 1) +
                                    ", \"normalized_type\": \"bf16\"}"));
  norm_bundle *bundle = nullptr;
  ASSERT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_SUCCESS)
      << norm_last_error();
  norm_kernel_params_t p;
  ASSERT_EQ(norm_bundle_kernel_params(bundle, "add_dyn", &p), NORM_SUCCESS);
  EXPECT_TRUE(p.has_normalized_type);
  EXPECT_EQ(p.normalized_type, NORM_DTYPE_BF16);
  EXPECT_FALSE(p.has_intermediate_type);
  // Absent: not set.
  ASSERT_EQ(norm_bundle_kernel_params(bundle, "rms", &p), NORM_SUCCESS);
  EXPECT_FALSE(p.has_normalized_type);
  norm_bundle_close(bundle);
}

struct ManifestCase {
  const char *from, *to, *expectedMessage;
};

class BadManifest : public ::testing::TestWithParam<ManifestCase> {};

TEST_P(BadManifest, IsRejectedWithMessage) {
  const ManifestCase &c = GetParam();
  std::string message;
  EXPECT_EQ(openManifest(edited(c.from, c.to), message),
            NORM_ERROR_BAD_MANIFEST);
  EXPECT_NE(message.find(c.expectedMessage), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BadManifest,
    ::testing::Values(
        ManifestCase{"\"format_version\": 1", "\"format_version\": 2",
                     "format_version 2"},
        ManifestCase{"\"format_version\": 1", "\"format_version\": \"1\"",
                     "'.format_version' must be an integer"},
        ManifestCase{"\"kernels\"", "\"kernelz\"", "'.kernels' is missing"},
        ManifestCase{"\"objects\": [", "\"objects\": [], \"x\": [",
                     "lists no binaries"},
        ManifestCase{"\"block_size\": 128, \"cols\": 4096",
                     "\"block_size\": 64, \"cols\": 4096",
                     "not rows_per_block * threads_per_row"},
        ManifestCase{"\"block_size\": 256", "\"block_size\": 2048",
                     "outside [1, 1024]"},
        ManifestCase{"\"vector_width\": 8\n", "\"vector_width\": \"8\"\n",
                     "kernels.add_dyn.vector_width' must be an integer"},
        ManifestCase{"\"cols\": 4096", "\"cols\": 0",
                     "'kernels.rms.cols' is 0"},
        ManifestCase{"\"op\": \"rmsnorm\",", "", "kernels.rms.op' is missing"},
        ManifestCase{"\"role\": \"vector\"", "\"role\": \"matrix\"",
                     "expected row, vector, scalar or scales"},
        ManifestCase{"\"type\": \"f16\"", "\"type\": \"f64\"",
                     "not an element type the runtime knows"},
        ManifestCase{"\"align\": 2,", "\"align\": 3,", "not a power of two"},
        ManifestCase{"\"kind\": \"ptr\"", "\"kind\": \"ref\"",
                     "expected ptr or i64"},
        ManifestCase{"\"name\": \"stride_residual\"",
                     "\"name\": \"stride_other\"",
                     "do not follow the kernel ABI"},
        ManifestCase{"\"name\": \"residual\", \"role\": \"row\"",
                     "\"name\": \"input\", \"role\": \"row\"",
                     "repeats 'input'"},
        ManifestCase{"\"scheme\": \"static\"", "\"scheme\": \"dynamic\"",
                     "expected per_token, per_group or static"},
        ManifestCase{"\"scheme\": \"per_token\"", "\"scheme\": \"static\"",
                     "scales that do not match the quantization scheme"},
        ManifestCase{"\"group_size\": 128", "\"group_size\": 100",
                     "does not divide cols"},
        ManifestCase{"\"cols_multiple\": 1", "\"cols_multiple\": 0",
                     "kernels.add_dyn.cols_multiple' is 0, outside [1, 64]"},
        ManifestCase{"\"scale_layout\": \"col_major\"",
                     "\"scale_layout\": \"diagonal\"",
                     "expected row_major or col_major"},
        ManifestCase{"\"epsilon\": 1e-05", "\"epsilon\": \"tiny\"",
                     "epsilon' must be a number"},
        ManifestCase{"\"weight_offset\": 0}",
                     "\"weight_offset\": 0, \"normalized_type\": \"f64\"}",
                     "kernels.add_dyn.params.normalized_type' is 'f64', not an "
                     "element type the runtime knows"},
        ManifestCase{"\"format\": \"ptx\"", "\"format\": \"elf\"",
                     "expected cubin, fatbin, ptx or hsaco"},
        ManifestCase{"\"file\": \"norm_kernels.sm_80.ptx\"",
                     "\"file\": \"../../etc/passwd\"",
                     "must name a file inside the bundle"},
        ManifestCase{"\"params\": {\"clip\"", "\"params\": 7, \"x\": {\"clip\"",
                     "params' must be an object"},
        ManifestCase{
            "\"rows_per_block\": 2,",
            "\"persistent\": true, \"rows_per_block\": 2,",
            "kernels.qgroup.persistent' is true with rows_per_block 2 "
            "and blocks_per_row 1; a persistent kernel has one row per "
            "block and one block per row"},
        ManifestCase{"\"rows_per_block\": 2,",
                     "\"persistent\": 1, \"rows_per_block\": 2,",
                     "kernels.qgroup.persistent' must be true or false"}));
