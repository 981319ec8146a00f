// Pixel keypoints that cannot belong to the image. Detectors report joints inside the frame, or a
// little beyond its edge when a limb leaves it; values far outside are a detector's garbage (one
// 1e30 would dominate the normalised input and every pose near it), and a sequence that lies
// mostly outside means the image size or the coordinate units are wrong.
//
// The rule, over the usable keypoints (finite x, y, score above 0 and at least min_score):
//   - more than half outside the image widened by kImageMargin of its size on each side: the
//     keypoints and the size do not fit, InputError naming the ranges seen;
//   - otherwise each keypoint more than one image side outside (x < -W or x > 2W, y < -H or y > 2H)
//     is made unusable (score 0, x and y NaN), so the gap filler interpolates it like any
//     undetected joint; the caller warns with the count.
#pragma once

#include <string>

#include "lift3d/sequence.hpp"

namespace lift3d::core {

constexpr double kImageMargin = 0.1;

struct FarOutside {
  int count = 0;  // keypoints made unusable
  // The first one, for the warning.
  int frame = -1, joint = -1;
  double x = 0.0, y = 0.0;
};

// Throws InputError "<source>: N of M keypoints lie outside the WxH image ..." when the keypoints do
// not fit the image; else removes the far outliers in place and says which.
FarOutside drop_keypoints_off_image(KeypointSequence& seq, int width, int height, float min_score,
                                    const std::string& source);

}  // namespace lift3d::core
