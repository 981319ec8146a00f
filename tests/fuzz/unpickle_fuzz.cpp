// The restricted unpickler on arbitrary bytes: it may reject them (lift3d::Error) but must never
// crash, hang, leak or execute anything. Persistent ids are resolved like torch storages.
#include <cstdint>

#include "lift3d/error.hpp"
#include "io/pickle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lift3d::io::UnpickleOptions options;
  options.persistent_load = [](lift3d::io::PickleDocument& doc, const lift3d::io::Value&) {
    return doc.make(lift3d::io::Value::Kind::Storage);
  };
  try {
    auto document = lift3d::io::unpickle(data, size, options);
    if (document.root()) (void)document.root()->describe();
  } catch (const lift3d::Error&) {
  }
  return 0;
}
