// `infer` as one call: load the model, turn every input into sequences, lift them on the threads
// available, write one output per input. Inputs fail alone with keep_going; outputs are atomic.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "io/pose_output.hpp"
#include "pipeline/inference_jobs.hpp"
#include "pipeline/model_state_dict.hpp"

namespace lift3d::pipeline {

struct InferenceRequest {
  std::string checkpoint;  // empty: the default model (default_model.hpp)
  ArchitectureHints hints;
  std::vector<std::string> inputs;
  std::string output;         // one input: this file (format by extension)
  std::string output_dir;     // any number of inputs: one file per input in this directory
  std::string output_format;  // extension for output_dir; empty: npy, or npz for several sequences
  std::string frame = "camera";  // "camera" or "world" (world_frame.hpp)
  // .bvh outputs (bvh_export.hpp); unset: exact. Given for another output format: UsageError.
  std::optional<io::BvhBones> bvh_bones;
  SelectionOptions selection;
  bool flip_tta = true;
  bool add_trajectory = true;  // add the trajectory model's root position when the checkpoint has one
  bool keep_going = false;     // a bad input is reported and the others still complete
  int threads = 0;             // 0: every hardware thread
  int chunk_frames = 512;
  // Called after each sequence is lifted, from the lifting threads (one call at a time).
  std::function<void(int done, int total)> on_progress;
};

struct InputResult {
  std::string input;
  std::string output;  // where it was (or would have been) written
  int sequences = 0;
  std::string error;   // the one-line message when this input failed (keep_going)
};

struct InferenceSummary {
  std::vector<InputResult> inputs;
  int failed = 0;
  long long frames = 0;  // frames lifted over all sequences
  double load_seconds = 0, lift_seconds = 0, write_seconds = 0;
};

// Throws UsageError before any work for options that do not fit; without keep_going, the first
// failing input's error (naming it) ends the run.
InferenceSummary run_inference(const InferenceRequest& request);

// The output file of `input` in `dir`: its stem (or, for a folder or glob, the folder's name)
// with `format` as extension.
std::string output_path_in_dir(const std::string& dir, const std::string& input, const std::string& format);

}  // namespace lift3d::pipeline
