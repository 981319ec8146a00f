#include "io/array.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

template <typename T>
Array make_array(DType dtype, std::vector<std::int64_t> shape, const std::vector<T>& values) {
  Array array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.bytes.resize(values.size() * sizeof(T));
  std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

TEST(DTypeTest, SizesMatchNumpyItemsize) {
  EXPECT_EQ(dtype_size(DType::Bool), 1u);
  EXPECT_EQ(dtype_size(DType::Int8), 1u);
  EXPECT_EQ(dtype_size(DType::UInt8), 1u);
  EXPECT_EQ(dtype_size(DType::Int16), 2u);
  EXPECT_EQ(dtype_size(DType::UInt16), 2u);
  EXPECT_EQ(dtype_size(DType::Float16), 2u);
  EXPECT_EQ(dtype_size(DType::BFloat16), 2u);
  EXPECT_EQ(dtype_size(DType::Int32), 4u);
  EXPECT_EQ(dtype_size(DType::UInt32), 4u);
  EXPECT_EQ(dtype_size(DType::Float32), 4u);
  EXPECT_EQ(dtype_size(DType::Int64), 8u);
  EXPECT_EQ(dtype_size(DType::UInt64), 8u);
  EXPECT_EQ(dtype_size(DType::Float64), 8u);
}

TEST(DTypeTest, NamesMatchNumpy) {
  EXPECT_EQ(dtype_name(DType::Bool), "bool");
  EXPECT_EQ(dtype_name(DType::UInt16), "uint16");
  EXPECT_EQ(dtype_name(DType::Int64), "int64");
  EXPECT_EQ(dtype_name(DType::Float16), "float16");
  EXPECT_EQ(dtype_name(DType::BFloat16), "bfloat16");
  EXPECT_EQ(dtype_name(DType::Float32), "float32");
  EXPECT_EQ(dtype_name(DType::Float64), "float64");
}

TEST(ArrayShapeTest, NumelIsProductOfDimensions) {
  Array array;
  array.shape = {4, 17, 2};
  EXPECT_EQ(array.numel(), 136);
}

TEST(ArrayShapeTest, ZeroDimensionalArrayHasOneElement) {
  Array array;
  EXPECT_EQ(array.numel(), 1);
  EXPECT_EQ(array.shape_string(), "[]");
}

TEST(ArrayShapeTest, EmptyDimensionGivesZeroElements) {
  Array array;
  array.shape = {0, 17, 2};
  EXPECT_EQ(array.numel(), 0);
}

TEST(ArrayShapeTest, OverflowingShapeThrows) {
  Array array;
  array.shape = {1LL << 40, 1LL << 40};
  EXPECT_THROW(array.numel(), InternalError);
}

TEST(ArrayShapeTest, ShapeStringIsCommaSeparated) {
  EXPECT_EQ(shape_string({4, 17, 2}), "[4, 17, 2]");
  EXPECT_EQ(shape_string({5}), "[5]");
  Array array;
  array.shape = {3, 0};
  EXPECT_EQ(array.shape_string(), "[3, 0]");
}

TEST(ArrayConvertTest, Float16WidensExactly) {
  // 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), 2^-14 (smallest normal), +inf, -0.0
  const std::vector<std::uint16_t> bits = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0x8000, 0x3555};
  const std::vector<float> values = make_array(DType::Float16, {8}, bits).to_float();
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(values[1], -2.0f);
  EXPECT_EQ(values[2], 65504.0f);
  EXPECT_EQ(values[3], std::ldexp(1.0f, -24));
  EXPECT_EQ(values[4], std::ldexp(1.0f, -14));
  EXPECT_TRUE(std::isinf(values[5]) && values[5] > 0);
  EXPECT_EQ(values[6], 0.0f);
  EXPECT_TRUE(std::signbit(values[6]));
  EXPECT_EQ(values[7], 0.333251953125f);  // nearest half to 1/3
}

TEST(ArrayConvertTest, Float16SubnormalsWidenExactly) {
  // 0x03ff is the largest subnormal: 1023 * 2^-24.
  const std::vector<float> values =
      make_array(DType::Float16, {2}, std::vector<std::uint16_t>{0x03ff, 0x8200}).to_float();
  EXPECT_EQ(values[0], 1023.0f * std::ldexp(1.0f, -24));
  EXPECT_EQ(values[1], -512.0f * std::ldexp(1.0f, -24));
}

TEST(ArrayConvertTest, Float16NanStaysNan) {
  EXPECT_TRUE(std::isnan(make_array(DType::Float16, {1}, std::vector<std::uint16_t>{0x7e00}).to_float()[0]));
}

TEST(ArrayConvertTest, BFloat16WidensExactly) {
  const std::vector<std::uint16_t> bits = {0x3f80, 0xc040, 0x3eab};
  const std::vector<double> values = make_array(DType::BFloat16, {3}, bits).to_double();
  EXPECT_EQ(values[0], 1.0);
  EXPECT_EQ(values[1], -3.0);
  EXPECT_EQ(values[2], 0.333984375);
}

TEST(ArrayConvertTest, IntegersConvertToFloatAndInt64) {
  const Array int16 = make_array(DType::Int16, {3}, std::vector<std::int16_t>{-32768, 0, 32767});
  EXPECT_EQ(int16.to_int64(), (std::vector<std::int64_t>{-32768, 0, 32767}));
  EXPECT_EQ(int16.to_float(), (std::vector<float>{-32768.0f, 0.0f, 32767.0f}));
  const Array uint32 = make_array(DType::UInt32, {1}, std::vector<std::uint32_t>{4294967295u});
  EXPECT_EQ(uint32.to_int64()[0], 4294967295LL);
  const Array int8 = make_array(DType::Int8, {2}, std::vector<std::int8_t>{-128, 127});
  EXPECT_EQ(int8.to_double(), (std::vector<double>{-128.0, 127.0}));
}

TEST(ArrayConvertTest, BoolConvertsToZeroAndOne) {
  const Array flags = make_array(DType::Bool, {3}, std::vector<std::uint8_t>{1, 0, 1});
  EXPECT_EQ(flags.to_int64(), (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(flags.to_float(), (std::vector<float>{1.0f, 0.0f, 1.0f}));
}

TEST(ArrayConvertTest, Int64KeepsFullPrecision) {
  const std::int64_t big = (1LL << 62) + 1;
  const Array array = make_array(DType::Int64, {1}, std::vector<std::int64_t>{big});
  EXPECT_EQ(array.to_int64()[0], big);
}

TEST(ArrayConvertTest, FloatToInt64TruncatesTowardZero) {
  const Array array = Array::from_double({3}, {2.9, -2.9, 0.0});
  EXPECT_EQ(array.to_int64(), (std::vector<std::int64_t>{2, -2, 0}));
}

TEST(ArrayConvertTest, NanToInt64Throws) {
  const Array array = Array::from_float({1}, {std::numeric_limits<float>::quiet_NaN()});
  EXPECT_THROW(array.to_int64(), InputError);
}

TEST(ArrayConvertTest, HugeUInt64ToInt64Throws) {
  const Array array = make_array(DType::UInt64, {1}, std::vector<std::uint64_t>{~0ULL});
  EXPECT_THROW(array.to_int64(), InputError);
}

TEST(ArrayConvertTest, DoubleToFloatRounds) {
  const Array array = Array::from_double({2}, {0.1, 1e300});
  const std::vector<float> values = array.to_float();
  EXPECT_EQ(values[0], 0.1f);
  EXPECT_TRUE(std::isinf(values[1]));
}

TEST(ArrayFactoryTest, FromFloatStoresNativeBytes) {
  const Array array = Array::from_float({2, 2}, {1.0f, 2.0f, 3.0f, 4.0f});
  EXPECT_EQ(array.dtype, DType::Float32);
  EXPECT_EQ(array.shape, (std::vector<std::int64_t>{2, 2}));
  ASSERT_EQ(array.bytes.size(), 16u);
  float third;
  std::memcpy(&third, array.bytes.data() + 8, 4);
  EXPECT_EQ(third, 3.0f);
  EXPECT_EQ(array.to_float(), (std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f}));
}

TEST(ArrayFactoryTest, FromDoubleRoundTrips) {
  const std::vector<double> values = {0.1, -1e-300, 12345.678};
  const Array array = Array::from_double({3, 1}, values);
  EXPECT_EQ(array.dtype, DType::Float64);
  EXPECT_EQ(array.to_double(), values);
}

TEST(ArrayFactoryTest, ShapeAndValueCountMustAgree) {
  EXPECT_THROW(Array::from_float({2, 3}, {1.0f, 2.0f}), InternalError);
  EXPECT_THROW(Array::from_double({-1}, {}), InternalError);
}

TEST(ArrayFactoryTest, EmptyArray) {
  const Array array = Array::from_float({0, 17, 2}, {});
  EXPECT_TRUE(array.bytes.empty());
  EXPECT_TRUE(array.to_float().empty());
}

TEST(ArrayConvertTest, ByteCountMismatchIsAnInternalError) {
  Array array = Array::from_float({2}, {1.0f, 2.0f});
  array.bytes.pop_back();
  EXPECT_THROW(array.to_float(), InternalError);
}

}  // namespace
}  // namespace lift3d::io
