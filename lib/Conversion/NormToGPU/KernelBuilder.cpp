//===- KernelBuilder.cpp - IR-building helpers of the row kernels ---------===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::norm;

Value KernelBuilder::i64(int64_t value) {
  return arith::ConstantOp::create(*this, getI64IntegerAttr(value));
}

Value KernelBuilder::f32(double value) {
  return arith::ConstantOp::create(*this, getF32FloatAttr(value));
}

Value KernelBuilder::splat(Value scalar, int64_t width) {
  return vector::BroadcastOp::create(*this, f32Vector(width), scalar);
}

Value KernelBuilder::splatLike(Value like, Value scalar) {
  return isa<VectorType>(like.getType()) ? splat(scalar, widthOf(like))
                                         : scalar;
}

Value KernelBuilder::both(Value lhs, Value rhs) {
  if (!lhs || !rhs)
    return lhs ? lhs : rhs;
  return arith::AndIOp::create(*this, lhs, rhs);
}

Value KernelBuilder::loadIf(Value valid, int64_t width,
                            function_ref<Value()> load) {
  if (!valid)
    return load();
  auto ifOp = scf::IfOp::create(*this, TypeRange{f32Vector(width)}, valid,
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(*this);
  setInsertionPointToStart(ifOp.thenBlock());
  scf::YieldOp::create(*this, load());
  setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(
      *this, arith::ConstantOp::create(*this, getZeroAttr(f32Vector(width)))
                 .getResult());
  setInsertionPointAfter(ifOp);
  return ifOp.getResult(0);
}

void KernelBuilder::ifThen(Value cond, function_ref<void()> body) {
  if (!cond) {
    body();
    return;
  }
  auto ifOp = scf::IfOp::create(*this, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(*this);
  setInsertionPoint(ifOp.thenBlock()->getTerminator());
  body();
}

Type KernelBuilder::storageType(Type type) {
  if (isa<FloatType>(type) && type.getIntOrFloatBitWidth() == 8)
    return getI8Type();
  return type;
}

Value KernelBuilder::sharedArray(gpu::GPUModuleOp module, StringRef name,
                                 Type type, LLVM::Linkage linkage,
                                 int64_t alignment) {
  if (!module.lookupSymbol(name)) {
    OpBuilder::InsertionGuard guard(*this);
    setInsertionPointToStart(module.getBody());
    LLVM::GlobalOp::create(*this, type, /*isConstant=*/false, linkage, name,
                           Attribute(), alignment, /*addrSpace=*/3);
  }
  return LLVM::AddressOfOp::create(
      *this, LLVM::LLVMPointerType::get(getContext(), 3), name);
}
