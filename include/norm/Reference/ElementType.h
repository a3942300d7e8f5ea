//===- ElementType.h - Element types and exact encode/decode ----*- C++ -*-===//
//
// Part of norm-mlir. The CPU reference ("oracle") has no MLIR/LLVM
// dependency so that it can check every backend independently.
//
//===----------------------------------------------------------------------===//
//
// Element types of the numerics contract and their exact conversions.
// decode() is exact (every code maps to a double). encode() rounds the double
// once, to nearest-even, straight into the target format:
//   - f32/f16/bf16: IEEE semantics (overflow -> inf, NaN stays NaN).
//   - fp8 and i8: saturating ("satfinite"): out-of-range finite values and
//     +-inf clamp to +-max finite; NaN -> the format's NaN (i8: NaN -> 0).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_REFERENCE_ELEMENTTYPE_H
#define NORM_REFERENCE_ELEMENTTYPE_H

#include <cstdint>
#include <optional>
#include <string_view>

namespace norm::ref {

enum class ElementType { F32, F16, BF16, F8E4M3FN, F8E4M3FNUZ, F8E5M2, I8 };

inline constexpr ElementType kAllElementTypes[] = {
    ElementType::F32,      ElementType::F16,        ElementType::BF16,
    ElementType::F8E4M3FN, ElementType::F8E4M3FNUZ, ElementType::F8E5M2,
    ElementType::I8};

/// Storage size in bytes.
int64_t elementSize(ElementType type);

/// The MLIR spelling: "f32", "f16", "bf16", "f8E4M3FN", "f8E4M3FNUZ",
/// "f8E5M2", "i8".
const char *elementTypeName(ElementType type);

/// Inverse of elementTypeName (exact, case-sensitive match).
std::optional<ElementType> parseElementType(std::string_view name);

bool isFloat8(ElementType type);

/// True for the quantized output types (fp8 formats and i8).
bool isQuantType(ElementType type);

/// Largest finite value (i8: 127).
double maxFinite(ElementType type);

/// The quantization range bound: e4m3fn 448, e4m3fnuz 240, e5m2 57344,
/// i8 127 (for the other types it is simply maxFinite).
inline double qmax(ElementType type) { return maxFinite(type); }

/// Exact value of a code. Only the low elementSize()*8 bits of `bits` are
/// used; i8 codes are two's complement.
double decode(ElementType type, uint32_t bits);

/// Code of `value` rounded to nearest-even (see the file comment for
/// overflow/NaN handling). The result has only the low elementSize()*8 bits
/// set; i8 codes are two's complement (e.g. -2 -> 0xFE).
uint32_t encode(ElementType type, double value);

/// decode(type, encode(type, value)).
double roundToType(ElementType type, double value);

/// Raw code of element `index` of a contiguous buffer of `type`.
uint32_t loadBits(const void *data, ElementType type, int64_t index);
void storeBits(void *data, ElementType type, int64_t index, uint32_t bits);

/// Decoded/encoded element access on a contiguous buffer of `type`.
double loadElement(const void *data, ElementType type, int64_t index);
void storeElement(void *data, ElementType type, int64_t index, double value);

} // namespace norm::ref

#endif // NORM_REFERENCE_ELEMENTTYPE_H
