//===- KnownTargetsTest.cpp - the known-chip table ------------------------===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Target/KnownTargets.h"

#include "gtest/gtest.h"

#include <set>
#include <string>

using namespace mlir::norm;

namespace {

TEST(KnownTargetsTest, HasTheChipsTheProjectSupports) {
  for (const char *name :
       {"sm_80", "sm_86", "sm_89", "sm_90", "sm_90a", "sm_100", "sm_100a",
        "sm_120", "gfx90a", "gfx942", "gfx950", "gfx1100", "gfx1200"})
    EXPECT_NE(lookupChip(name), nullptr) << name;
  for (const char *name : {"sm_75", "sm_70", "sm_50", "sm_91", "sm90", "",
                           "gfx700", "gfx1234", "gfx940", "SM_90"})
    EXPECT_EQ(lookupChip(name), nullptr) << name;
}

TEST(KnownTargetsTest, NamesAreUniqueAndFactsConsistent) {
  std::set<std::string> names;
  for (const ChipInfo &chip : getKnownChips()) {
    EXPECT_TRUE(names.insert(chip.name.str()).second) << chip.name.str();
    bool nvidia = chip.vendor == GPUVendor::NVIDIA;
    EXPECT_EQ(nvidia, chip.name.starts_with("sm_")) << chip.name.str();
    EXPECT_TRUE(chip.defaultWarpSize == 32 || chip.defaultWarpSize == 64);
    EXPECT_TRUE(chip.defaultWarpSize == 64 ? chip.wave64 : chip.wave32);
    EXPECT_GT(chip.numSMs, 0) << chip.name.str();
    EXPECT_GE(chip.sharedMemoryPerBlock, 48 * 1024) << chip.name.str();
    EXPECT_GE(chip.maxClusterSize, 1);
    // Clusters, cp.async and packed half operations are NVIDIA-only.
    if (!nvidia) {
      EXPECT_EQ(chip.maxClusterSize, 1) << chip.name.str();
      EXPECT_FALSE(chip.asyncCopies || chip.packedHalfOps) << chip.name.str();
      EXPECT_EQ(chip.fp4 == FP4Conversions::NVIDIA, false);
    }
    // The fp4 conversion instructions need an arch-specific (a) target.
    if (chip.fp4 == FP4Conversions::NVIDIA)
      EXPECT_TRUE(chip.name.ends_with("a")) << chip.name.str();
  }
}

TEST(KnownTargetsTest, FP8ConversionFamilies) {
  EXPECT_EQ(lookupChip("sm_80")->fp8, FP8Conversions::None);
  EXPECT_EQ(lookupChip("sm_89")->fp8, FP8Conversions::OCP);
  EXPECT_EQ(lookupChip("gfx942")->fp8, FP8Conversions::FNUZ);
  EXPECT_EQ(lookupChip("gfx950")->fp8, FP8Conversions::OCP);
  EXPECT_EQ(lookupChip("gfx1200")->fp8, FP8Conversions::OCP);
  EXPECT_EQ(lookupChip("gfx1100")->fp8, FP8Conversions::None);
  EXPECT_EQ(lookupChip("sm_100a")->fp4, FP4Conversions::NVIDIA);
  EXPECT_EQ(lookupChip("sm_100")->fp4, FP4Conversions::None);
  EXPECT_EQ(lookupChip("gfx950")->fp4, FP4Conversions::AMD);
}

TEST(KnownTargetsTest, ABinaryGetsWhatAllItsChipsHave) {
  std::string error;
  std::optional<TargetDescription> target = describeTarget(
      GPUVendor::NVIDIA, "sm_89, sm_90,sm_100", std::nullopt, error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->chips.size(), 3u);
  EXPECT_EQ(target->sharedMemoryPerBlock, 99 * 1024);
  EXPECT_EQ(target->maxClusterSize, 1); // sm_89 has no clusters
  EXPECT_FALSE(target->evictLastLoads);
  EXPECT_TRUE(target->asyncCopies && target->packedHalfOps);
  EXPECT_EQ(target->fp8, FP8Conversions::OCP);

  target = describeTarget(GPUVendor::NVIDIA, "sm_90a", std::nullopt, error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->sharedMemoryPerBlock, 227 * 1024);
  EXPECT_EQ(target->maxClusterSize, 8);
  EXPECT_TRUE(target->evictLastLoads);
  EXPECT_EQ(target->warpSize, 32);
}

TEST(KnownTargetsTest, WaveSize) {
  std::string error;
  std::optional<TargetDescription> target =
      describeTarget(GPUVendor::AMD, "gfx942", std::nullopt, error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->warpSize, 64);
  target = describeTarget(GPUVendor::AMD, "gfx1100", std::nullopt, error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->warpSize, 32);
  EXPECT_FALSE(describeTarget(GPUVendor::AMD, "gfx1100", true, error));
  EXPECT_NE(error.find("does not run norm kernels in wave64"),
            std::string::npos)
      << error;
  EXPECT_FALSE(describeTarget(GPUVendor::AMD, "gfx90a", false, error));
  EXPECT_NE(error.find("in wave32"), std::string::npos) << error;
}

TEST(KnownTargetsTest, Errors) {
  std::string error;
  EXPECT_FALSE(describeTarget(GPUVendor::NVIDIA, "", std::nullopt, error));
  EXPECT_EQ(error, "'chip' is empty");
  EXPECT_FALSE(describeTarget(GPUVendor::NVIDIA, " , ", std::nullopt, error));
  EXPECT_EQ(error, "'chip' is empty");
  EXPECT_FALSE(
      describeTarget(GPUVendor::NVIDIA, "sm_90,sm_75", std::nullopt, error));
  EXPECT_NE(error.find("unknown chip 'sm_75'"), std::string::npos) << error;
  EXPECT_FALSE(
      describeTarget(GPUVendor::NVIDIA, "gfx942", std::nullopt, error));
  EXPECT_NE(error.find("'gfx942' is not an NVIDIA chip"), std::string::npos)
      << error;
  EXPECT_FALSE(
      describeTarget(GPUVendor::NVIDIA, "sm_80,sm_89", std::nullopt, error));
  EXPECT_NE(error.find("different fp8 conversion instructions"),
            std::string::npos)
      << error;
}

} // namespace
