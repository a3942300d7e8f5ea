//===- NVVMNontemporal.cpp - nontemporal accesses as PTX streaming ones ---===//
//
// Part of norm-mlir. See README.md for license information.
//
// NVPTX (LLVM 22) drops `!nontemporal`. A nontemporal load or store of 32,
// 64 or 128 bits through a global pointer becomes inline PTX with the
// streaming cache operator (`ld.global.cs`, `st.global.cs`: lines allocated
// evict-first in L1 and L2), moved as 1, 2 or 4 b32 registers. The asm has
// side effects, so LLVM keeps it in order with every other memory access
// (it carries no memory operands LLVM could reason about).
//
// In a function (gpu.func or llvm.func) whose norm.row_cache_policy is
// "evict_last_loads" (RowCachePolicy), the loads instead become
// `ld.global.L1::evict_last.L2::cache_hint` under a
// `createpolicy.fractional.L2::evict_last` policy, and the stores plain
// ones.
//
// TODO: once NVPTX honours `!mem.cache_hint` (after LLVM 22), emit plain
// loads and stores with it instead: the asm's fixed order is what made
// streaming slower for residual and shared-memory rows.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <string>

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMNVVMNONTEMPORAL
#include "norm/Conversion/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;

/// The b32 words a streaming access `op` (an llvm.load or llvm.store) of
/// `type` moves, or 0 when it cannot be one: not nontemporal, volatile or
/// atomic, not through global memory, not 32, 64 or 128 bits, or less
/// aligned than its size, as PTX requires (an access without an alignment
/// attribute is left alone).
template <typename AccessOp>
static int64_t streamingWords(AccessOp op, Type type) {
  if (!op.getNontemporal() || op.getVolatile_() ||
      op.getOrdering() != LLVM::AtomicOrdering::not_atomic)
    return 0;
  auto pointerType = dyn_cast<LLVM::LLVMPointerType>(op.getAddr().getType());
  if (!pointerType || pointerType.getAddressSpace() != 1)
    return 0;
  Type element = type;
  int64_t elements = 1;
  if (auto vector = dyn_cast<VectorType>(type)) {
    if (vector.isScalable() || vector.getRank() != 1)
      return 0;
    element = vector.getElementType();
    elements = vector.getNumElements();
  }
  if (!element.isIntOrFloat())
    return 0;
  int64_t bits = elements * element.getIntOrFloatBitWidth();
  if (bits != 32 && bits != 64 && bits != 128)
    return 0;
  if (op.getAlignment().value_or(0) * 8 < static_cast<uint64_t>(bits))
    return 0;
  return bits / 32;
}

/// "{$0, $1}"-style list of `count` operands from `first`, or "$first".
static std::string operandList(int64_t first, int64_t count) {
  if (count == 1)
    return "$" + std::to_string(first);
  std::string list = "{";
  for (int64_t i = 0; i < count; ++i)
    list += (i ? ", $" : "$") + std::to_string(first + i);
  return list + "}";
}

static std::string vectorSuffix(int64_t words) {
  return words == 1 ? ".b32" : ".v" + std::to_string(words) + ".b32";
}

static LLVM::InlineAsmOp createAsm(ImplicitLocOpBuilder &b, Type result,
                                   ValueRange operands, StringRef text,
                                   StringRef constraints) {
  return LLVM::InlineAsmOp::create(
      b, result, operands, text, constraints, /*has_side_effects=*/true,
      /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
      LLVM::AsmDialectAttr(), ArrayAttr());
}

/// The inline PTX of a load of `words` b32 words under `policy`.
static std::string loadText(RowCachePolicy policy, int64_t words) {
  std::string access = vectorSuffix(words) + " " + operandList(0, words) +
                       ", [$" + std::to_string(words) + "]";
  // One policy per load, as Triton emits it (the form measured).
  if (policy == RowCachePolicy::EvictLastLoads)
    return "{ .reg .b64 policy; "
           "createpolicy.fractional.L2::evict_last.b64 policy, 1.0; "
           "ld.global.L1::evict_last.L2::cache_hint" +
           access + ", policy; }";
  return "ld.global.cs" + access + ";";
}

static void rewriteLoad(LLVM::LoadOp load, int64_t words,
                        RowCachePolicy policy) {
  ImplicitLocOpBuilder b(load.getLoc(), load);
  Type i32 = b.getI32Type();
  SmallVector<Type> wordTypes(words, i32);
  Type result =
      words == 1 ? i32
                 : LLVM::LLVMStructType::getLiteral(b.getContext(), wordTypes);
  std::string constraints;
  for (int64_t i = 0; i < words; ++i)
    constraints += "=r,";
  constraints += "l";
  auto asmOp = createAsm(b, result, load.getAddr(), loadText(policy, words),
                         constraints);
  Value loaded = asmOp.getResult(0);
  if (words > 1) {
    auto vectorType = VectorType::get({words}, i32);
    Value vector = LLVM::PoisonOp::create(b, vectorType);
    for (int64_t i = 0; i < words; ++i)
      vector = LLVM::InsertElementOp::create(
          b, vector, LLVM::ExtractValueOp::create(b, loaded, i),
          LLVM::ConstantOp::create(b, i32, b.getI32IntegerAttr(i)));
    loaded = vector;
  }
  if (loaded.getType() != load.getType())
    loaded = LLVM::BitcastOp::create(b, load.getType(), loaded);
  load.replaceAllUsesWith(loaded);
  load.erase();
}

static void rewriteStore(LLVM::StoreOp store, int64_t words) {
  ImplicitLocOpBuilder b(store.getLoc(), store);
  Type i32 = b.getI32Type();
  Type wordsType = words == 1 ? i32 : VectorType::get({words}, i32);
  Value value = store.getValue();
  if (value.getType() != wordsType)
    value = LLVM::BitcastOp::create(b, wordsType, value);
  SmallVector<Value> operands{store.getAddr()};
  if (words == 1) {
    operands.push_back(value);
  } else {
    for (int64_t i = 0; i < words; ++i)
      operands.push_back(LLVM::ExtractElementOp::create(
          b, value, LLVM::ConstantOp::create(b, i32, b.getI32IntegerAttr(i))));
  }
  std::string constraints = "l";
  for (int64_t i = 0; i < words; ++i)
    constraints += ",r";
  createAsm(b, Type(), operands,
            "st.global.cs" + vectorSuffix(words) + " [$0], " +
                operandList(1, words) + ";",
            constraints);
  store.erase();
}

namespace {
struct NormNVVMNontemporalPass
    : public mlir::norm::impl::NormNVVMNontemporalBase<
          NormNVVMNontemporalPass> {
  void runOnOperation() override {
    // Each function's policy, checked before anything is rewritten.
    DenseMap<Operation *, RowCachePolicy> policies;
    bool unknownPolicy = false;
    getOperation()->walk([&](FunctionOpInterface func) {
      Attribute value = func->getAttr(NormDialect::getRowCachePolicyAttrName());
      if (!value)
        return;
      FailureOr<RowCachePolicy> policy = parseRowCachePolicy(func, value);
      if (failed(policy))
        unknownPolicy = true;
      else
        policies[func] = *policy;
    });
    if (unknownPolicy)
      return signalPassFailure();

    SmallVector<std::pair<Operation *, int64_t>> accesses;
    getOperation()->walk([&](Operation *op) {
      int64_t words = 0;
      if (auto load = dyn_cast<LLVM::LoadOp>(op))
        words = streamingWords(load, load.getType());
      else if (auto store = dyn_cast<LLVM::StoreOp>(op))
        words = streamingWords(store, store.getValue().getType());
      if (words)
        accesses.emplace_back(op, words);
    });
    for (auto [op, words] : accesses) {
      RowCachePolicy policy =
          policies.lookup_or(op->getParentOfType<FunctionOpInterface>(),
                             RowCachePolicy::Streaming);
      if (auto load = dyn_cast<LLVM::LoadOp>(op))
        rewriteLoad(load, words, policy);
      else if (policy == RowCachePolicy::EvictLastLoads)
        cast<LLVM::StoreOp>(op).setNontemporal(false);
      else
        rewriteStore(cast<LLVM::StoreOp>(op), words);
    }
  }
};
} // namespace
