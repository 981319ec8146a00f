// Screen-coordinate normalisation as the reference applies it to every 2D sequence before the model
// (reference-spec.md 3.4): x' = 2x/w - 1, y' = 2y/w - h/w, both axes divided by the width.
#pragma once

#include "lift3d/core/sequence.hpp"

namespace lift3d::core {

// Returns a copy with features 0 and 1 normalised (a score feature is left as is). Rounds as NumPy
// does in the reference: X/w*2 in float32, the offset subtracted in float64, one final rounding.
KeypointSequence normalize_screen_coordinates(const KeypointSequence& pixels, int width, int height);

}  // namespace lift3d::core
