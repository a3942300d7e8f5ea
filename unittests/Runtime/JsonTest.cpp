//===- JsonTest.cpp - the runtime's JSON reader ------------------*- C++
//-*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Json.h"

#include <gtest/gtest.h>

using namespace norm::runtime;

TEST(Json, ParsesValues) {
  std::string error;
  auto value = json::parse(
      R"( {"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"\u00e9\ud83d\ude00"}, "n": -9223372036854775808} )",
      error);
  ASSERT_TRUE(value) << error;
  const json::Array *a = value->get("a")->asArray();
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 5u);
  EXPECT_EQ((*a)[0].asInteger(), 1);
  EXPECT_EQ((*a)[1].asNumber(), -2500.0);
  EXPECT_FALSE((*a)[1].asInteger()); // written with an exponent
  EXPECT_EQ((*a)[2].asBool(), true);
  EXPECT_EQ((*a)[4].kind(), json::Value::Kind::Null);
  EXPECT_EQ(value->get("b")->get("c")->asString(),
            "x\"\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(value->get("n")->asInteger(), INT64_MIN);
  EXPECT_EQ(value->get("missing"), nullptr);
}

TEST(Json, IntegersBeyondInt64AreOnlyNumbers) {
  std::string error;
  auto value = json::parse("99999999999999999999", error);
  ASSERT_TRUE(value) << error;
  EXPECT_FALSE(value->asInteger());
  EXPECT_TRUE(value->asNumber());
}

TEST(Json, RejectsMalformedText) {
  const char *bad[] = {"",
                       "{",
                       "{\"a\"",
                       "{\"a\":}",
                       "{\"a\":1,}",
                       "[1,]",
                       "[1 2]",
                       "{a:1}",
                       "\"abc",
                       "\"\\x\"",
                       "\"\\u12\"",
                       "\"\\ud800\"",
                       "01",
                       "1.",
                       "1e",
                       "-",
                       "tru",
                       "nul",
                       "{} {}",
                       "{\"a\":1 \"b\":2}",
                       "\"a\nb\"",
                       "1e999",
                       "{\"a\":1,\"a\":2}"};
  for (const char *text : bad) {
    std::string error;
    EXPECT_FALSE(json::parse(text, error)) << "accepted: " << text;
    EXPECT_NE(error.find("at byte"), std::string::npos) << text;
  }
}

TEST(Json, RejectsDeepNesting) {
  std::string error;
  std::string text(100, '[');
  text += std::string(100, ']');
  EXPECT_FALSE(json::parse(text, error));
  EXPECT_NE(error.find("nested too deeply"), std::string::npos);
  std::string fine(60, '[');
  fine += std::string(60, ']');
  EXPECT_TRUE(json::parse(fine, error)) << error;
}
