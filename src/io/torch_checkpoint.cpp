#include "io/torch_checkpoint.hpp"

#include <algorithm>
#include <cstring>

#include "base/memory_pages.hpp"
#include "lift3d/error.hpp"
#include "io/file.hpp"
#include "io/zip_archive.hpp"

namespace lift3d::io {

// Where one storage's elements are in the file. A storage that cannot be read (its member is
// missing, the file ends inside it) is still recorded, with the reason, so that only reading a
// tensor that uses it fails: a damaged optimizer state must not stop the model from loading.
struct TorchCheckpoint::Storage {
  DType dtype = DType::Float32;
  std::int64_t numel = 0;           // elements really present
  std::uint64_t file_offset = 0;    // legacy: offset of the first element
  const ZipEntry* entry = nullptr;  // zip: the data/<key> member
  std::string problem;              // why it cannot be read; empty when it can
};


namespace {

// torch.serialization's MAGIC_NUMBER and PROTOCOL_VERSION for the legacy format.
const char* const kLegacyMagic = "0x1950a86a20f9469cfc6c";
constexpr std::int64_t kLegacyProtocol = 1001;
// The object pickle of a checkpoint is small (names, shapes, hyper-parameters); the first read
// takes this much and grows only if the pickles really are longer.
constexpr std::size_t kFirstRead = std::size_t{1} << 20;
constexpr std::uint64_t kMaxDataPkl = std::uint64_t{1} << 30;

using Kind = Value::Kind;

bool is_text(const Value& value) { return value.is(Kind::Str) || value.is(Kind::Bytes); }

std::string quoted(const std::string& text) { return "'" + text + "'"; }

// Builds the persistent_load hook shared by both formats: torch's persistent ids are
// ('storage', <storage class>, key, location, numel[, view metadata]). The location is ignored,
// as map_location to the CPU does. Records each key's element type in `dtypes`.
UnpickleOptions torch_options(std::map<std::string, DType>& dtypes) {
  UnpickleOptions options;
  options.persistent_load = [&dtypes](PickleDocument& doc, const Value& pid) -> Value* {
    if (!pid.is(Kind::Tuple) || pid.items.empty() || !is_text(*pid.items[0])) {
      throw InputError("unexpected persistent id (a " + pid.describe() + ")");
    }
    const std::string& tag = pid.items[0]->text;
    if (tag != "storage") {  // e.g. ('module', ...) for a whole saved nn.Module: kept opaque
      Value* opaque = doc.make(Kind::Opaque);
      opaque->text = "torch persistent id " + quoted(tag);
      return opaque;
    }
    if (pid.items.size() < 5 || !is_text(*pid.items[2]) || !pid.items[4]->is(Kind::Int)) {
      throw InputError("malformed storage persistent id");
    }
    const Value& type = *pid.items[1];
    const std::optional<DType> dtype =
        type.is(Kind::Global) || type.is(Kind::Opaque) ? torch_storage_dtype(type.text) : std::nullopt;
    if (!dtype) {  // a storage type we cannot read (complex, quantized, ...): tensors on it stay opaque
      Value* opaque = doc.make(Kind::Opaque);
      opaque->text = type.is(Kind::Global) || type.is(Kind::Opaque) ? type.text : "torch storage";
      return opaque;
    }
    Value* storage = doc.make(Kind::Storage);
    storage->storage.key = pid.items[2]->text;
    storage->storage.dtype = *dtype;
    storage->storage.numel = pid.items[4]->integer;
    if (pid.items.size() >= 6 && !pid.items[5]->is(Kind::None)) {  // legacy view: (view key, offset, size)
      const Value& view = *pid.items[5];
      if (!view.is(Kind::Tuple) || view.items.size() != 3 || !view.items[1]->is(Kind::Int) ||
          !view.items[2]->is(Kind::Int) || view.items[1]->integer < 0 || view.items[2]->integer < 0) {
        throw InputError("malformed storage view in a persistent id");
      }
      storage->storage.view_offset = view.items[1]->integer;
      storage->storage.numel = view.items[2]->integer;
    }
    auto [it, inserted] = dtypes.emplace(storage->storage.key, *dtype);
    if (!inserted && it->second != *dtype) {
      throw InputError("storage " + quoted(storage->storage.key) + " is used as both " +
                       dtype_name(it->second) + " and " + dtype_name(*dtype));
    }
    return storage;
  };
  return options;
}

// Library errors from the pickle, zip and file readers become ModelErrors naming the checkpoint.
[[noreturn]] void rethrow_as_model_error(const std::string& path, const std::string& where, const Error& e) {
  const std::string message = e.what();
  if (message.compare(0, path.size() + 1, path + ":") == 0) throw ModelError(message);
  throw ModelError(path + ": " + where + message);
}

// Copies the elements of a strided view into C order. `source` starts at the view's first element.
std::vector<std::uint8_t> gather(const std::uint8_t* source, std::size_t item_size,
                                 const std::vector<std::int64_t>& shape,
                                 const std::vector<std::int64_t>& strides, std::int64_t numel) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(numel) * item_size);
  const std::size_t ndim = shape.size();
  std::vector<std::int64_t> index(ndim, 0);
  std::int64_t offset = 0;
  for (std::int64_t i = 0; i < numel; ++i) {
    std::memcpy(out.data() + static_cast<std::size_t>(i) * item_size,
                source + static_cast<std::size_t>(offset) * item_size, item_size);
    for (std::size_t d = ndim; d-- > 0;) {  // last index fastest
      if (++index[d] < shape[d]) {
        offset += strides[d];
        break;
      }
      offset -= (index[d] - 1) * strides[d];
      index[d] = 0;
    }
  }
  return out;
}

bool has_zip_signature(const FileReader& file) {
  std::uint8_t head[4] = {0, 0, 0, 0};
  if (file.size() >= 4) file.read(0, head, 4);
  return head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
}

// ---------------------------------------------------------------------------------------------
// zip checkpoints

// The records live under one top folder: "archive" or the file's stem, depending on the torch
// version and on whether torch.save was given a file name.
struct ZipLayout {
  const ZipEntry* pickle = nullptr;  // <prefix>data.pkl
  std::string prefix;                // "<folder>/"
};

ZipLayout find_data_pkl(const ZipArchive& zip, const std::string& path) {
  for (const ZipEntry& entry : zip.entries()) {
    const std::size_t slash = entry.name.find('/');
    if (slash != std::string::npos && entry.name.compare(slash + 1, std::string::npos, "data.pkl") == 0) {
      return {&entry, entry.name.substr(0, slash + 1)};
    }
  }
  throw ModelError(path + ": zip file without a */data.pkl record (not a torch.save checkpoint)");
}

void check_zip_byte_order(const ZipArchive& zip, const std::string& prefix, const std::string& path) {
  if (const ZipEntry* order = zip.find(prefix + "byteorder")) {
    const std::vector<std::uint8_t> text = zip.read(*order, 16);
    if (std::string(text.begin(), text.end()) != "little") {
      throw ModelError(path + ": big-endian checkpoints are not supported");
    }
  }
}

// The object pickle (data.pkl); records each storage key's element type in `dtypes`.
std::shared_ptr<PickleDocument> unpickle_member(const ZipArchive& zip, const ZipEntry& entry, const std::string& path,
                                                std::map<std::string, DType>& dtypes) {
  const std::vector<std::uint8_t> pickle = zip.read(entry, kMaxDataPkl);
  try {
    return std::make_shared<PickleDocument>(unpickle(pickle.data(), pickle.size(), torch_options(dtypes)));
  } catch (const InputError& e) {
    throw ModelError(path + ": " + entry.name + ": " + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// legacy checkpoints

void refuse_tar_format(const FileReader& file, const std::string& path) {
  if (file.size() >= 262) {
    char magic[5];
    file.read(257, magic, 5);
    if (std::memcmp(magic, "ustar", 5) == 0) {
      throw ModelError(path + ": tar-based torch checkpoints (PyTorch before 0.4) are not supported");
    }
  }
}

// What the five pickles at the start of a legacy checkpoint say: magic number, protocol version,
// sys info, the objects and the storage keys.
struct LegacyHeader {
  std::shared_ptr<PickleDocument> document;  // the objects
  std::vector<std::string> keys;             // the storages, in the order their data follow
  std::size_t data_start = 0;                // where the first storage starts
};

// Pickles back to back at the start of `buffer`, decoded one at a time.
class PickleSequence {
 public:
  PickleSequence(const std::vector<std::uint8_t>& buffer, const std::string& path) : buffer_(buffer), path_(path) {}

  // The next pickle; a TruncatedPickleError when it runs past the buffer, a ModelError saying
  // `what` it was meant to be when it is malformed.
  PickleDocument next(const UnpickleOptions& options, const char* what) {
    std::size_t used = 0;
    try {
      PickleDocument doc = unpickle(buffer_.data() + position_, buffer_.size() - position_, options, &used);
      position_ += used;
      return doc;
    } catch (const TruncatedPickleError&) {
      throw;
    } catch (const InputError& e) {
      throw ModelError(path_ + ": " + what + ": " + e.what() + " (pickle at file offset " +
                       std::to_string(position_) + ")");
    }
  }
  std::size_t position() const { return position_; }

 private:
  const std::vector<std::uint8_t>& buffer_;
  const std::string& path_;
  std::size_t position_ = 0;
};

std::vector<std::string> storage_keys(const Value& list, const std::string& path) {
  if (!list.is(Kind::List)) throw ModelError(path + ": storage key list is a " + list.describe());
  std::vector<std::string> keys;
  for (const Value* key : list.items) {
    if (!is_text(*key)) throw ModelError(path + ": storage key list holds a " + key->describe());
    keys.push_back(key->text);
  }
  return keys;
}

// Decodes the header pickles from `buffer`, a prefix of the file; TruncatedPickleError when they
// run past its end.
LegacyHeader decode_legacy_header(const std::vector<std::uint8_t>& buffer, const std::string& path,
                                  std::map<std::string, DType>& dtypes) {
  PickleSequence pickles(buffer, path);
  PickleDocument magic = pickles.next({}, "not a PyTorch checkpoint");
  if (!magic.root()->is(Kind::Int) || magic.root()->text != kLegacyMagic) {
    throw ModelError(path + ": not a PyTorch checkpoint (no torch.save magic number)");
  }
  PickleDocument protocol = pickles.next({}, "legacy header");
  if (!protocol.root()->is(Kind::Int) || protocol.root()->integer != kLegacyProtocol) {
    throw ModelError(path + ": unsupported legacy checkpoint protocol (a " + protocol.root()->describe() + ")");
  }
  PickleDocument sys_info = pickles.next({}, "legacy header");
  if (const Value* little = sys_info.root()->find("little_endian"); little && little->is(Kind::Bool) && !little->boolean) {
    throw ModelError(path + ": big-endian checkpoints are not supported");
  }
  LegacyHeader header;
  header.document = std::make_shared<PickleDocument>(pickles.next(torch_options(dtypes), "object pickle"));
  PickleDocument key_list = pickles.next({}, "storage key list");
  header.keys = storage_keys(*key_list.root(), path);
  header.data_start = pickles.position();
  return header;
}

// Reads a prefix of the file and grows it only if a pickle runs past its end.
LegacyHeader read_legacy_header(const FileReader& file, const std::string& path, std::map<std::string, DType>& dtypes) {
  const std::uint64_t file_size = file.size();
  for (std::size_t want = std::min<std::uint64_t>(file_size, kFirstRead);;
       want = std::min<std::uint64_t>(file_size, want * 4)) {
    const std::vector<std::uint8_t> buffer = file.read(0, want);
    try {
      dtypes.clear();
      return decode_legacy_header(buffer, path, dtypes);
    } catch (const TruncatedPickleError& e) {
      if (want >= file_size) throw ModelError(path + ": " + e.what());
    }
  }
}

}  // namespace

// The open file and where each storage lies in it. One reader per format: each takes the file
// over, records the storages and returns the object pickle.
struct TorchCheckpoint::Impl {
  std::unique_ptr<FileReader> file;  // legacy
  std::unique_ptr<ZipArchive> zip;   // zip
  std::map<std::string, Storage> storages;

  std::shared_ptr<PickleDocument> read_zip(FileReader opened, const std::string& path);
  std::shared_ptr<PickleDocument> read_legacy(FileReader opened, const std::string& path);

 private:
  void locate_zip_storages(const std::string& prefix, const std::map<std::string, DType>& dtypes);
  void locate_legacy_storages(const LegacyHeader& header, const std::map<std::string, DType>& dtypes,
                              const std::string& path);
  Storage next_legacy_storage(DType dtype, std::uint64_t& position, std::string& cut_off) const;
};

std::shared_ptr<PickleDocument> TorchCheckpoint::Impl::read_zip(FileReader opened, const std::string& path) {
  zip = std::make_unique<ZipArchive>(std::move(opened));
  const ZipLayout layout = find_data_pkl(*zip, path);
  check_zip_byte_order(*zip, layout.prefix, path);
  std::map<std::string, DType> dtypes;
  std::shared_ptr<PickleDocument> document = unpickle_member(*zip, *layout.pickle, path, dtypes);
  locate_zip_storages(layout.prefix, dtypes);
  return document;
}

void TorchCheckpoint::Impl::locate_zip_storages(const std::string& prefix, const std::map<std::string, DType>& dtypes) {
  for (const auto& [key, dtype] : dtypes) {
    Storage storage;
    storage.dtype = dtype;
    storage.entry = zip->find(prefix + "data/" + key);
    if (storage.entry == nullptr) {
      storage.problem = "has no member " + quoted(prefix + "data/" + key);
    } else {
      storage.numel = static_cast<std::int64_t>(storage.entry->uncompressed_size / dtype_size(dtype));
      if (storage.entry->uncompressed_size % dtype_size(dtype) != 0) {
        storage.problem = "holds " + std::to_string(storage.entry->uncompressed_size) +
                          " bytes, not a whole number of " + dtype_name(dtype) + " elements";
      }
    }
    storages.emplace(key, std::move(storage));
  }
}

std::shared_ptr<PickleDocument> TorchCheckpoint::Impl::read_legacy(FileReader opened, const std::string& path) {
  file = std::make_unique<FileReader>(std::move(opened));
  refuse_tar_format(*file, path);
  std::map<std::string, DType> dtypes;
  const LegacyHeader header = read_legacy_header(*file, path, dtypes);
  locate_legacy_storages(header, dtypes, path);
  return header.document;
}

// Raw storages follow the pickles in key-list order, each an int64 element count and the
// elements. Only their 8-byte headers are read here.
void TorchCheckpoint::Impl::locate_legacy_storages(const LegacyHeader& header,
                                                   const std::map<std::string, DType>& dtypes,
                                                   const std::string& path) {
  std::uint64_t position = header.data_start;
  std::string cut_off;  // once a storage runs past the end, every later one is missing too
  for (const std::string& key : header.keys) {
    auto found = dtypes.find(key);
    if (found == dtypes.end()) throw ModelError(path + ": storage " + quoted(key) + " is listed but never used");
    storages.emplace(key, next_legacy_storage(found->second, position, cut_off));
  }
  for (const auto& [key, dtype] : dtypes) {
    if (storages.count(key) == 0) {
      Storage storage;
      storage.dtype = dtype;
      storage.problem = "is not in the file's storage list";
      storages.emplace(key, std::move(storage));
    }
  }
}

// The storage whose element count is at `position`; moves `position` past its elements, or sets
// `cut_off` when the file ends first.
TorchCheckpoint::Storage TorchCheckpoint::Impl::next_legacy_storage(DType dtype, std::uint64_t& position,
                                                                    std::string& cut_off) const {
  Storage storage;
  storage.dtype = dtype;
  const std::uint64_t file_size = file->size();
  const std::uint64_t item_size = dtype_size(dtype);
  if (cut_off.empty() && file_size - position < 8) cut_off = "is cut off by the end of the file";
  if (cut_off.empty()) {
    std::uint8_t header[8];
    file->read(position, header, 8);
    std::uint64_t count = 0;
    for (int i = 7; i >= 0; --i) count = (count << 8) | header[i];
    if (count > (file_size - position - 8) / item_size) {
      cut_off = "is cut off by the end of the file";
    } else {
      storage.numel = static_cast<std::int64_t>(count);
      storage.file_offset = position + 8;
      position += 8 + count * item_size;
    }
  }
  storage.problem = cut_off;
  return storage;
}

TorchCheckpoint::TorchCheckpoint(const std::string& path) : path_(path), impl_(std::make_unique<Impl>()) {
  try {
    FileReader file(path);  // opened once: the reader for the format takes it over
    if (has_zip_signature(file)) {
      format_ = "zip";
      document_ = impl_->read_zip(std::move(file), path);
    } else {
      format_ = "legacy";
      document_ = impl_->read_legacy(std::move(file), path);
    }
  } catch (const ModelError&) {
    throw;
  } catch (const Error& e) {
    rethrow_as_model_error(path, "", e);
  }
}

TorchCheckpoint::~TorchCheckpoint() = default;
TorchCheckpoint::TorchCheckpoint(TorchCheckpoint&&) noexcept = default;

TorchCheckpoint::TensorSpan TorchCheckpoint::locate_tensor(const TensorRef& tensor) const {
  const std::string& key = tensor.storage.key;
  auto found = impl_->storages.find(key);
  if (found == impl_->storages.end())
    throw ModelError(path_ + ": storage " + quoted(key) + " is not in the checkpoint");
  const Storage& storage = found->second;
  if (!storage.problem.empty()) throw ModelError(path_ + ": storage " + quoted(key) + " " + storage.problem);
  if (storage.dtype != tensor.storage.dtype) {
    throw ModelError(path_ + ": storage " + quoted(key) + " holds " + dtype_name(storage.dtype) + ", not " +
                     dtype_name(tensor.storage.dtype));
  }
  if (tensor.shape.size() != tensor.strides.size()) {
    throw ModelError(path_ + ": tensor shape " + shape_string(tensor.shape) + " and strides " +
                     shape_string(tensor.strides) + " differ in length");
  }

  // Element count and the last element's index, with every step checked against overflow and
  // against what the storage (or the legacy view of it) really holds.
  std::int64_t numel = 1;
  std::int64_t last = 0;
  constexpr std::int64_t kLimit = std::int64_t{1} << 60;
  for (std::size_t d = 0; d < tensor.shape.size(); ++d) {
    const std::int64_t size = tensor.shape[d], stride = tensor.strides[d];
    if (size < 0 || stride < 0) throw ModelError(path_ + ": tensor with negative size or stride");
    if (size == 0) {
      numel = 0;
      break;
    }
    if (numel > kLimit / size || (stride != 0 && size - 1 > kLimit / stride)) {
      throw ModelError(path_ + ": tensor of shape " + shape_string(tensor.shape) + " is too large");
    }
    numel *= size;
    last += (size - 1) * stride;
    if (last > kLimit)
      throw ModelError(path_ + ": tensor of shape " + shape_string(tensor.shape) + " is too large");
  }
  if (numel == 0) return {&storage, 0, 0, 0};
  // The tensor must fit both the storage as the pickle describes it (for a legacy view: the view)
  // and the elements really present in the file.
  const std::int64_t first = tensor.storage.view_offset + tensor.storage_offset;
  const std::int64_t available = std::min(tensor.storage.numel, storage.numel - tensor.storage.view_offset);
  if (tensor.storage_offset < 0 || tensor.storage.view_offset < 0 || tensor.storage_offset > kLimit ||
      tensor.storage.view_offset > kLimit || tensor.storage_offset + last >= available) {
    throw ModelError(path_ + ": tensor of shape " + shape_string(tensor.shape) + " at offset " +
                     std::to_string(tensor.storage_offset) + " with strides " + shape_string(tensor.strides) +
                     " needs " + std::to_string(tensor.storage_offset + last + 1) + " elements but storage " +
                     quoted(key) + " holds " + std::to_string(std::max<std::int64_t>(available, 0)));
  }

  return {&storage, first, last, numel};
}

void TorchCheckpoint::check_tensor(const TensorRef& tensor) const { locate_tensor(tensor); }

namespace {

// Whether the tensor's elements lie in C order, one after the other.
bool is_contiguous(const TensorRef& tensor) {
  std::int64_t expected_stride = 1;
  for (std::size_t d = tensor.shape.size(); d-- > 0;) {
    if (tensor.shape[d] != 1 && tensor.strides[d] != expected_stride) return false;
    expected_stride *= tensor.shape[d];
  }
  return true;
}

}  // namespace

void TorchCheckpoint::read_span(const TensorSpan& located, const std::string& key, void* out, std::size_t bytes) const {
  const Storage& storage = *located.storage;
  const std::uint64_t start_byte = static_cast<std::uint64_t>(located.first) * dtype_size(storage.dtype);
  try {
    if (impl_->file) {
      impl_->file->read(storage.file_offset + start_byte, out, bytes);
    } else if (storage.entry->method == 0) {
      impl_->zip->read_stored_range(*storage.entry, start_byte, out, bytes);
    } else {  // torch never compresses storages, but a re-zipped checkpoint might
      const std::vector<std::uint8_t> whole =
          impl_->zip->read(*storage.entry, storage.entry->uncompressed_size);
      std::copy_n(whole.begin() + static_cast<std::ptrdiff_t>(start_byte), bytes, static_cast<std::uint8_t*>(out));
    }
  } catch (const ModelError&) {
    throw;
  } catch (const Error& e) {
    rethrow_as_model_error(path_, "storage " + quoted(key) + ": ", e);
  }
}

Array TorchCheckpoint::read_tensor(const TensorRef& tensor) const {
  const TensorSpan located = locate_tensor(tensor);
  Array array;
  array.dtype = located.storage->dtype;
  array.shape = tensor.shape;
  if (located.numel == 0) return array;
  const std::size_t item_size = dtype_size(array.dtype);
  // Read only the span the tensor covers.
  std::vector<std::uint8_t> span(static_cast<std::size_t>(located.last + 1) * item_size);
  read_span(located, tensor.storage.key, span.data(), span.size());
  if (is_contiguous(tensor) && located.numel == located.last + 1) {
    array.bytes = std::move(span);
  } else {
    array.bytes = gather(span.data(), item_size, tensor.shape, tensor.strides, located.numel);
  }
  return array;
}

std::vector<float> TorchCheckpoint::read_tensor_floats(const TensorRef& tensor) const {
  const TensorSpan located = locate_tensor(tensor);
  if (located.numel == 0) return {};
  if (located.storage->dtype != DType::Float32 || !is_contiguous(tensor) || located.numel != located.last + 1)
    return read_tensor(tensor).to_float();
  std::vector<float> values;
  resize_on_huge_pages(values, static_cast<std::size_t>(located.numel));
  read_span(located, tensor.storage.key, values.data(), values.size() * sizeof(float));
  return values;
}

std::optional<StateDict> read_state_dict(const TorchCheckpoint& checkpoint, const std::string& key, TensorData data) {
  const Value& root = checkpoint.root();
  if (!root.is(Value::Kind::Dict)) {
    throw ModelError(checkpoint.path() + ": checkpoint holds a " + root.describe() + ", expected a dict");
  }
  const Value* state = root.find(key);
  if (state == nullptr || state->is(Value::Kind::None)) return std::nullopt;
  if (!state->is(Value::Kind::Dict)) {
    throw ModelError(checkpoint.path() + ": " + quoted(key) + " is a " + state->describe() +
                     ", expected a state_dict");
  }
  StateDict result;
  result.reserve(state->entries.size());
  for (const auto& [name, value] : state->entries) {
    if (!is_text(*name)) {
      throw ModelError(checkpoint.path() + ": " + quoted(key) + " has a " + name->describe() +
                       " key, expected names");
    }
    if (!value->is(Value::Kind::Tensor)) {
      throw ModelError(checkpoint.path() + ": " + quoted(key) + " entry " + quoted(name->text) + " is a " +
                       value->describe() + ", expected a tensor");
    }
    if (data == TensorData::Read) {
      result.push_back(NamedTensor{name->text, checkpoint.read_tensor(value->tensor), &value->tensor});
    } else {
      checkpoint.check_tensor(value->tensor);
      Array shape_only;
      shape_only.dtype = value->tensor.storage.dtype;
      shape_only.shape = value->tensor.shape;
      result.push_back(NamedTensor{name->text, std::move(shape_only), &value->tensor});
    }
  }
  return result;
}

}  // namespace lift3d::io
