// Which lift3d this is.
#pragma once

#include <string>

#include "lift3d/export.hpp"

namespace lift3d {

LIFT3D_API std::string version();  // "0.1.0"
LIFT3D_API std::string commit();   // the git commit it was built from, or "unknown"

}  // namespace lift3d
