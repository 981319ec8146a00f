// The 3D ground truth of VideoPose3D's dataset files: a data_3d file
// turned into core's camera-space ground truth, and a data_2d file's keypoints reconciled with it.
#pragma once

#include "core/datasets.hpp"
#include "core/ground_truth.hpp"
#include "io/videopose_2d.hpp"
#include "io/videopose_3d.hpp"
#include "pipeline/camera_rigs.hpp"

namespace lift3d::pipeline {

// Every sequence of a data_3d file. Human3.6M files with 32 joints are reduced to the 17 joints
// VideoPose3D keeps (17-joint files are taken as they are); HumanEva-I files need 15 joints.
// Subjects are looked up in `rigs` (in the built-in tables HumanEva's "Validate/S1" uses S1's cameras).
// Throws InputError naming the file (and the subject/action) for a joint count that does not fit,
// a subject without cameras or without extrinsics; UsageError for Dataset::Custom.
core::GroundTruth build_ground_truth(const io::VideoPose3DFile& mocap, core::Dataset dataset, const CameraRigs& rigs);

// run.py's length reconciliation for a whole 2D file: every sequence of the ground truth must be in
// it (the reference asserts this); its 2D is trimmed to the mocap length. Sequences without ground
// truth (Human3.6M S2-S4, HumanEva's Unlabeled/...) are left as they are. Throws InputError naming
// the 2D file and the sequence.
void reconcile_2d_with_3d(io::VideoPose2DFile& keypoints, const core::GroundTruth& truth);

}  // namespace lift3d::pipeline
