// The pixel size of the image or video a detector ran on, read from the file's header: PNG (IHDR),
// JPEG (the start-of-frame segment, turned by the EXIF orientation) and MP4/MOV (the video track's
// tkhd box, turned by its rotation matrix). Only headers are read, each read bounds-checked against
// the file's real size; no length in the file is trusted without that check.
#pragma once

#include <string>

namespace lift3d::io {

struct MediaSize {
  int width = 0;   // pixels, as the frames are shown (after EXIF orientation / track rotation)
  int height = 0;
  std::string kind;  // "png", "jpeg", "mp4"
  int rotation = 0;  // degrees the stored frames are turned for display (0, 90, 180, 270)
};

// Throws InputError("<path>: ...") for a file of another kind or a malformed or truncated header.
MediaSize read_media_size(const std::string& path);

}  // namespace lift3d::io
