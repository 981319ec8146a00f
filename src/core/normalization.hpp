// Screen-coordinate normalisation as the reference applies it to every 2D sequence before the model
// (the reference's normalize_screen_coordinates): x' = 2x/w - 1, y' = 2y/w - h/w, both axes divided by the width.
#pragma once

#include "lift3d/sequence.hpp"

namespace lift3d::core {

// Features 0 and 1 of every keypoint normalised (a score feature is left as is), point by point as
// camera.hpp's normalize_screen_coordinates rounds them (exactly as NumPy in the reference). Takes
// the sequence by value so callers that no longer need the pixels can move them in.
KeypointSequence normalize_screen_coordinates(KeypointSequence pixels, int width, int height);

}  // namespace lift3d::core
