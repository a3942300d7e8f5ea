//===- DriverTest.cpp - driver loading, binary choice, launches --*- C++
//-*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Runs the device half of the runtime against FakeCudaDriver.cpp (a CPU
// stand-in for libcuda.so.1) and against missing or incomplete drivers.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtils.h"
#include "norm-runtime/Runtime.hpp"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <vector>

using namespace norm::test;

namespace {
/// Points the runtime at a driver library for the lifetime of the object.
class DriverOverride {
public:
  DriverOverride(const char *cuda, const char *hip) {
    set("NORM_RUNTIME_CUDA_LIBRARY", cuda);
    set("NORM_RUNTIME_HIP_LIBRARY", hip);
  }
  ~DriverOverride() {
    unsetenv("NORM_RUNTIME_CUDA_LIBRARY");
    unsetenv("NORM_RUNTIME_HIP_LIBRARY");
  }

private:
  static void set(const char *name, const char *value) {
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
};

using ConfigureFn = void (*)(int, int, int, int, int);
using LastLaunchFn = const char *(*)(unsigned *, unsigned *, unsigned *,
                                     uint64_t *, int);

class FakeCuda : public ::testing::Test {
protected:
  void SetUp() override {
    library = dlopen(NORM_FAKE_CUDA_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library, nullptr) << dlerror();
    configureFn =
        reinterpret_cast<ConfigureFn>(dlsym(library, "fake_cuda_configure"));
    lastLaunch =
        reinterpret_cast<LastLaunchFn>(dlsym(library, "fake_cuda_last_launch"));
    ASSERT_TRUE(configureFn && lastLaunch);
    configure(90);
    ASSERT_EQ(norm_bundle_open(dir.path().c_str(), &bundle), NORM_SUCCESS);
  }
  void TearDown() override {
    norm_bundle_close(bundle);
    dlclose(library);
  }

  void configure(int cc, int devices = 1, int initError = 0, int loadError = 0,
                 int launchError = 0) {
    configureFn(cc, devices, initError, loadError, launchError);
  }

  norm_status_t createContext(norm_context **context,
                              norm_backend_t backend = NORM_BACKEND_CUDA) {
    return norm_context_create(backend, 0, context);
  }

  DriverOverride driver{NORM_FAKE_CUDA_PATH, "/nonexistent/libamdhip64.so"};
  TempBundle dir{validManifest()};
  norm_bundle *bundle = nullptr;
  void *library = nullptr;
  ConfigureFn configureFn = nullptr;
  LastLaunchFn lastLaunch = nullptr;
};
} // namespace

TEST(Driver, MissingDriverIsReportedNotFatal) {
  DriverOverride driver("/nonexistent/libcuda.so.1",
                        "/nonexistent/libamdhip64.so");
  norm_context *context = reinterpret_cast<norm_context *>(1);
  EXPECT_EQ(norm_context_create(NORM_BACKEND_CUDA, 0, &context),
            NORM_ERROR_NO_DRIVER);
  EXPECT_EQ(context, nullptr);
  std::string message = norm_last_error();
  EXPECT_NE(message.find("cannot load the CUDA driver named by "
                         "NORM_RUNTIME_CUDA_LIBRARY"),
            std::string::npos)
      << message;
  EXPECT_EQ(norm_context_create(NORM_BACKEND_HIP, 0, &context),
            NORM_ERROR_NO_DRIVER);
  EXPECT_NE(std::string(norm_last_error()).find("HIP runtime"),
            std::string::npos);
  // AUTO tries both and reports both.
  EXPECT_EQ(norm_context_create(NORM_BACKEND_AUTO, 0, &context),
            NORM_ERROR_NO_DRIVER);
  message = norm_last_error();
  EXPECT_NE(message.find("CUDA driver"), std::string::npos) << message;
  EXPECT_NE(message.find("HIP runtime"), std::string::npos) << message;
}

TEST(Driver, LibraryWithoutTheEntryPoints) {
  // libm loads but is not a driver.
  DriverOverride driver("libm.so.6", "libm.so.6");
  norm_context *context = nullptr;
  EXPECT_EQ(norm_context_create(NORM_BACKEND_CUDA, 0, &context),
            NORM_ERROR_NO_DRIVER);
  EXPECT_NE(std::string(norm_last_error()).find("the CUDA driver lacks cuInit"),
            std::string::npos)
      << norm_last_error();
  EXPECT_EQ(norm_context_create(NORM_BACKEND_HIP, 0, &context),
            NORM_ERROR_NO_DRIVER);
  EXPECT_NE(
      std::string(norm_last_error()).find("the HIP runtime lacks hipInit"),
      std::string::npos);
}

TEST(Driver, BadArguments) {
  norm_context *context = nullptr;
  EXPECT_EQ(norm_context_create(static_cast<norm_backend_t>(9), 0, &context),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_context_create(NORM_BACKEND_CUDA, 0, nullptr),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_launch(nullptr, nullptr, "k", nullptr, nullptr, 0),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(norm_last_error()).find("context is null"),
            std::string::npos);
  EXPECT_EQ(norm_malloc(nullptr, 16, nullptr), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_synchronize(nullptr), NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_timer_start(nullptr, nullptr), NORM_ERROR_INVALID_ARGUMENT);
  norm_context_destroy(nullptr);
  norm_timer_destroy(nullptr);
}

TEST(Driver, StatusNames) {
  for (int code = NORM_SUCCESS; code <= NORM_ERROR_DRIVER; ++code)
    EXPECT_EQ(
        std::string(norm_status_name(norm_status_t(code))).rfind("NORM_", 0),
        0u);
  EXPECT_STREQ(norm_status_name(NORM_ERROR_MISALIGNED),
               "NORM_ERROR_MISALIGNED");
  EXPECT_STREQ(norm_status_name(norm_status_t(99)), "NORM_ERROR_UNKNOWN");
  EXPECT_STREQ(norm_dtype_name(NORM_DTYPE_F8E4M3FNUZ), "f8E4M3FNUZ");
  EXPECT_EQ(norm_dtype_size(NORM_DTYPE_BF16), 2u);
}

TEST_F(FakeCuda, InitFailureAndMissingDevice) {
  norm_context *context = nullptr;
  configure(90, 1, /*initError=*/100);
  EXPECT_EQ(createContext(&context), NORM_ERROR_NO_DEVICE);
  EXPECT_NE(std::string(norm_last_error())
                .find("cuInit failed: CUDA_ERROR_NO_DEVICE (100)"),
            std::string::npos)
      << norm_last_error();
  configure(90, /*devices=*/0);
  EXPECT_EQ(createContext(&context), NORM_ERROR_NO_DEVICE);
  EXPECT_NE(std::string(norm_last_error()).find("CUDA device 0 does not exist"),
            std::string::npos);
}

TEST_F(FakeCuda, PicksTheBestBinaryForTheDevice) {
  struct Case {
    int cc;
    const char *file;
  } cases[] = {
      {90, "norm_kernels.sm_90a.cubin"}, // exact arch-specific cubin first
      {89, "norm_kernels.sm_80.ptx"},    // no cubin of major 8: JIT PTX
      {80, "norm_kernels.sm_80.ptx"},    {100, "norm_kernels.sm_100.cubin"},
      {120, "norm_kernels.sm_80.ptx"}, // newer major: JIT the PTX
  };
  for (const Case &c : cases) {
    configure(c.cc);
    norm_context *context = nullptr;
    ASSERT_EQ(createContext(&context), NORM_SUCCESS) << norm_last_error();
    EXPECT_EQ(norm_context_chip(context), "sm_" + std::to_string(c.cc));
    const char *file = nullptr;
    EXPECT_EQ(norm_select_binary(context, bundle, &file), NORM_SUCCESS)
        << norm_last_error();
    EXPECT_STREQ(file, c.file) << "sm_" << c.cc;
    norm_context_destroy(context);
  }
}

TEST_F(FakeCuda, NoCompatibleBinary) {
  configure(75);
  norm_context *context = nullptr;
  ASSERT_EQ(createContext(&context), NORM_SUCCESS);
  const char *file = nullptr;
  EXPECT_EQ(norm_select_binary(context, bundle, &file),
            NORM_ERROR_NO_COMPATIBLE_BINARY);
  EXPECT_NE(std::string(norm_last_error()).find("no binary for sm_75"),
            std::string::npos)
      << norm_last_error();
  norm_context_destroy(context);

  // Every candidate rejected by the driver: its error names come back.
  configure(90, 1, 0, /*loadError=*/209);
  ASSERT_EQ(createContext(&context), NORM_SUCCESS);
  EXPECT_EQ(norm_select_binary(context, bundle, &file),
            NORM_ERROR_NO_COMPATIBLE_BINARY);
  EXPECT_NE(std::string(norm_last_error()).find("CUDA_ERROR_NO_BINARY_FOR_GPU"),
            std::string::npos)
      << norm_last_error();
  norm_context_destroy(context);
}

TEST_F(FakeCuda, LaunchPacksTheKernelABI) {
  norm::Context context;
  ASSERT_EQ(context.create(NORM_BACKEND_CUDA), NORM_SUCCESS)
      << norm::lastError();
  norm::Bundle wrapped;
  ASSERT_EQ(wrapped.open(dir.path()), NORM_SUCCESS);
  // qgroup: input [5, 512] padded to 520, output [5, 512], scales [4, 5]
  // col_major with a padded stride of 8.
  void *in = fakeAddress(0), *out = fakeAddress(1 << 20),
       *scales = fakeAddress(2 << 20);
  std::vector<norm_tensor_t> tensors = {
      norm::makeTensor(in, NORM_DTYPE_BF16, {5, 512}, {520, 1}),
      norm::makeTensor(out, NORM_DTYPE_F8E4M3FN, {5, 512}),
      norm::makeTensor(scales, NORM_DTYPE_F32, {4, 5}, {8, 1})};
  ASSERT_EQ(context.launch(wrapped, "qgroup", tensors), NORM_SUCCESS)
      << norm::lastError();
  unsigned grid, block, shared;
  uint64_t params[8];
  lastLaunch(&grid, &block, &shared, params, 8);
  EXPECT_EQ(grid, 3u); // 5 rows, 2 per block
  EXPECT_EQ(block, 128u);
  EXPECT_EQ(shared, 0u);
  EXPECT_EQ(params[0], uint64_t(uintptr_t(in)));
  EXPECT_EQ(params[1], uint64_t(uintptr_t(out)));
  EXPECT_EQ(params[2], uint64_t(uintptr_t(scales)));
  EXPECT_EQ(params[3], 5u);   // rows
  EXPECT_EQ(params[4], 512u); // cols
  EXPECT_EQ(params[5], 520u); // stride_input
  EXPECT_EQ(params[6], 512u); // stride_output
  EXPECT_EQ(params[7], 8u);   // stride_scales
}

TEST_F(FakeCuda, PersistentKernelsGetOneBalancedWave) {
  // "rms" marked persistent: its rows are spread over the fake device's 132
  // SMs, ceil(rows / 132) per block; norm_check_arguments reports the most
  // blocks the launch may use (one per row).
  std::string manifest = validManifest();
  const std::string rms = R"("block_size": 128, "cols": 4096,)";
  size_t at = manifest.find(rms);
  ASSERT_NE(at, std::string::npos);
  manifest.insert(at + rms.size(), R"( "persistent": true,)");
  TempBundle persistentDir(manifest);
  norm_bundle *persistent = nullptr;
  ASSERT_EQ(norm_bundle_open(persistentDir.path().c_str(), &persistent),
            NORM_SUCCESS)
      << norm_last_error();
  norm_context *context = nullptr;
  ASSERT_EQ(createContext(&context), NORM_SUCCESS);
  for (auto [rows, expected] : {std::pair<int64_t, unsigned>{1000, 125},
                                {1056, 132},
                                {1057, 118},
                                {100, 100},
                                {1, 1}}) {
    std::vector<norm_tensor_t> tensors = {
        tensor(fakeAddress(0), NORM_DTYPE_BF16, {rows, 4096}),
        tensor(fakeAddress(1 << 30), NORM_DTYPE_BF16, {4096}),
        tensor(fakeAddress(2u << 30), NORM_DTYPE_BF16, {rows, 4096})};
    int64_t most = 0;
    ASSERT_EQ(norm_check_arguments(persistent, "rms", tensors.data(), 3, &most),
              NORM_SUCCESS);
    EXPECT_EQ(most, rows);
    ASSERT_EQ(
        norm_launch(context, persistent, "rms", nullptr, tensors.data(), 3),
        NORM_SUCCESS)
        << norm_last_error();
    unsigned grid, block, shared;
    uint64_t params[4];
    lastLaunch(&grid, &block, &shared, params, 4);
    EXPECT_EQ(grid, expected) << rows << " rows";
    // Without the mark, a block per row.
    ASSERT_EQ(norm_launch(context, bundle, "rms", nullptr, tensors.data(), 3),
              NORM_SUCCESS);
    lastLaunch(&grid, &block, &shared, params, 4);
    EXPECT_EQ(grid, unsigned(rows));
  }
  norm_context_destroy(context);
  norm_bundle_close(persistent);
}

TEST_F(FakeCuda, DriverErrorsComeBackWithTheirNames) {
  configure(90, 1, 0, 0, /*launchError=*/700);
  norm_context *context = nullptr;
  ASSERT_EQ(createContext(&context), NORM_SUCCESS);
  std::vector<norm_tensor_t> tensors = {
      tensor(fakeAddress(0), NORM_DTYPE_BF16, {1, 4096}),
      tensor(fakeAddress(1 << 20), NORM_DTYPE_BF16, {4096}),
      tensor(fakeAddress(2 << 20), NORM_DTYPE_BF16, {1, 4096})};
  EXPECT_EQ(norm_launch(context, bundle, "rms", nullptr, tensors.data(), 3),
            NORM_ERROR_DRIVER);
  EXPECT_NE(
      std::string(norm_last_error())
          .find("cuLaunchKernel failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)"),
      std::string::npos)
      << norm_last_error();
  // Argument errors are caught before the driver sees anything.
  tensors[1].dtype = NORM_DTYPE_F32;
  EXPECT_EQ(norm_launch(context, bundle, "rms", nullptr, tensors.data(), 3),
            NORM_ERROR_DTYPE_MISMATCH);
  norm_context_destroy(context);
}

TEST_F(FakeCuda, MemoryAndTimers) {
  norm_context *context = nullptr;
  ASSERT_EQ(createContext(&context, NORM_BACKEND_AUTO), NORM_SUCCESS);
  EXPECT_EQ(norm_context_backend(context), NORM_BACKEND_CUDA);
  void *device = nullptr;
  ASSERT_EQ(norm_malloc(context, 64, &device), NORM_SUCCESS);
  std::vector<uint8_t> host(64, 7), back(64, 0);
  ASSERT_EQ(norm_memcpy_to_device(context, device, host.data(), 64),
            NORM_SUCCESS);
  ASSERT_EQ(norm_memcpy_to_host(context, back.data(), device, 64),
            NORM_SUCCESS);
  EXPECT_EQ(back, host);
  ASSERT_EQ(norm_memset(context, device, 0xFF, 64), NORM_SUCCESS);
  ASSERT_EQ(norm_memcpy_to_host(context, back.data(), device, 64),
            NORM_SUCCESS);
  EXPECT_EQ(back, std::vector<uint8_t>(64, 0xFF));
  EXPECT_EQ(norm_memcpy_to_device(context, nullptr, host.data(), 64),
            NORM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(norm_free(context, device), NORM_SUCCESS);

  norm_timer *timer = nullptr;
  ASSERT_EQ(norm_timer_create(context, &timer), NORM_SUCCESS);
  ASSERT_EQ(norm_timer_start(timer, nullptr), NORM_SUCCESS);
  ASSERT_EQ(norm_timer_stop(timer, nullptr), NORM_SUCCESS);
  float ms = 0;
  ASSERT_EQ(norm_timer_elapsed_ms(timer, &ms), NORM_SUCCESS);
  EXPECT_FLOAT_EQ(ms, 1.5f);
  norm_timer_destroy(timer);
  norm_context_destroy(context);
}

TEST_F(FakeCuda, BundleOutlivesContextAndReloads) {
  norm_context *context = nullptr;
  ASSERT_EQ(createContext(&context), NORM_SUCCESS);
  const char *file = nullptr;
  ASSERT_EQ(norm_select_binary(context, bundle, &file), NORM_SUCCESS);
  norm_context_destroy(context);
  configure(80);
  ASSERT_EQ(createContext(&context), NORM_SUCCESS);
  ASSERT_EQ(norm_select_binary(context, bundle, &file), NORM_SUCCESS);
  EXPECT_STREQ(file, "norm_kernels.sm_80.ptx");
  norm_context_destroy(context);
}
