//===- Json.cpp - minimal JSON reader for bundle manifests ------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Json.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

using namespace norm::runtime::json;

Value Value::makeBool(bool value) {
  Value v;
  v.valueKind = Kind::Bool;
  v.boolean = value;
  return v;
}

Value Value::makeNumber(double value, bool isInteger, long long integer) {
  Value v;
  v.valueKind = Kind::Number;
  v.number = value;
  v.integral = isInteger;
  v.integer = integer;
  return v;
}

Value Value::makeString(std::string value) {
  Value v;
  v.valueKind = Kind::String;
  v.string = std::move(value);
  return v;
}

Value Value::makeArray(Array value) {
  Value v;
  v.valueKind = Kind::Array;
  v.array = std::make_shared<Array>(std::move(value));
  return v;
}

Value Value::makeObject(Object value) {
  Value v;
  v.valueKind = Kind::Object;
  v.object = std::make_shared<Object>(std::move(value));
  return v;
}

const Object *Value::asObject() const {
  return valueKind == Kind::Object ? object.get() : nullptr;
}
const Array *Value::asArray() const {
  return valueKind == Kind::Array ? array.get() : nullptr;
}
std::optional<std::string_view> Value::asString() const {
  if (valueKind != Kind::String)
    return std::nullopt;
  return std::string_view(string);
}
std::optional<bool> Value::asBool() const {
  if (valueKind != Kind::Bool)
    return std::nullopt;
  return boolean;
}
std::optional<double> Value::asNumber() const {
  if (valueKind != Kind::Number)
    return std::nullopt;
  return number;
}
std::optional<long long> Value::asInteger() const {
  if (valueKind != Kind::Number || !integral)
    return std::nullopt;
  return integer;
}

const Value *Value::get(std::string_view key) const {
  if (valueKind != Kind::Object)
    return nullptr;
  auto it = object->find(std::string(key));
  return it == object->end() ? nullptr : &it->second;
}

namespace {
class Parser {
public:
  Parser(std::string_view text, std::string &error)
      : text(text), error(error) {}

  std::optional<Value> parseDocument() {
    std::optional<Value> value = parseValue(0);
    if (!value)
      return std::nullopt;
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after the JSON value");
    return value;
  }

private:
  std::string_view text;
  std::string &error;
  size_t pos = 0;

  std::nullopt_t fail(const std::string &message) {
    if (error.empty())
      error = message + " at byte " + std::to_string(pos);
    return std::nullopt;
  }

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' ||
                                 text[pos] == '\r' || text[pos] == '\t'))
      ++pos;
  }

  bool consume(std::string_view literal) {
    if (text.substr(pos, literal.size()) != literal)
      return false;
    pos += literal.size();
    return true;
  }

  std::optional<Value> parseValue(int depth) {
    if (depth > 64)
      return fail("JSON nested too deeply");
    skipSpace();
    if (pos >= text.size())
      return fail("unexpected end of JSON");
    char c = text[pos];
    if (c == '{')
      return parseObject(depth);
    if (c == '[')
      return parseArray(depth);
    if (c == '"') {
      std::optional<std::string> str = parseString();
      if (!str)
        return std::nullopt;
      return Value::makeString(std::move(*str));
    }
    if (consume("true"))
      return Value::makeBool(true);
    if (consume("false"))
      return Value::makeBool(false);
    if (consume("null"))
      return Value();
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber();
    return fail(std::string("unexpected character '") + c + "'");
  }

  std::optional<Value> parseObject(int depth) {
    ++pos; // '{'
    Object result;
    skipSpace();
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      return Value::makeObject(std::move(result));
    }
    while (true) {
      skipSpace();
      if (pos >= text.size() || text[pos] != '"')
        return fail("expected a string key");
      std::optional<std::string> key = parseString();
      if (!key)
        return std::nullopt;
      skipSpace();
      if (pos >= text.size() || text[pos] != ':')
        return fail("expected ':'");
      ++pos;
      std::optional<Value> value = parseValue(depth + 1);
      if (!value)
        return std::nullopt;
      if (!result.emplace(std::move(*key), std::move(*value)).second)
        return fail("duplicate key");
      skipSpace();
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == '}') {
        ++pos;
        return Value::makeObject(std::move(result));
      }
      return fail("expected ',' or '}'");
    }
  }

  std::optional<Value> parseArray(int depth) {
    ++pos; // '['
    Array result;
    skipSpace();
    if (pos < text.size() && text[pos] == ']') {
      ++pos;
      return Value::makeArray(std::move(result));
    }
    while (true) {
      std::optional<Value> value = parseValue(depth + 1);
      if (!value)
        return std::nullopt;
      result.push_back(std::move(*value));
      skipSpace();
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == ']') {
        ++pos;
        return Value::makeArray(std::move(result));
      }
      return fail("expected ',' or ']'");
    }
  }

  static void appendUtf8(std::string &out, unsigned code) {
    if (code < 0x80) {
      out += char(code);
    } else if (code < 0x800) {
      out += char(0xC0 | (code >> 6));
      out += char(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += char(0xE0 | (code >> 12));
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    } else {
      out += char(0xF0 | (code >> 18));
      out += char(0x80 | ((code >> 12) & 0x3F));
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    }
  }

  std::optional<unsigned> parseHex4() {
    if (pos + 4 > text.size())
      return fail("truncated \\u escape");
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text[pos++];
      code <<= 4;
      if (c >= '0' && c <= '9')
        code |= c - '0';
      else if (c >= 'a' && c <= 'f')
        code |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        code |= c - 'A' + 10;
      else
        return fail("bad \\u escape");
    }
    return code;
  }

  std::optional<std::string> parseString() {
    ++pos; // '"'
    std::string out;
    while (true) {
      if (pos >= text.size())
        return fail("unterminated string");
      char c = text[pos++];
      if (c == '"')
        return out;
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= text.size())
        return fail("unterminated string");
      char e = text[pos++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        std::optional<unsigned> code = parseHex4();
        if (!code)
          return std::nullopt;
        if (*code >= 0xD800 && *code < 0xDC00) {
          if (!consume("\\u"))
            return fail("unpaired surrogate");
          std::optional<unsigned> low = parseHex4();
          if (!low)
            return std::nullopt;
          if (*low < 0xDC00 || *low >= 0xE000)
            return fail("unpaired surrogate");
          *code = 0x10000 + ((*code - 0xD800) << 10) + (*low - 0xDC00);
        } else if (*code >= 0xDC00 && *code < 0xE000) {
          return fail("unpaired surrogate");
        }
        appendUtf8(out, *code);
        break;
      }
      default:
        return fail("bad escape in string");
      }
    }
  }

  std::optional<Value> parseNumber() {
    size_t start = pos;
    bool integral = true;
    if (text[pos] == '-')
      ++pos;
    auto digits = [&] {
      size_t first = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
        ++pos;
      return pos - first;
    };
    size_t intStart = pos;
    size_t intDigits = digits();
    if (intDigits == 0)
      return fail("bad number");
    if (intDigits > 1 && text[intStart] == '0')
      return fail("leading zero in number");
    if (pos < text.size() && text[pos] == '.') {
      integral = false;
      ++pos;
      if (digits() == 0)
        return fail("bad number");
    }
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
      integral = false;
      ++pos;
      if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
        ++pos;
      if (digits() == 0)
        return fail("bad number");
    }
    std::string literal(text.substr(start, pos - start));
    double value = std::strtod(literal.c_str(), nullptr);
    if (!std::isfinite(value))
      return fail("number out of range");
    long long integer = 0;
    if (integral) {
      errno = 0;
      integer = std::strtoll(literal.c_str(), nullptr, 10);
      if (errno == ERANGE)
        integral = false;
    }
    return Value::makeNumber(value, integral, integer);
  }
};
} // namespace

std::optional<Value> norm::runtime::json::parse(std::string_view text,
                                                std::string &error) {
  error.clear();
  return Parser(text, error).parseDocument();
}
