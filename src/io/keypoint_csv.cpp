// Keypoints as CSV tables: MediaPipe landmark exports and keypoint tables with one row per frame.
//
// Wide tables (one row per frame): a header naming each joint's columns,
//   <joint>_x, <joint>_y [, <joint>_z] [, <joint>_score | _conf | _confidence | _c | _visibility |
//   _likelihood]   with <joint> a layout's joint name (nose_x) or a numbered joint (L0_x, kp0_x, 0_x),
//   or x<i>, y<i> [, s<i> | c<i> | score<i> | v<i>]   numbered joints (x0, y0, s0, x1, ...).
// Long tables (one row per joint per frame): frame, a joint column (LandmarkID, landmark, joint,
// keypoint; a number or a joint name), x, y [, z] [, visibility | score | confidence].
// An optional frame column (frame, frame_id, frame_index, frame_number, frame_idx) numbers the rows;
// without one a wide table's rows are frames 0, 1, ... Other columns are ignored. Empty cells and
// nan/none/null are missing joints.
//
// MediaPipe: score columns named "visibility", or a LandmarkID column: layout mediapipe33 (when 33
// joints are numbered), coordinates normalised. Otherwise the layout is the one whose joint names
// the header uses, or --input-layout for numbered joints; coordinates are not known.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>

#include "base/joint_sets.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "io/detection_collector.hpp"
#include "io/file.hpp"
#include "io/keypoint_files.hpp"
#include "lift3d/error.hpp"

namespace lift3d::io {
namespace {

constexpr std::size_t kMaxColumns = 100000;
constexpr int kMaxJoints = 1000;

struct Table {
  std::vector<std::string> header;  // lowercased, trimmed
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;  // 1-based line number of each row
};

std::string trimmed(const std::string& text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// One line's cells; double quotes group a cell (a doubled quote inside is one quote).
std::vector<std::string> split_line(const std::string& line, char delimiter) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cells.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else cells.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  for (std::string& cell : cells) cell = trimmed(cell);
  return cells;
}

Table read_table(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file(path);
  const std::string text(bytes.begin(), bytes.end());
  if (text.find('\0') != std::string::npos) throw InputError(path + ": not a text csv file (holds NUL bytes)");
  Table table;
  std::size_t line_number = 0, position = 0;
  char delimiter = ',';
  while (position < text.size()) {
    std::size_t end = text.find('\n', position);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(position, end - position);
    position = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trimmed(line).empty()) continue;
    if (table.header.empty()) {
      if (line.find(',') == std::string::npos) delimiter = line.find(';') != std::string::npos ? ';' : '\t';
      for (const std::string& cell : split_line(line, delimiter)) table.header.push_back(lowercase(cell));
      if (table.header.size() > kMaxColumns) throw InputError(path + ": line 1: more than 100000 columns");
      continue;
    }
    std::vector<std::string> cells = split_line(line, delimiter);
    if (cells.size() != table.header.size())
      throw InputError(path + ": line " + std::to_string(line_number) + ": " + std::to_string(cells.size()) +
                       " cells, the header has " + std::to_string(table.header.size()));
    table.rows.push_back(std::move(cells));
    table.lines.push_back(line_number);
  }
  if (table.header.empty()) throw InputError(path + ": empty csv file");
  if (table.rows.empty()) throw InputError(path + ": csv header but no rows");
  return table;
}

std::optional<std::size_t> column(const Table& table, std::initializer_list<const char*> names) {
  for (const char* name : names)
    for (std::size_t c = 0; c < table.header.size(); ++c)
      if (table.header[c] == name) return c;
  return std::nullopt;
}

// A cell's number; nullopt for a missing value (empty, nan, none, null). Throws for other text.
std::optional<double> cell_number(const Table& table, std::size_t row, std::size_t col, const std::string& path) {
  const std::string& cell = table.rows[row][col];
  const std::string lower = lowercase(cell);
  if (lower.empty() || lower == "nan" || lower == "none" || lower == "null") return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size() || !std::isfinite(value))
    throw InputError(path + ": line " + std::to_string(table.lines[row]) + ", column '" + table.header[col] +
                     "': '" + cell.substr(0, 40) + "' is not a finite number");
  return value;
}

long long cell_integer(const Table& table, std::size_t row, std::size_t col, const std::string& path) {
  const std::optional<double> value = cell_number(table, row, col, path);
  if (!value || std::floor(*value) != *value || std::fabs(*value) > 1e15)
    throw InputError(path + ": line " + std::to_string(table.lines[row]) + ", column '" + table.header[col] +
                     "': expected a whole number, got '" + table.rows[row][col].substr(0, 40) + "'");
  return static_cast<long long>(*value);
}

// --- what the header says --------------------------------------------------------------------

enum class Part { X, Y, Z, Score };

struct JointColumns {
  std::optional<std::size_t> x, y, score;
};

struct Header {
  std::map<std::string, JointColumns> named;  // joint name -> columns
  std::map<int, JointColumns> numbered;        // joint number -> columns
  bool visibility = false;                     // score columns are MediaPipe's "visibility"
};

const std::map<std::string, Part>& suffix_parts() {
  static const std::map<std::string, Part> parts = {
      {"x", Part::X},         {"y", Part::Y},         {"z", Part::Z},          {"score", Part::Score},
      {"conf", Part::Score},  {"confidence", Part::Score}, {"c", Part::Score}, {"visibility", Part::Score},
      {"likelihood", Part::Score}, {"s", Part::Score}, {"v", Part::Score},     {"p", Part::Score}};
  return parts;
}

// "L12" / "kp12" / "12" / "joint12" -> 12; nullopt when the name does not end in a number after
// letters only.
std::optional<int> joint_number(const std::string& joint) {
  std::size_t digits = joint.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(joint[digits - 1]))) --digits;
  if (digits == joint.size() || joint.size() - digits > 4) return std::nullopt;
  for (std::size_t i = 0; i < digits; ++i)
    if (!std::isalpha(static_cast<unsigned char>(joint[i]))) return std::nullopt;
  return std::stoi(joint.substr(digits));
}

void assign(JointColumns& joint, Part part, std::size_t col) {
  if (part == Part::X) joint.x = col;
  else if (part == Part::Y) joint.y = col;
  else if (part == Part::Score) joint.score = col;
}

Header read_header(const Table& table) {
  Header header;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    const std::size_t underscore = name.find_last_of("_.");
    if (underscore != std::string::npos && underscore > 0) {  // <joint>_<part>
      const auto part = suffix_parts().find(name.substr(underscore + 1));
      if (part != suffix_parts().end()) {
        const std::string joint = name.substr(0, underscore);
        if (const std::optional<int> number = joint_number(joint)) assign(header.numbered[*number], part->second, c);
        else assign(header.named[joint], part->second, c);
        header.visibility = header.visibility || part->first == "visibility";
        continue;
      }
    }
    // x<i>, y<i>, s<i>, ...: the part before the number.
    std::size_t digits = name.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) --digits;
    if (digits > 0 && digits < name.size() && name.size() - digits <= 4) {
      const auto part = suffix_parts().find(name.substr(0, digits));
      if (part != suffix_parts().end()) {
        assign(header.numbered[std::stoi(name.substr(digits))], part->second, c);
        header.visibility = header.visibility || part->first == "visibility";
      }
    }
  }
  // Joints named only by a z or score column are not joints.
  for (auto it = header.named.begin(); it != header.named.end();)
    it = it->second.x || it->second.y ? std::next(it) : header.named.erase(it);
  for (auto it = header.numbered.begin(); it != header.numbered.end();)
    it = it->second.x || it->second.y ? std::next(it) : header.numbered.erase(it);
  return header;
}

// The layout whose joint names include every one of `names`: --input-layout when given, else the
// first known layout that has them all.
std::string layout_of_names(const std::set<std::string>& names, const std::string& path,
                            const DetectionReadOptions& options) {
  const auto has_all = [&](const std::string& layout) {
    const std::vector<std::string>& joints = keypoint_layout(layout).joint_names;
    return std::all_of(names.begin(), names.end(), [&](const std::string& name) {
      return std::find(joints.begin(), joints.end(), name) != joints.end();
    });
  };
  if (!options.layout.empty()) {
    if (!has_all(options.layout))
      throw InputError(path + ": the header's joint names are not all joints of layout '" + options.layout + "'");
    return options.layout;
  }
  for (const std::string& layout : keypoint_layout_names())
    if (has_all(layout)) return layout;
  throw InputError(path + ": the header's joint names (" + join(std::vector<std::string>(names.begin(), names.end())) +
                   ") are not those of one known layout");
}

// The layout of numbered joints 0..count-1: --input-layout, else mediapipe33 for a MediaPipe table
// of 33; a count alone does not tell the order.
std::string layout_of_numbers(int count, bool mediapipe, const std::string& path, const DetectionReadOptions& options) {
  std::string layout = options.layout;
  if (layout.empty() && mediapipe && count == keypoint_layout("mediapipe33").num_joints()) layout = "mediapipe33";
  if (layout.empty())
    throw UsageError(path + ": " + std::to_string(count) +
                     " numbered joints do not say their joint order; say --input-layout (e.g. coco, h36m, body25)");
  if (keypoint_layout(layout).num_joints() != count)
    throw InputError(path + ": " + std::to_string(count) + " joints, but layout '" + layout + "' has " +
                     std::to_string(keypoint_layout(layout).num_joints()));
  return layout;
}

// Numbered joints must be 0..count-1, each with an x and a y column.
int checked_joint_count(const std::map<int, JointColumns>& numbered, const std::string& path) {
  int expected = 0;
  for (const auto& [number, columns] : numbered) {
    if (number != expected)
      throw InputError(path + ": header: joint " + std::to_string(expected) + " has no columns (numbered joints must "
                       "run from 0 without gaps)");
    if (!columns.x || !columns.y)
      throw InputError(path + ": header: joint " + std::to_string(number) + " lacks its " + (columns.x ? "y" : "x") +
                       " column");
    ++expected;
  }
  if (expected > kMaxJoints) throw InputError(path + ": header: more than 1000 joints");
  return expected;
}

// --- reading rows -----------------------------------------------------------------------------

Detections2D finish_csv(DetectionCollector&& collector, bool mediapipe, const std::string& path) {
  if (collector.empty()) throw InputError(path + ": no joint given in any of the " + std::to_string(collector.frames()) + " rows");
  Detections2D detections = std::move(collector).finish();
  detections.coordinates = mediapipe ? Coordinates::Normalized : Coordinates::Unknown;
  return detections;
}

// One frame's x, y, score from a row; nullopt when no joint has x and y.
std::optional<std::vector<float>> row_keypoints(const Table& table, std::size_t row,
                                                const std::vector<JointColumns>& joints, const std::string& path) {
  std::vector<float> values(joints.size() * 3, 0.0f);
  bool any = false;
  for (std::size_t j = 0; j < joints.size(); ++j) {
    values[j * 3] = values[j * 3 + 1] = NAN;
    if (!joints[j].x || !joints[j].y) continue;  // a joint of the layout the table does not have
    const std::optional<double> x = cell_number(table, row, *joints[j].x, path);
    const std::optional<double> y = cell_number(table, row, *joints[j].y, path);
    if (!x || !y) continue;
    const std::optional<double> score = joints[j].score ? cell_number(table, row, *joints[j].score, path) : 1.0;
    values[j * 3] = static_cast<float>(*x);
    values[j * 3 + 1] = static_cast<float>(*y);
    values[j * 3 + 2] = score ? static_cast<float>(*score) : 0.0f;
    any = true;
  }
  if (!any) return std::nullopt;
  return values;
}

Detections2D read_wide(const Table& table, const Header& header, const std::string& path,
                       const DetectionReadOptions& options) {
  if (!header.named.empty() && !header.numbered.empty())
    throw InputError(path + ": header mixes named joints (" + header.named.begin()->first + ") and numbered ones");
  const bool mediapipe = header.visibility;
  std::string layout;
  std::vector<JointColumns> joints;
  if (!header.numbered.empty()) {
    const int count = checked_joint_count(header.numbered, path);
    layout = layout_of_numbers(count, mediapipe, path, options);
    for (const auto& entry : header.numbered) joints.push_back(entry.second);
  } else {
    std::set<std::string> names;
    for (const auto& [name, columns] : header.named) {
      if (!columns.x || !columns.y)
        throw InputError(path + ": header: joint '" + name + "' lacks its " + (columns.x ? "y" : "x") + " column");
      names.insert(name);
    }
    layout = layout_of_names(names, path, options);
    for (const std::string& name : keypoint_layout(layout).joint_names) {
      const auto found = header.named.find(name);
      joints.push_back(found == header.named.end() ? JointColumns{} : found->second);
    }
    if (names.size() < joints.size())
      logger().debug("{}: {} of the {} {} joints have columns; the others are missing", path, names.size(),
                     joints.size(), layout);
  }
  const std::optional<std::size_t> frame_column =
      column(table, {"frame", "frame_id", "frame_index", "frame_number", "frame_idx"});
  DetectionCollector collector(path, mediapipe ? "mediapipe csv" : "keypoint csv",
                               [&](int, const std::string&, const std::string&) { return layout; });
  std::set<long long> seen;
  for (std::size_t row = 0; row < table.rows.size(); ++row) {
    const long long frame =
        frame_column ? cell_integer(table, row, *frame_column, path) : static_cast<long long>(row);
    if (!seen.insert(frame).second)
      throw InputError(path + ": line " + std::to_string(table.lines[row]) + ": frame " + std::to_string(frame) +
                       " appears more than once");
    collector.add_frame(frame);
    if (const auto keypoints = row_keypoints(table, row, joints, path))
      collector.add(frame, *keypoints, std::nan(""), std::nullopt, path, "line " + std::to_string(table.lines[row]));
  }
  return finish_csv(std::move(collector), mediapipe, path);
}

Detections2D read_long(const Table& table, std::size_t joint_column, const std::string& path,
                       const DetectionReadOptions& options) {
  const std::optional<std::size_t> frame_column =
      column(table, {"frame", "frame_id", "frame_index", "frame_number", "frame_idx"});
  const std::optional<std::size_t> x_column = column(table, {"x"}), y_column = column(table, {"y"});
  const std::optional<std::size_t> score_column = column(table, {"visibility", "score", "confidence", "conf", "likelihood"});
  if (!frame_column || !x_column || !y_column)
    throw InputError(path + ": a table with one row per joint needs frame, x and y columns");
  const std::string& joint_header = table.header[joint_column];
  const bool mediapipe = joint_header.find("landmark") != std::string::npos ||
                         (score_column && table.header[*score_column] == "visibility");
  // Joints are numbers (0-based) or names; the layout follows from them.
  bool numeric = true;
  int max_number = -1;
  std::set<std::string> names;
  for (std::size_t row = 0; row < table.rows.size(); ++row) {
    const std::string& cell = table.rows[row][joint_column];
    const bool is_number = !cell.empty() && std::all_of(cell.begin(), cell.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    numeric = numeric && is_number;
    if (is_number && cell.size() <= 4) max_number = std::max(max_number, std::stoi(cell));
    else if (is_number) throw InputError(path + ": line " + std::to_string(table.lines[row]) + ": joint number " + cell.substr(0, 20) + " is too large");
    else names.insert(lowercase(cell));
  }
  // Numbered rows may leave joints out: the layout is --input-layout, or mediapipe33 for MediaPipe's.
  std::string layout = options.layout;
  if (!numeric) layout = layout_of_names(names, path, options);
  else if (layout.empty() && mediapipe) layout = "mediapipe33";
  else if (layout.empty())
    throw UsageError(path + ": numbered joints do not say their joint order; say --input-layout (e.g. coco, h36m)");
  const KeypointLayout& joints = keypoint_layout(layout);
  const auto joint_index = [&](std::size_t row) -> int {
    const std::string& cell = table.rows[row][joint_column];
    if (numeric) return std::stoi(cell);
    const auto found = std::find(joints.joint_names.begin(), joints.joint_names.end(), lowercase(cell));
    return static_cast<int>(found - joints.joint_names.begin());
  };

  DetectionCollector collector(path, mediapipe ? "mediapipe csv" : "keypoint csv",
                               [&](int, const std::string&, const std::string&) { return layout; });
  std::map<long long, std::vector<float>> frames;  // frame -> x, y, score per joint
  std::map<long long, std::vector<bool>> given;
  for (std::size_t row = 0; row < table.rows.size(); ++row) {
    const long long frame = cell_integer(table, row, *frame_column, path);
    std::vector<float>& values = frames[frame];
    std::vector<bool>& seen = given[frame];
    if (values.empty()) {
      values.assign(static_cast<std::size_t>(joints.num_joints()) * 3, 0.0f);
      for (int j = 0; j < joints.num_joints(); ++j) values[j * 3] = values[j * 3 + 1] = NAN;
      seen.assign(static_cast<std::size_t>(joints.num_joints()), false);
    }
    const int j = joint_index(row);
    if (j >= joints.num_joints() || seen[static_cast<std::size_t>(j)])
      throw InputError(path + ": line " + std::to_string(table.lines[row]) + ": joint " + table.rows[row][joint_column] +
                       (j >= joints.num_joints() ? " is not a joint of layout " + layout
                                                 : " given twice for frame " + std::to_string(frame)));
    seen[static_cast<std::size_t>(j)] = true;
    const std::optional<double> x = cell_number(table, row, *x_column, path), y = cell_number(table, row, *y_column, path);
    if (!x || !y) continue;
    const std::optional<double> score = score_column ? cell_number(table, row, *score_column, path) : 1.0;
    values[j * 3] = static_cast<float>(*x);
    values[j * 3 + 1] = static_cast<float>(*y);
    values[j * 3 + 2] = score ? static_cast<float>(*score) : 0.0f;
  }
  for (const auto& [frame, values] : frames) {
    collector.add_frame(frame);
    collector.add(frame, values, std::nan(""), std::nullopt, path, "frame " + std::to_string(frame));
  }
  return finish_csv(std::move(collector), mediapipe, path);
}

}  // namespace

Detections2D read_keypoint_csv(const std::string& path, const DetectionReadOptions& options) {
  const Table table = read_table(path);
  if (const std::optional<std::size_t> joint_column =
          column(table, {"landmarkid", "landmark_id", "landmark", "joint", "joint_id", "keypoint", "keypoint_id"}))
    return read_long(table, *joint_column, path, options);
  const Header header = read_header(table);
  if (header.named.empty() && header.numbered.empty())
    throw InputError(path + ": no keypoint columns in the header (expected <joint>_x, <joint>_y, ... or x0, y0, ...; "
                     "or frame, landmark, x, y rows)");
  return read_wide(table, header, path, options);
}

}  // namespace lift3d::io
