//===- Bundle.cpp - manifest parsing and validation -------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Bundle.h"
#include "Json.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace norm::runtime;

std::optional<norm_dtype_t> norm::runtime::parseDtype(std::string_view name) {
  static const std::pair<const char *, norm_dtype_t> names[] = {
      {"f32", NORM_DTYPE_F32},
      {"f16", NORM_DTYPE_F16},
      {"bf16", NORM_DTYPE_BF16},
      {"f8E4M3FN", NORM_DTYPE_F8E4M3FN},
      {"f8E4M3FNUZ", NORM_DTYPE_F8E4M3FNUZ},
      {"f8E5M2", NORM_DTYPE_F8E5M2},
      {"i8", NORM_DTYPE_I8}};
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
      error = "manifest.json: '" + path + "' " + what;
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
  const json::Value *params = kernel.get("params");
  KernelParams &p = spec.params;
  if (!params) {
    // Bundles from before params existed: infer what launching needs.
    p.normalize = spec.op != "quantize";
    p.quantize = spec.op == "quantize";
    return;
  }
  std::string at = path + ".params";
  if (!params->asObject())
    return reader.fail(at, "must be an object");
  p.normalize = reader.boolean(*params, at, "normalize");
  if (p.normalize) {
    p.epsilon = reader.number(*params, at, "epsilon", true).value_or(0);
    p.weightOffset =
        reader.number(*params, at, "weight_offset", false).value_or(0);
  }
  p.quantize = reader.boolean(*params, at, "quantize");
  if (p.quantize) {
    std::string scheme = reader.string(*params, at, "scheme");
    if (scheme == "per_token")
      p.scheme = KernelParams::Scheme::PerToken;
    else if (scheme == "per_group")
      p.scheme = KernelParams::Scheme::PerGroup;
    else if (scheme == "static")
      p.scheme = KernelParams::Scheme::Static;
    else if (!reader.failed())
      reader.fail(at + ".scheme", "is '" + scheme +
                                      "', expected per_token, per_group or "
                                      "static");
    if (p.scheme == KernelParams::Scheme::PerGroup) {
      p.groupSize = reader.integer(*params, at, "group_size", 1, 1 << 30);
      std::string layout = reader.string(*params, at, "scale_layout");
      if (layout == "col_major")
        p.scalesColMajor = true;
      else if (layout != "row_major" && !reader.failed())
        reader.fail(at + ".scale_layout",
                    "is '" + layout + "', expected row_major or col_major");
    }
    p.scaleUb = reader.number(*params, at, "scale_ub", false);
    p.clip = reader.number(*params, at, "clip", false);
    p.minScale = reader.number(*params, at, "min_scale", false).value_or(0);
  }
  // Optional element types; absent in bundles of kernels without them.
  for (auto [key, type] : {std::pair("intermediate_type", &p.intermediateType),
                           std::pair("normalized_type", &p.normalizedType)}) {
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
  std::string path = "kernels." + name;
  spec.name = name;
  if (!kernel.asObject())
    return reader.fail(path, "must be an object");
  spec.op = reader.string(kernel, path, "op");
  spec.blockSize = reader.integer(kernel, path, "block_size", 1, 1024);
  spec.rowsPerBlock = reader.integer(kernel, path, "rows_per_block", 1, 1024);
  spec.threadsPerRow = reader.integer(kernel, path, "threads_per_row", 1, 1024);
  spec.vectorWidth = reader.integer(kernel, path, "vector_width", 1, 64);
  // Bundles from before split rows leave it out: one block per row.
  spec.blocksPerRow = reader.integer(kernel, path, "blocks_per_row", 1, 8,
                                     /*fallback=*/1);
  if (spec.blocksPerRow & (spec.blocksPerRow - 1))
    reader.fail(path + ".blocks_per_row",
                "is " + std::to_string(spec.blocksPerRow) +
                    ", not a power of two (a cluster of the kernel's shape)");
  // Dynamic H is written as MLIR's kDynamic (INT64_MIN) or any negative.
  spec.cols = reader.integer(kernel, path, "cols", INT64_MIN, INT64_MAX);
  if (spec.cols < 0)
    spec.cols = -1;
  if (spec.cols == 0)
    reader.fail(path + ".cols", "is 0");
  // Bundles from before peeled rows leave it out: H had to be a multiple of
  // the vector width.
  spec.colsMultiple = reader.integer(kernel, path, "cols_multiple", 1, 64,
                                     /*fallback=*/spec.vectorWidth);
  spec.dynamicSharedMemory = reader.integer(
      kernel, path, "dynamic_shared_memory", 0, 1 << 20, /*fallback=*/0);
  spec.rowCached = reader.boolean(kernel, path, "row_cached", false);
  // Bundles from before persistent kernels leave it out.
  spec.persistent = reader.boolean(kernel, path, "persistent", false);
  // The launch gives a persistent kernel fewer blocks than rows: only a
  // kernel with one row per block and one block per row loops over rows.
  if (!reader.failed() && spec.persistent &&
      (spec.rowsPerBlock != 1 || spec.blocksPerRow != 1))
    reader.fail(path + ".persistent",
                "is true with rows_per_block " +
                    std::to_string(spec.rowsPerBlock) + " and blocks_per_row " +
                    std::to_string(spec.blocksPerRow) +
                    "; a persistent kernel has one row per block and one "
                    "block per row");
  if (!reader.failed() &&
      spec.blockSize != spec.rowsPerBlock * spec.threadsPerRow)
    reader.fail(path + ".block_size",
                "is " + std::to_string(spec.blockSize) +
                    ", not rows_per_block * threads_per_row");
  parseParams(reader, kernel, path, spec);

  const json::Value *args = reader.member(kernel, path, "args");
  if (!args)
    return;
  const json::Array *list = args->asArray();
  if (!list)
    return reader.fail(path + ".args", "must be an array");
  for (size_t i = 0; i < list->size() && !reader.failed(); ++i) {
    const json::Value &arg = (*list)[i];
    std::string at = path + ".args[" + std::to_string(i) + "]";
    if (!arg.asObject())
      return reader.fail(at, "must be an object");
    std::string argName = reader.string(arg, at, "name");
    std::string kind = reader.string(arg, at, "kind");
    if (reader.failed())
      return;
    if (kind == "i64") {
      spec.scalarArgs.push_back(argName);
      continue;
    }
    if (kind != "ptr")
      return reader.fail(at + ".kind",
                         "is '" + kind + "', expected ptr or i64");
    if (!spec.scalarArgs.empty())
      return reader.fail(at, "is a pointer after the i64 arguments");
    TensorArg tensor;
    tensor.name = argName;
    std::string role = reader.string(arg, at, "role");
    if (role == "row")
      tensor.role = TensorRole::Row;
    else if (role == "vector")
      tensor.role = TensorRole::Vector;
    else if (role == "scalar")
      tensor.role = TensorRole::Scalar;
    else if (role == "scales")
      tensor.role = TensorRole::Scales;
    else if (!reader.failed())
      return reader.fail(at + ".role", "is '" + role +
                                           "', expected row, vector, scalar "
                                           "or scales");
    std::string type = reader.string(arg, at, "type");
    std::optional<norm_dtype_t> dtype = parseDtype(type);
    if (!dtype && !reader.failed())
      return reader.fail(at + ".type", "is '" + type +
                                           "', not an element type the "
                                           "runtime knows");
    tensor.dtype = dtype.value_or(NORM_DTYPE_F32);
    tensor.alignment = reader.integer(arg, at, "align", 1, 256);
    if (!reader.failed() && !isPowerOf2(tensor.alignment))
      return reader.fail(at + ".align", "is not a power of two");
    for (const TensorArg &other : spec.tensors)
      if (other.name == tensor.name && !reader.failed())
        return reader.fail(at + ".name", "repeats '" + tensor.name + "'");
    spec.tensors.push_back(tensor);
  }
  if (reader.failed())
    return;

  // The i64 arguments are rows, cols, then a stride per row/scales tensor in
  // tensor order: anything else is a kernel ABI this runtime does not know.
  std::vector<std::string> expected = {"rows", "cols"};
  for (TensorArg &tensor : spec.tensors)
    if (tensor.role == TensorRole::Row || tensor.role == TensorRole::Scales) {
      tensor.strideArg = static_cast<int>(expected.size());
      expected.push_back("stride_" + tensor.name);
    }
  if (spec.scalarArgs != expected) {
    std::string want;
    for (const std::string &arg : expected)
      want += (want.empty() ? "" : ", ") + arg;
    return reader.fail(path + ".args", "has i64 arguments that do not follow "
                                       "the kernel ABI (expected " +
                                           want + ")");
  }
  auto count = [&](TensorRole role) {
    return std::count_if(spec.tensors.begin(), spec.tensors.end(),
                         [&](const TensorArg &t) { return t.role == role; });
  };
  if (spec.tensors.empty() || spec.tensors.front().role != TensorRole::Row)
    return reader.fail(path + ".args", "must start with the row input");
  if (spec.params.quantize &&
      (spec.params.scheme == KernelParams::Scheme::Static) !=
          (count(TensorRole::Scales) == 0))
    return reader.fail(path + ".args",
                       "has scales that do not match the quantization "
                       "scheme");
  if (spec.params.scheme == KernelParams::Scheme::PerGroup && spec.cols > 0 &&
      spec.cols % spec.params.groupSize != 0)
    return reader.fail(path + ".params.group_size", "does not divide cols");
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
    return Status::error(NORM_ERROR_BAD_MANIFEST,
                         "manifest.json is not valid JSON: " + error);
  if (!root->asObject())
    return Status::error(NORM_ERROR_BAD_MANIFEST,
                         "manifest.json must hold an object");
  Reader reader(error);
  int64_t version = reader.integer(*root, "", "format_version", 0, 1 << 30);
  if (!reader.failed() && version != 1)
    return Status::error(NORM_ERROR_BAD_MANIFEST,
                         "manifest.json has format_version " +
                             std::to_string(version) +
                             "; this runtime reads version 1");

  Bundle result;
  if (const json::Value *kernels = reader.member(*root, "", "kernels")) {
    if (!kernels->asObject())
      reader.fail(".kernels", "must be an object");
    else
      for (const auto &[name, kernel] : *kernels->asObject()) {
        KernelSpec spec;
        parseKernel(reader, name, kernel, spec);
        result.kernelList.push_back(std::move(spec));
      }
  }
  if (const json::Value *objects = reader.member(*root, "", "objects")) {
    const json::Array *list = objects->asArray();
    if (!list)
      reader.fail(".objects", "must be an array");
    for (size_t i = 0; list && i < list->size() && !reader.failed(); ++i) {
      std::string at = ".objects[" + std::to_string(i) + "]";
      const json::Value &entry = (*list)[i];
      if (!entry.asObject()) {
        reader.fail(at, "must be an object");
        break;
      }
      BinaryObject object;
      object.binary = reader.string(entry, at, "binary");
      object.chip = reader.string(entry, at, "chip");
      object.format = reader.string(entry, at, "format");
      object.file = reader.string(entry, at, "file");
      if (reader.failed())
        break;
      if (object.format != "cubin" && object.format != "fatbin" &&
          object.format != "ptx" && object.format != "hsaco") {
        reader.fail(at + ".format", "is '" + object.format +
                                        "', expected cubin, fatbin, ptx or "
                                        "hsaco");
        break;
      }
      if (!isPlainFileName(object.file)) {
        reader.fail(at + ".file", "must name a file inside the bundle");
        break;
      }
      result.objectList.push_back(std::move(object));
    }
  }
  if (reader.failed())
    return Status::error(NORM_ERROR_BAD_MANIFEST, error);
  if (result.objectList.empty())
    return Status::error(NORM_ERROR_BAD_MANIFEST,
                         "manifest.json lists no binaries");

  if (!directory.empty())
    for (BinaryObject &object : result.objectList) {
      std::string path = directory + "/" + object.file;
      if (Status status = readFile(path, object.data); !status.ok())
        return status;
      if (object.data.empty())
        return Status::error(NORM_ERROR_IO, "binary '" + path + "' is empty");
      if (object.format == "ptx")
        object.data.push_back('\0');
    }
  bundle = std::move(result);
  return Status::success();
}

Status Bundle::open(const std::string &directory, Bundle &bundle) {
  std::string manifest;
  if (Status status = readFile(directory + "/manifest.json", manifest);
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
