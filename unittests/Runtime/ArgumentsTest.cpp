//===- ArgumentsTest.cpp - launch argument checks ----------------*- C++
//-*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// norm_check_arguments runs the checks norm_launch runs before anything
// reaches a driver, so every rejection is tested here without a GPU.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtils.h"

#include <gtest/gtest.h>

#include <vector>

using namespace norm::test;

namespace {
/// A call of "add_dyn": 3 rows of H f16 (input, residual, output,
/// residual_out) and gamma.
std::vector<norm_tensor_t> addDyn(int64_t h) {
  auto row = [&](uintptr_t at) {
    return tensor(fakeAddress(at << 24), NORM_DTYPE_F16, {3, h});
  };
  return {row(0), row(1), tensor(fakeAddress(2 << 24), NORM_DTYPE_F16, {h}),
          row(3), row(4)};
}

class Arguments : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_SUCCESS)
        << norm_last_error();
  }
  void TearDown() override { norm_bundle_close(bundle); }

  norm_status_t check(const char *kernel,
                      const std::vector<norm_tensor_t> &tensors,
                      int64_t *grid = nullptr) {
    norm_status_t status = norm_check_arguments(bundle, kernel, tensors.data(),
                                                int64_t(tensors.size()), grid);
    message = norm_last_error();
    return status;
  }
  bool says(const std::string &text) const {
    return message.find(text) != std::string::npos;
  }

  /// A valid call of "rms": rows x 4096 bf16, gamma, output.
  std::vector<norm_tensor_t> rms(int64_t rows) {
    return {tensor(fakeAddress(0), NORM_DTYPE_BF16, {rows, 4096}),
            tensor(fakeAddress(1 << 20), NORM_DTYPE_BF16, {4096}),
            tensor(fakeAddress(2 << 20), NORM_DTYPE_BF16, {rows, 4096})};
  }

  TempBundle dir{validManifest()};
  norm_bundle *bundle = nullptr;
  std::string message;
};
} // namespace

TEST_F(Arguments, AcceptsValidCallsAndComputesGrid) {
  int64_t grid = -1;
  EXPECT_EQ(check("rms", rms(7), &grid), NORM_SUCCESS) << message;
  EXPECT_EQ(grid, 7);
  // Leading dimensions collapse into rows: [2, 3, 4096] is 6 rows.
  auto t = rms(0);
  t[0] = tensor(fakeAddress(0), NORM_DTYPE_BF16, {2, 3, 4096});
  t[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_BF16, {6, 4096});
  EXPECT_EQ(check("rms", t, &grid), NORM_SUCCESS) << message;
  EXPECT_EQ(grid, 6);
  // Padded rows: a row stride of 4104 elements keeps 16-byte alignment.
  t = rms(5);
  t[0] = tensor(fakeAddress(0), NORM_DTYPE_BF16, {5, 4096}, {4104, 1});
  EXPECT_EQ(check("rms", t, &grid), NORM_SUCCESS) << message;
  // qstatic has 8 rows per block.
  std::vector<norm_tensor_t> q = {
      tensor(fakeAddress(0), NORM_DTYPE_F32, {17, 64}),
      tensor(fakeAddress(1 << 20), NORM_DTYPE_F32, {}),
      tensor(fakeAddress(2 << 20), NORM_DTYPE_I8, {17, 64})};
  EXPECT_EQ(check("qstatic", q, &grid), NORM_SUCCESS) << message;
  EXPECT_EQ(grid, 3);
}

TEST_F(Arguments, ZeroRowsLaunchNothingAndMayHaveNoStorage) {
  auto t = rms(0);
  t[0].data = nullptr;
  t[2].data = nullptr;
  int64_t grid = -1;
  EXPECT_EQ(check("rms", t, &grid), NORM_SUCCESS) << message;
  EXPECT_EQ(grid, 0);
}

TEST_F(Arguments, UnknownKernel) {
  EXPECT_EQ(check("rmsnorm", rms(1)), NORM_ERROR_NOT_FOUND);
  EXPECT_TRUE(says("it has add_dyn, qgroup, qstatic, qtoken, rms")) << message;
}

TEST_F(Arguments, NullArguments) {
  EXPECT_EQ(norm_check_arguments(nullptr, "rms", nullptr, 0, nullptr),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_check_arguments(bundle, nullptr, nullptr, 0, nullptr),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_check_arguments(bundle, "rms", nullptr, 3, nullptr),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(norm_last_error()).find("tensors is null"),
            std::string::npos);
  auto t = rms(4);
  t[1].data = nullptr;
  EXPECT_EQ(check("rms", t), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(says("tensor 'gamma' (#1): data is null")) << message;
}

TEST_F(Arguments, WrongTensorCount) {
  auto t = rms(4);
  t.pop_back();
  EXPECT_EQ(check("rms", t), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("takes 3 tensors (input, gamma, output), got 2")) << message;
}

TEST_F(Arguments, RankAndDimensions) {
  auto t = rms(4);
  t[0].rank = NORM_MAX_RANK + 1;
  EXPECT_EQ(check("rms", t), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(says("rank 9 is outside [0, 8]")) << message;
  t = rms(4);
  t[2].shape[0] = -4;
  EXPECT_EQ(check("rms", t), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(says("tensor 'output' (#2): dimension 0 is negative")) << message;
  t = rms(4);
  t[0] = tensor(fakeAddress(), NORM_DTYPE_BF16, {});
  EXPECT_EQ(check("rms", t), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("needs rank >= 1")) << message;
}

TEST_F(Arguments, ElementTypes) {
  auto t = rms(4);
  t[2].dtype = NORM_DTYPE_F16;
  EXPECT_EQ(check("rms", t), NORM_ERROR_DTYPE_MISMATCH);
  EXPECT_TRUE(says("tensor 'output' (#2): element type is f16, the kernel "
                   "takes bf16"))
      << message;
  t = rms(4);
  t[1].dtype = static_cast<norm_dtype_t>(42);
  EXPECT_EQ(check("rms", t), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(says("element type 42 is not a norm_dtype_t")) << message;
}

TEST_F(Arguments, ShapesMustAgree) {
  auto t = rms(4);
  t[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_BF16, {5, 4096});
  EXPECT_EQ(check("rms", t), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("gives 5 rows of 4096, the input has 4 rows of 4096"))
      << message;
  t = rms(4);
  t[0] = tensor(fakeAddress(), NORM_DTYPE_BF16, {4, 4095});
  t[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_BF16, {4, 4095});
  EXPECT_EQ(check("rms", t), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("has H = 4095, the kernel was compiled for H = 4096"))
      << message;
  t = rms(4);
  t[1] = tensor(fakeAddress(1 << 20), NORM_DTYPE_BF16, {2048});
  EXPECT_EQ(check("rms", t), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("tensor 'gamma' (#1): shape is [2048], expected [4096]"))
      << message;
}

TEST_F(Arguments, DynamicH) {
  std::vector<norm_tensor_t> t = addDyn(7);
  EXPECT_EQ(check("add_dyn", t), NORM_SUCCESS) << message;
  for (auto &x : t)
    x.shape[x.rank - 1] = 0;
  EXPECT_EQ(check("add_dyn", t), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("has H = 0")) << message;
}

TEST(ArgumentsColsMultiple, DynamicHWithoutPeeling) {
  // A dynamic-H kernel whose manifest leaves out cols_multiple (bundles from
  // before peeled rows) takes only multiples of its vector width.
  std::string manifest = validManifest();
  std::string peeled = "\"cols_multiple\": 1,";
  manifest.erase(manifest.find(peeled), peeled.size());
  TempBundle dir(manifest);
  norm_bundle *bundle = nullptr;
  ASSERT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_SUCCESS)
      << norm_last_error();
  auto check = [&](int64_t h) {
    std::vector<norm_tensor_t> t = addDyn(h);
    return norm_check_arguments(bundle, "add_dyn", t.data(), int64_t(t.size()),
                                nullptr);
  };
  EXPECT_EQ(check(16), NORM_SUCCESS) << norm_last_error();
  EXPECT_EQ(check(7), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_NE(std::string(norm_last_error())
                .find("has H = 7, not a multiple of the kernel's vector "
                      "width 8"),
            std::string::npos)
      << norm_last_error();
  norm_bundle_close(bundle);
}

TEST_F(Arguments, Strides) {
  auto t = rms(4);
  t[0].strides[1] = 2;
  EXPECT_EQ(check("rms", t), NORM_ERROR_BAD_STRIDES);
  EXPECT_TRUE(says("innermost stride is 2")) << message;
  t = rms(4);
  t[0].strides[0] = 2048;
  EXPECT_EQ(check("rms", t), NORM_ERROR_BAD_STRIDES);
  EXPECT_TRUE(says("row stride 2048 is smaller than H = 4096")) << message;
  t = rms(6);
  t[0] =
      tensor(fakeAddress(), NORM_DTYPE_BF16, {2, 3, 4096}, {4 * 4096, 4096, 1});
  EXPECT_EQ(check("rms", t), NORM_ERROR_BAD_STRIDES);
  EXPECT_TRUE(says("dimension 0 has stride 16384, expected 12288")) << message;
  t = rms(4);
  t[1].strides[0] = 2;
  EXPECT_EQ(check("rms", t), NORM_ERROR_BAD_STRIDES);
  EXPECT_TRUE(says("per-column vectors must be contiguous")) << message;
}

TEST_F(Arguments, Alignment) {
  auto t = rms(4);
  t[0].data = fakeAddress(8);
  EXPECT_EQ(check("rms", t), NORM_ERROR_MISALIGNED);
  EXPECT_TRUE(says("tensor 'input' (#0): data pointer is not aligned to the "
                   "16 bytes"))
      << message;
  t = rms(4);
  t[2].strides[0] = 4100;
  EXPECT_EQ(check("rms", t), NORM_ERROR_MISALIGNED);
  EXPECT_TRUE(says("stride of 4100 elements (8200 bytes) is not a multiple "
                   "of the 16-byte alignment"))
      << message;
  t = rms(4);
  t[1].data = fakeAddress(4);
  EXPECT_EQ(check("rms", t), NORM_ERROR_MISALIGNED);
}

TEST_F(Arguments, ScalarScale) {
  std::vector<norm_tensor_t> q = {
      tensor(fakeAddress(0), NORM_DTYPE_F32, {2, 64}),
      tensor(fakeAddress(1 << 20), NORM_DTYPE_F32, {2}),
      tensor(fakeAddress(2 << 20), NORM_DTYPE_I8, {2, 64})};
  EXPECT_EQ(check("qstatic", q), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("expected a single value ([] or [1])")) << message;
  q[1] = tensor(fakeAddress((1 << 20) + 2), NORM_DTYPE_F32, {1});
  EXPECT_EQ(check("qstatic", q), NORM_ERROR_MISALIGNED);
}

TEST_F(Arguments, PerTokenScales) {
  std::vector<norm_tensor_t> q = {
      tensor(fakeAddress(0), NORM_DTYPE_BF16, {3, 4096}),
      tensor(fakeAddress(1 << 20), NORM_DTYPE_F8E4M3FN, {3, 4096}),
      tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {3, 1})};
  EXPECT_EQ(check("qtoken", q), NORM_SUCCESS) << message;
  q[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {3});
  EXPECT_EQ(check("qtoken", q), NORM_SUCCESS) << message;
  q[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {4});
  EXPECT_EQ(check("qtoken", q), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("expected [3] or [3, 1] (one scale per row)")) << message;
  q[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {3}, {0});
  EXPECT_EQ(check("qtoken", q), NORM_ERROR_BAD_STRIDES);
  EXPECT_TRUE(says("would make rows share a scale")) << message;
}

TEST_F(Arguments, PerGroupScales) {
  // qgroup: H = 512, group 128 -> 4 groups, col_major [4, rows].
  std::vector<norm_tensor_t> q = {
      tensor(fakeAddress(0), NORM_DTYPE_BF16, {5, 512}),
      tensor(fakeAddress(1 << 20), NORM_DTYPE_F8E4M3FN, {5, 512}),
      tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {4, 5})};
  int64_t grid = 0;
  EXPECT_EQ(check("qgroup", q, &grid), NORM_SUCCESS) << message;
  EXPECT_EQ(grid, 3); // 2 rows per block
  q[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {5, 4});
  EXPECT_EQ(check("qgroup", q), NORM_ERROR_SHAPE_MISMATCH);
  EXPECT_TRUE(says("expected [4, 5] = [H / group, rows] (col_major)"))
      << message;
  q[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {4, 5}, {3, 1});
  EXPECT_EQ(check("qgroup", q), NORM_ERROR_BAD_STRIDES);
  EXPECT_TRUE(says("scale rows would overlap")) << message;
  q[2] = tensor(fakeAddress(2 << 20), NORM_DTYPE_F32, {4, 5}, {8, 2});
  EXPECT_EQ(check("qgroup", q), NORM_ERROR_BAD_STRIDES);
  EXPECT_TRUE(says("contiguous along their last dimension")) << message;
}

TEST_F(Arguments, SizesBeyondWhatALaunchCanIndex) {
  // 2^40 rows of one block each: the grid would exceed 2^31 - 1.
  int64_t rows = int64_t(1) << 40;
  EXPECT_EQ(check("rms", rms(rows)), NORM_ERROR_TOO_LARGE);
  EXPECT_TRUE(says("more than the 2^31 - 1 a grid dimension holds")) << message;
  // A row stride whose byte extent overflows int64.
  auto t = rms(4);
  t[0].strides[0] = int64_t(1) << 62;
  EXPECT_EQ(check("rms", t), NORM_ERROR_TOO_LARGE);
  EXPECT_TRUE(says("more bytes than a 64-bit offset can address")) << message;
  // Leading dimensions whose product overflows.
  t = rms(1);
  t[0] = tensor(fakeAddress(), NORM_DTYPE_BF16,
                {int64_t(1) << 40, int64_t(1) << 40, 4096});
  EXPECT_EQ(check("rms", t), NORM_ERROR_TOO_LARGE);
}

namespace {
/// The valid manifest with "blocks_per_row": `value` in kernel "rms".
std::string manifestWithRmsBlocksPerRow(const std::string &value) {
  std::string manifest = validManifest();
  size_t at = manifest.find("\"rows_per_block\": 1, \"threads_per_row\": 128");
  EXPECT_NE(at, std::string::npos);
  manifest.insert(at, "\"blocks_per_row\": " + value + ", ");
  return manifest;
}
} // namespace

TEST(ArgumentsBlocksPerRow, GridCountsEveryBlockOfARow) {
  // A kernel whose rows are split over clusters of 4 blocks launches 4
  // blocks per row; bundles without the field launch one.
  TempBundle dir(manifestWithRmsBlocksPerRow("4"));
  norm_bundle *bundle = nullptr;
  ASSERT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_SUCCESS)
      << norm_last_error();
  std::vector<norm_tensor_t> t = {
      tensor(fakeAddress(0), NORM_DTYPE_BF16, {7, 4096}),
      tensor(fakeAddress(1 << 20), NORM_DTYPE_BF16, {4096}),
      tensor(fakeAddress(2 << 20), NORM_DTYPE_BF16, {7, 4096})};
  int64_t grid = -1;
  EXPECT_EQ(norm_check_arguments(bundle, "rms", t.data(), 3, &grid),
            NORM_SUCCESS)
      << norm_last_error();
  EXPECT_EQ(grid, 28);
  norm_kernel_info_t info;
  ASSERT_EQ(norm_bundle_kernel_info(bundle, "rms", &info), NORM_SUCCESS);
  EXPECT_EQ(info.blocks_per_row, 4);
  ASSERT_EQ(norm_bundle_kernel_info(bundle, "add_dyn", &info), NORM_SUCCESS);
  EXPECT_EQ(info.blocks_per_row, 1);

  // 2^29 rows of 4 blocks overflow a grid dimension.
  t[0].shape[0] = t[2].shape[0] = int64_t(1) << 29;
  t[0].strides[0] = t[2].strides[0] = 4096;
  EXPECT_EQ(norm_check_arguments(bundle, "rms", t.data(), 3, &grid),
            NORM_ERROR_TOO_LARGE);
  EXPECT_NE(std::string(norm_last_error()).find("2147483648 blocks"),
            std::string::npos)
      << norm_last_error();
  norm_bundle_close(bundle);
}

TEST(ArgumentsBlocksPerRow, RejectsImpossibleClusters) {
  for (const char *value : {"0", "3", "16"}) {
    TempBundle dir(manifestWithRmsBlocksPerRow(value));
    norm_bundle *bundle = nullptr;
    EXPECT_EQ(norm_bundle_open(dir.path().c_str(), &bundle),
              NORM_ERROR_BAD_MANIFEST)
        << value;
    EXPECT_NE(std::string(norm_last_error()).find("rms.blocks_per_row"),
              std::string::npos)
        << norm_last_error();
  }
}
