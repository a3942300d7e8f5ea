//===- Json.h - minimal JSON reader for bundle manifests --------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// The runtime is dependency-free, so it carries its own strict JSON reader:
// RFC 8259 values, nesting limited to 64 levels, no trailing garbage.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNTIME_LIB_JSON_H
#define NORM_RUNTIME_LIB_JSON_H

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace norm::runtime::json {

class Value;
using Object = std::map<std::string, Value>;
using Array = std::vector<Value>;

class Value {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Value() = default;
  static Value makeBool(bool value);
  static Value makeNumber(double value, bool isInteger, long long integer);
  static Value makeString(std::string value);
  static Value makeArray(Array value);
  static Value makeObject(Object value);

  Kind kind() const { return valueKind; }
  const Object *asObject() const;
  const Array *asArray() const;
  std::optional<std::string_view> asString() const;
  std::optional<bool> asBool() const;
  std::optional<double> asNumber() const;
  /// Only for numbers written without fraction or exponent that fit int64.
  std::optional<long long> asInteger() const;

  /// Member lookup on objects (nullptr when absent or not an object).
  const Value *get(std::string_view key) const;

private:
  Kind valueKind = Kind::Null;
  bool boolean = false;
  double number = 0;
  bool integral = false;
  long long integer = 0;
  std::string string;
  std::shared_ptr<Array> array;
  std::shared_ptr<Object> object;
};

/// Parses `text`; on failure returns nullopt and sets `error` to a message
/// with the byte offset.
std::optional<Value> parse(std::string_view text, std::string &error);

} // namespace norm::runtime::json

#endif // NORM_RUNTIME_LIB_JSON_H
