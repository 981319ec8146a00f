// VideoPose3D's 3D motion-capture files: data_3d_h36m.npz and
// data_3d_humaneva15.npz. Each holds `positions_3d`, a pickled dict
// {subject: {action: (frames, joints, 3) float32 array}} of world coordinates in metres:
// Human3.6M with 32 joints ("S9" / "Walking 1"), HumanEva-I with 15 joints in chunks
// ("Validate/S1" / "Walking 1 chunk0").
#pragma once

#include <string>
#include <vector>

#include "lift3d/sequence.hpp"

namespace lift3d::io {

struct MocapAction {
  std::string name;              // "Walking 1", "Walking 1 chunk0"
  PoseSequence positions;  // world coordinates, metres
};

struct MocapSubject {
  std::string name;                                          // "S9", "Validate/S1"
  std::vector<MocapAction> actions;                          // in the file's dict order
  const MocapAction* find(const std::string& action) const;  // nullptr when absent
};

struct VideoPose3DFile {
  std::string path;
  int joints = 0;                      // shared by every sequence of the file (32 for H36M, 15 HumanEva)
  std::vector<MocapSubject> subjects;  // in the file's dict order (the reference iterates in it)
  const MocapSubject* find(const std::string& subject) const;
  const MocapAction* find(const std::string& subject, const std::string& action) const;
};

// Reads the file, never unpickling anything but plain containers and arrays. Throws InputError
// naming the file and, where it applies, the subject/action: not a VideoPose3D 3D file, not a dict
// of dicts, an array that is not (frames >= 1, joints >= 1, 3) floating point, joint counts that
// differ between sequences, NaN or infinite coordinates.
VideoPose3DFile read_videopose_3d(const std::string& path);

}  // namespace lift3d::io
