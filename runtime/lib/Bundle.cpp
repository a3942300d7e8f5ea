//===- Bundle.cpp - manifest parsing and validation -------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Bundle.h"
#include "Json.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace norm::runtime;

std::optional<norm_dtype_t> norm::runtime::parseDtype(std::string_view name) {
  static const std::pair<const char *, norm_dtype_t> names[] = {
      {NORM_DTYPE_NAME_F32, NORM_DTYPE_F32},
      {NORM_DTYPE_NAME_F16, NORM_DTYPE_F16},
      {NORM_DTYPE_NAME_BF16, NORM_DTYPE_BF16},
      {NORM_DTYPE_NAME_F8E4M3FN, NORM_DTYPE_F8E4M3FN},
      {NORM_DTYPE_NAME_F8E4M3FNUZ, NORM_DTYPE_F8E4M3FNUZ},
      {NORM_DTYPE_NAME_F8E5M2, NORM_DTYPE_F8E5M2},
      {NORM_DTYPE_NAME_I8, NORM_DTYPE_I8}};
  for (const auto &[spelling, dtype] : names)
    if (name == spelling)
      return dtype;
  return std::nullopt;
}

namespace {
/// Reads typed members of one manifest object, remembering the first
/// problem with a path such as "kernels.foo.args[2].type".
class Reader {
public:
  explicit Reader(std::string &error) : error(error) {}

  bool failed() const { return !error.empty(); }

  void fail(const std::string &path, const std::string &what) {
    if (error.empty())
      error = NORM_BUNDLE_MANIFEST_FILE ": '" + path + "' " + what;
  }

  const json::Value *member(const json::Value &object, const std::string &path,
                            const char *key, bool required = true) {
    const json::Value *value = object.get(key);
    if (!value && required)
      fail(path + "." + key, "is missing");
    return value;
  }

  std::string string(const json::Value &object, const std::string &path,
                     const char *key) {
    const json::Value *value = member(object, path, key);
    if (!value)
      return {};
    std::optional<std::string_view> str = value->asString();
    if (!str) {
      fail(path + "." + key, "must be a string");
      return {};
    }
    return std::string(*str);
  }

  int64_t integer(const json::Value &object, const std::string &path,
                  const char *key, int64_t min, int64_t max,
                  std::optional<int64_t> fallback = std::nullopt) {
    const json::Value *value = member(object, path, key, !fallback);
    if (!value)
      return fallback.value_or(0);
    std::optional<long long> number = value->asInteger();
    if (!number) {
      fail(path + "." + key, "must be an integer");
      return 0;
    }
    if (*number < min || *number > max) {
      fail(path + "." + key, "is " + std::to_string(*number) + ", outside [" +
                                 std::to_string(min) + ", " +
                                 std::to_string(max) + "]");
      return 0;
    }
    return *number;
  }

  bool boolean(const json::Value &object, const std::string &path,
               const char *key, std::optional<bool> fallback = std::nullopt) {
    const json::Value *value = member(object, path, key, !fallback);
    if (!value)
      return fallback.value_or(false);
    std::optional<bool> flag = value->asBool();
    if (!flag) {
      fail(path + "." + key, "must be true or false");
      return false;
    }
    return *flag;
  }

  std::optional<double> number(const json::Value &object,
                               const std::string &path, const char *key,
                               bool required) {
    const json::Value *value = member(object, path, key, required);
    if (!value)
      return std::nullopt;
    std::optional<double> number = value->asNumber();
    if (!number) {
      fail(path + "." + key, "must be a number");
      return std::nullopt;
    }
    return number;
  }

private:
  std::string &error;
};
} // namespace

static bool isPowerOf2(int64_t value) {
  return value > 0 && (value & (value - 1)) == 0;
}

static void parseParams(Reader &reader, const json::Value &kernel,
                        const std::string &path, KernelSpec &spec) {
  const json::Value *params = kernel.get(NORM_KEY_PARAMS);
  KernelParams &p = spec.params;
  if (!params) {
    // Bundles from before params existed: infer what launching needs.
    p.normalize = spec.op != "quantize";
    p.quantize = spec.op == "quantize";
    return;
  }
  std::string at = path + "." NORM_KEY_PARAMS;
  if (!params->asObject())
    return reader.fail(at, "must be an object");
  p.normalize = reader.boolean(*params, at, NORM_KEY_NORMALIZE);
  if (p.normalize) {
    p.epsilon = reader.number(*params, at, NORM_KEY_EPSILON, true).value_or(0);
    p.weightOffset =
        reader.number(*params, at, NORM_KEY_WEIGHT_OFFSET, false).value_or(0);
  }
  p.quantize = reader.boolean(*params, at, NORM_KEY_QUANTIZE);
  if (p.quantize) {
    std::string scheme = reader.string(*params, at, NORM_KEY_SCHEME);
    if (scheme == NORM_SCHEME_NAME_PER_TOKEN)
      p.scheme = KernelParams::Scheme::PerToken;
    else if (scheme == NORM_SCHEME_NAME_PER_GROUP)
      p.scheme = KernelParams::Scheme::PerGroup;
    else if (scheme == NORM_SCHEME_NAME_STATIC)
      p.scheme = KernelParams::Scheme::Static;
    else if (!reader.failed())
      reader.fail(at + "." NORM_KEY_SCHEME,
                  "is '" + scheme +
                      "', expected " NORM_SCHEME_NAME_PER_TOKEN
                      ", " NORM_SCHEME_NAME_PER_GROUP
                      " or " NORM_SCHEME_NAME_STATIC);
    if (p.scheme == KernelParams::Scheme::PerGroup) {
      p.groupSize =
          reader.integer(*params, at, NORM_KEY_GROUP_SIZE, 1, 1 << 30);
      std::string layout = reader.string(*params, at, NORM_KEY_SCALE_LAYOUT);
      if (layout == NORM_SCALE_LAYOUT_COL_MAJOR)
        p.scalesColMajor = true;
      else if (layout != NORM_SCALE_LAYOUT_ROW_MAJOR && !reader.failed())
        reader.fail(at + "." NORM_KEY_SCALE_LAYOUT,
                    "is '" + layout +
                        "', expected " NORM_SCALE_LAYOUT_ROW_MAJOR
                        " or " NORM_SCALE_LAYOUT_COL_MAJOR);
    }
    p.scaleUb = reader.number(*params, at, NORM_KEY_SCALE_UB, false);
    p.clip = reader.number(*params, at, NORM_KEY_CLIP, false);
    p.minScale =
        reader.number(*params, at, NORM_KEY_MIN_SCALE, false).value_or(0);
  }
  // Optional element types; absent in bundles of kernels without them.
  for (auto [key, type] :
       {std::pair(NORM_KEY_INTERMEDIATE_TYPE, &p.intermediateType),
        std::pair(NORM_KEY_NORMALIZED_TYPE, &p.normalizedType)}) {
    if (!params->get(key))
      continue;
    std::string name = reader.string(*params, at, key);
    *type = parseDtype(name);
    if (!*type && !reader.failed())
      reader.fail(at + "." + key,
                  "is '" + name + "', not an element type the runtime knows");
  }
}

static void parseKernel(Reader &reader, const std::string &name,
                        const json::Value &kernel, KernelSpec &spec) {
  std::string path = NORM_KEY_KERNELS "." + name;
  spec.name = name;
  if (!kernel.asObject())
    return reader.fail(path, "must be an object");
  spec.op = reader.string(kernel, path, NORM_KEY_OP);
  spec.blockSize = reader.integer(kernel, path, NORM_KEY_BLOCK_SIZE, 1, 1024);
  spec.rowsPerBlock =
      reader.integer(kernel, path, NORM_KEY_ROWS_PER_BLOCK, 1, 1024);
  spec.threadsPerRow =
      reader.integer(kernel, path, NORM_KEY_THREADS_PER_ROW, 1, 1024);
  spec.vectorWidth = reader.integer(kernel, path, NORM_KEY_VECTOR_WIDTH, 1, 64);
  // Bundles from before split rows leave it out: one block per row.
  spec.blocksPerRow = reader.integer(kernel, path, NORM_KEY_BLOCKS_PER_ROW, 1,
                                     8, /*fallback=*/1);
  if (spec.blocksPerRow & (spec.blocksPerRow - 1))
    reader.fail(path + "." NORM_KEY_BLOCKS_PER_ROW,
                "is " + std::to_string(spec.blocksPerRow) +
                    ", not a power of two (a cluster of the kernel's shape)");
  // Dynamic H is written as MLIR's kDynamic (INT64_MIN) or any negative.
  spec.cols = reader.integer(kernel, path, NORM_KEY_COLS, INT64_MIN, INT64_MAX);
  if (spec.cols < 0)
    spec.cols = -1;
  if (spec.cols == 0)
    reader.fail(path + "." NORM_KEY_COLS, "is 0");
  // Bundles from before peeled rows leave it out: H had to be a multiple of
  // the vector width.
  spec.colsMultiple = reader.integer(kernel, path, NORM_KEY_COLS_MULTIPLE, 1,
                                     64, /*fallback=*/spec.vectorWidth);
  spec.dynamicSharedMemory =
      reader.integer(kernel, path, NORM_KEY_DYNAMIC_SHARED_MEMORY, 0, 1 << 20,
                     /*fallback=*/0);
  spec.rowCached = reader.boolean(kernel, path, NORM_KEY_ROW_CACHED, false);
  // Bundles from before persistent kernels leave it out.
  spec.persistent = reader.boolean(kernel, path, NORM_KEY_PERSISTENT, false);
  // The launch gives a persistent kernel fewer blocks than rows: only a
  // kernel with one row per block and one block per row loops over rows.
  if (!reader.failed() && spec.persistent &&
      (spec.rowsPerBlock != 1 || spec.blocksPerRow != 1))
    reader.fail(path + "." NORM_KEY_PERSISTENT,
                "is true with " NORM_KEY_ROWS_PER_BLOCK " " +
                    std::to_string(spec.rowsPerBlock) +
                    " and " NORM_KEY_BLOCKS_PER_ROW " " +
                    std::to_string(spec.blocksPerRow) +
                    "; a persistent kernel has one row per block and one "
                    "block per row");
  if (!reader.failed() &&
      spec.blockSize != spec.rowsPerBlock * spec.threadsPerRow)
    reader.fail(path + "." NORM_KEY_BLOCK_SIZE,
                "is " + std::to_string(spec.blockSize) +
                    ", not " NORM_KEY_ROWS_PER_BLOCK
                    " * " NORM_KEY_THREADS_PER_ROW);
  parseParams(reader, kernel, path, spec);

  const json::Value *args = reader.member(kernel, path, NORM_KEY_ARGS);
  if (!args)
    return;
  const json::Array *list = args->asArray();
  if (!list)
    return reader.fail(path + "." NORM_KEY_ARGS, "must be an array");
  for (size_t i = 0; i < list->size() && !reader.failed(); ++i) {
    const json::Value &arg = (*list)[i];
    std::string at = path + "." NORM_KEY_ARGS "[" + std::to_string(i) + "]";
    if (!arg.asObject())
      return reader.fail(at, "must be an object");
    std::string argName = reader.string(arg, at, NORM_KEY_NAME);
    std::string kind = reader.string(arg, at, NORM_KEY_KIND);
    if (reader.failed())
      return;
    if (kind == NORM_ARG_KIND_I64) {
      spec.scalarArgs.push_back(argName);
      continue;
    }
    if (kind != NORM_ARG_KIND_PTR)
      return reader.fail(at + "." NORM_KEY_KIND,
                         "is '" + kind +
                             "', expected " NORM_ARG_KIND_PTR
                             " or " NORM_ARG_KIND_I64);
    if (!spec.scalarArgs.empty())
      return reader.fail(at, "is a pointer after the i64 arguments");
    TensorArg tensor;
    tensor.name = argName;
    std::string role = reader.string(arg, at, NORM_KEY_ROLE);
    if (role == NORM_ROLE_NAME_ROW)
      tensor.role = TensorRole::Row;
    else if (role == NORM_ROLE_NAME_VECTOR)
      tensor.role = TensorRole::Vector;
    else if (role == NORM_ROLE_NAME_SCALAR)
      tensor.role = TensorRole::Scalar;
    else if (role == NORM_ROLE_NAME_SCALES)
      tensor.role = TensorRole::Scales;
    else if (!reader.failed())
      return reader.fail(
          at + "." NORM_KEY_ROLE,
          "is '" + role +
              "', expected " NORM_ROLE_NAME_ROW ", " NORM_ROLE_NAME_VECTOR
              ", " NORM_ROLE_NAME_SCALAR " or " NORM_ROLE_NAME_SCALES);
    std::string type = reader.string(arg, at, NORM_KEY_TYPE);
    std::optional<norm_dtype_t> dtype = parseDtype(type);
    if (!dtype && !reader.failed())
      return reader.fail(at + "." NORM_KEY_TYPE,
                         "is '" + type +
                             "', not an element type the "
                             "runtime knows");
    tensor.dtype = dtype.value_or(NORM_DTYPE_F32);
    tensor.alignment = reader.integer(arg, at, NORM_KEY_ALIGN, 1, 256);
    if (!reader.failed() && !isPowerOf2(tensor.alignment))
      return reader.fail(at + "." NORM_KEY_ALIGN, "is not a power of two");
    for (const TensorArg &other : spec.tensors)
      if (other.name == tensor.name && !reader.failed())
        return reader.fail(at + "." NORM_KEY_NAME,
                           "repeats '" + tensor.name + "'");
    spec.tensors.push_back(tensor);
  }
  if (reader.failed())
    return;

  // The i64 arguments are rows, cols, then a stride per row/scales tensor in
  // tensor order: anything else is a kernel ABI this runtime does not know.
  std::vector<std::string> expected = {NORM_ARG_ROWS, NORM_ARG_COLS};
  for (TensorArg &tensor : spec.tensors)
    if (tensor.role == TensorRole::Row || tensor.role == TensorRole::Scales) {
      tensor.strideArg = static_cast<int>(expected.size());
      expected.push_back(NORM_ARG_STRIDE_PREFIX + tensor.name);
    }
  if (spec.scalarArgs != expected) {
    std::string want;
    for (const std::string &arg : expected)
      want += (want.empty() ? "" : ", ") + arg;
    return reader.fail(path + "." NORM_KEY_ARGS,
                       "has " NORM_ARG_KIND_I64 " arguments that do not "
                       "follow the kernel ABI (expected " +
                           want + ")");
  }
  auto count = [&](TensorRole role) {
    return std::count_if(spec.tensors.begin(), spec.tensors.end(),
                         [&](const TensorArg &t) { return t.role == role; });
  };
  if (spec.tensors.empty() || spec.tensors.front().role != TensorRole::Row)
    return reader.fail(path + "." NORM_KEY_ARGS,
                       "must start with the row input");
  if (spec.params.quantize &&
      (spec.params.scheme == KernelParams::Scheme::Static) !=
          (count(TensorRole::Scales) == 0))
    return reader.fail(path + "." NORM_KEY_ARGS,
                       "has scales that do not match the quantization "
                       "scheme");
  if (spec.params.scheme == KernelParams::Scheme::PerGroup && spec.cols > 0 &&
      spec.cols % spec.params.groupSize != 0)
    return reader.fail(path + "." NORM_KEY_PARAMS "." NORM_KEY_GROUP_SIZE,
                       "does not divide " NORM_KEY_COLS);
}

static bool isPlainFileName(const std::string &name) {
  return !name.empty() && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos && name != "." && name != "..";
}

static Status readFile(const std::string &path, std::string &contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(NORM_ERROR_IO, "cannot open '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad())
    return Status::error(NORM_ERROR_IO, "cannot read '" + path + "'");
  contents = buffer.str();
  return Status::success();
}

Status Bundle::parse(std::string_view manifest, const std::string &directory,
                     Bundle &bundle) {
  std::string error;
  std::optional<json::Value> root = json::parse(manifest, error);
  if (!root)
    return Status::error(NORM_ERROR_BAD_MANIFEST, NORM_BUNDLE_MANIFEST_FILE
                                                      " is not valid JSON: " +
                                                      error);
  if (!root->asObject())
    return Status::error(NORM_ERROR_BAD_MANIFEST,
                         NORM_BUNDLE_MANIFEST_FILE " must hold an object");
  Reader reader(error);
  int64_t version =
      reader.integer(*root, "", NORM_KEY_FORMAT_VERSION, 0, 1 << 30);
  if (!reader.failed() && version != NORM_BUNDLE_FORMAT_VERSION)
    return Status::error(
        NORM_ERROR_BAD_MANIFEST,
        NORM_BUNDLE_MANIFEST_FILE " has " NORM_KEY_FORMAT_VERSION " " +
            std::to_string(version) + "; this runtime reads version " +
            std::to_string(NORM_BUNDLE_FORMAT_VERSION));

  Bundle result;
  if (const json::Value *kernels = reader.member(*root, "", NORM_KEY_KERNELS)) {
    if (!kernels->asObject())
      reader.fail("." NORM_KEY_KERNELS, "must be an object");
    else
      for (const auto &[name, kernel] : *kernels->asObject()) {
        KernelSpec spec;
        parseKernel(reader, name, kernel, spec);
        result.kernelList.push_back(std::move(spec));
      }
  }
  if (const json::Value *objects = reader.member(*root, "", NORM_KEY_OBJECTS)) {
    const json::Array *list = objects->asArray();
    if (!list)
      reader.fail("." NORM_KEY_OBJECTS, "must be an array");
    for (size_t i = 0; list && i < list->size() && !reader.failed(); ++i) {
      std::string at = "." NORM_KEY_OBJECTS "[" + std::to_string(i) + "]";
      const json::Value &entry = (*list)[i];
      if (!entry.asObject()) {
        reader.fail(at, "must be an object");
        break;
      }
      BinaryObject object;
      object.binary = reader.string(entry, at, NORM_KEY_BINARY);
      object.chip = reader.string(entry, at, NORM_KEY_CHIP);
      object.format = reader.string(entry, at, NORM_KEY_FORMAT);
      object.file = reader.string(entry, at, NORM_KEY_FILE);
      if (reader.failed())
        break;
      if (object.format != NORM_BINARY_FORMAT_CUBIN &&
          object.format != NORM_BINARY_FORMAT_FATBIN &&
          object.format != NORM_BINARY_FORMAT_PTX &&
          object.format != NORM_BINARY_FORMAT_HSACO) {
        reader.fail(at + "." NORM_KEY_FORMAT,
                    "is '" + object.format +
                        "', expected " NORM_BINARY_FORMAT_CUBIN
                        ", " NORM_BINARY_FORMAT_FATBIN
                        ", " NORM_BINARY_FORMAT_PTX
                        " or " NORM_BINARY_FORMAT_HSACO);
        break;
      }
      if (!isPlainFileName(object.file)) {
        reader.fail(at + "." NORM_KEY_FILE,
                    "must name a file inside the bundle");
        break;
      }
      result.objectList.push_back(std::move(object));
    }
  }
  if (reader.failed())
    return Status::error(NORM_ERROR_BAD_MANIFEST, error);
  if (result.objectList.empty())
    return Status::error(NORM_ERROR_BAD_MANIFEST,
                         NORM_BUNDLE_MANIFEST_FILE " lists no binaries");

  if (!directory.empty())
    for (BinaryObject &object : result.objectList) {
      std::string path = directory + "/" + object.file;
      if (Status status = readFile(path, object.data); !status.ok())
        return status;
      if (object.data.empty())
        return Status::error(NORM_ERROR_IO, "binary '" + path + "' is empty");
      if (object.format == NORM_BINARY_FORMAT_PTX)
        object.data.push_back('\0');
    }
  bundle = std::move(result);
  return Status::success();
}

Status Bundle::open(const std::string &directory, Bundle &bundle) {
  std::string manifest;
  if (Status status =
          readFile(directory + "/" NORM_BUNDLE_MANIFEST_FILE, manifest);
      !status.ok())
    return status;
  return parse(manifest, directory, bundle);
}

const KernelSpec *Bundle::findKernel(std::string_view name) const {
  for (const KernelSpec &spec : kernelList)
    if (spec.name == name)
      return &spec;
  return nullptr;
}
