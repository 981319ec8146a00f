// A body template: the mean pose of real motion capture, facing the camera, with how far each joint
// strays from it in real motion. Fitted to the joints a clip shows (body_fill.hpp), it places the
// joints the clip never shows. The numbers come from tools/make_body_template.py
// (body_template_table.cpp); the layouts are the model-side inputs "coco" and "h36m".
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace lift3d::core {

struct TemplateJoint {
  // Metres, in the frame of a camera looking at the person from the front: x the person's left
  // (the image's right), y down, z away from the camera; the pelvis (mid-hips) at the origin.
  std::array<double, 3> position;
  // Root mean square distance (metres) of the joint from its template position over real motion,
  // after a similarity alignment of the whole pose: the fit weighs a joint by 1 / spread^2.
  double spread;
};

struct BodyTemplate {
  std::vector<TemplateJoint> joints;  // in the layout's joint order
};

// Generated tables (body_template_table.cpp).
const BodyTemplate& coco_body_template();
const BodyTemplate& h36m_body_template();

// The template of a keypoint layout, or nullptr when there is none.
const BodyTemplate* body_template(const std::string& layout);

// Which joints of a layout are linked (bones, and the face to the shoulders): a missing joint is
// placed next to its nearest shown neighbour along these links. Empty for a layout without template.
std::vector<std::pair<int, int>> body_template_links(const std::string& layout);

// The torso joints (shoulders and hips) and the head joints (face points) of a layout, by index.
std::vector<int> torso_joints(const std::string& layout);
std::vector<int> head_joints(const std::string& layout);

// The template seen by an orthographic camera after the person turned `yaw_degrees` about the
// vertical (0: facing the camera; positive: towards the image's left): joints x 2, metres.
std::vector<std::array<double, 2>> project_template(const BodyTemplate& body, double yaw_degrees);

}  // namespace lift3d::core
