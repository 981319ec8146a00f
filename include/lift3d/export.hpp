// Marks what the shared library exports; everything else in it stays hidden.
#pragma once

#if defined(__GNUC__)
#define LIFT3D_API __attribute__((visibility("default")))
#else
#define LIFT3D_API
#endif
