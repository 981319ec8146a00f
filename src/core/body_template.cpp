#include "core/body_template.hpp"

#include <cmath>

namespace lift3d::core {
namespace {

constexpr double kPi = 3.14159265358979323846;

// COCO-17: 0 nose, 1/2 left/right eye, 3/4 ears, 5/6 shoulders, 7/8 elbows, 9/10 wrists, 11/12 hips,
// 13/14 knees, 15/16 ankles. The face hangs from the shoulders through the nose.
const std::vector<std::pair<int, int>> kCocoLinks = {
    {0, 1},  {0, 2},  {1, 3},   {2, 4},   {0, 5},   {0, 6},   {5, 6},   {5, 7},   {7, 9},
    {6, 8},  {8, 10}, {5, 11},  {6, 12},  {11, 12}, {11, 13}, {13, 15}, {12, 14}, {14, 16}};

// Human3.6M-17: the skeleton's bones (pelvis 0; right leg 1-3; left leg 4-6; spine 7, thorax 8,
// neck/nose 9, head 10; left arm 11-13; right arm 14-16).
const std::vector<std::pair<int, int>> kH36mLinks = {
    {0, 1}, {1, 2}, {2, 3},  {0, 4},  {4, 5},  {5, 6},   {0, 7},   {7, 8},
    {8, 9}, {9, 10}, {8, 11}, {11, 12}, {12, 13}, {8, 14}, {14, 15}, {15, 16}};

}  // namespace

const BodyTemplate* body_template(const std::string& layout) {
  if (layout == "coco") return &coco_body_template();
  if (layout == "h36m") return &h36m_body_template();
  return nullptr;
}

std::vector<std::pair<int, int>> body_template_links(const std::string& layout) {
  if (layout == "coco") return kCocoLinks;
  if (layout == "h36m") return kH36mLinks;
  return {};
}

std::vector<int> torso_joints(const std::string& layout) {
  if (layout == "coco") return {5, 6, 11, 12};
  if (layout == "h36m") return {11, 14, 4, 1};
  return {};
}

std::vector<int> head_joints(const std::string& layout) {
  if (layout == "coco") return {0, 1, 2, 3, 4};
  if (layout == "h36m") return {9, 10};
  return {};
}

std::vector<std::array<double, 2>> project_template(const BodyTemplate& body, double yaw_degrees) {
  const double yaw = yaw_degrees * kPi / 180.0;
  const double c = std::cos(yaw), s = std::sin(yaw);
  std::vector<std::array<double, 2>> points;
  points.reserve(body.joints.size());
  // A turn about the vertical (the y axis): the person's forward direction (-z) goes to image x = -sin(yaw).
  for (const TemplateJoint& joint : body.joints)
    points.push_back({c * joint.position[0] + s * joint.position[2], joint.position[1]});
  return points;
}

}  // namespace lift3d::core
