// Everything a program that embeds lift3d needs: link with lift3d::lift3d (find_package(lift3d)).
#pragma once

#include "lift3d/error.hpp"
#include "lift3d/evaluation.hpp"
#include "lift3d/keypoint_files.hpp"
#include "lift3d/model.hpp"
#include "lift3d/sequence.hpp"
#include "lift3d/version.hpp"
