"""Imports a BVH file with Blender's own importer and writes where Blender puts every bone.

Run headless:  blender -b --factory-startup --python tools/check_bvh_in_blender.py -- CLIP.bvh OUT.json

OUT.json: {"bones": [names in file order], "frames": N, "fps": F,
           "heads": [[[x, y, z] per bone] per frame]}
Positions are the bones' heads (the BVH joints) in world space, turned back from Blender's Z-up
world into the file's own Y-up axes and units (imported with scale 1, forward -Z, up Y: Blender's
defaults), so they compare directly with the positions the file was written from.
"""
import json
import sys

import bpy
from bpy_extras.io_utils import axis_conversion


def open_without_universal_newlines():
    """Debian 12's Blender 3.4.1 runs on Python 3.11, whose open() no longer accepts the mode 'rU'
    its BVH importer uses; every import then fails with "invalid mode: 'rU'". 'r' reads the same
    (Python 3 translates newlines by default), so give the importer an open() that drops the 'U'."""
    from io_anim_bvh import import_bvh
    builtin_open = open
    import_bvh.open = lambda path, mode="r", *args, **kwargs: builtin_open(path, mode.replace("U", ""), *args, **kwargs)


def main():
    args = sys.argv[sys.argv.index("--") + 1:]
    bvh_path, out_path = args[0], args[1]
    bpy.ops.wm.read_factory_settings(use_empty=True)
    open_without_universal_newlines()
    bpy.ops.import_anim.bvh(filepath=bvh_path, global_scale=1.0, frame_start=1, use_fps_scale=False,
                            update_scene_fps=True, update_scene_duration=True, rotate_mode='NATIVE',
                            axis_forward='-Z', axis_up='Y')
    armature = next(o for o in bpy.context.scene.objects if o.type == 'ARMATURE')
    # Blender world = conversion @ file axes; undo it.
    to_file = axis_conversion(from_forward='-Z', from_up='Y').to_4x4().inverted()
    scene = bpy.context.scene
    bones = [bone.name for bone in armature.data.bones]
    # The file's own count: Blender's scene end after the import is one frame past the last.
    with open(bvh_path) as bvh:
        frames = next(int(line.split()[1]) for line in bvh if line.startswith("Frames:"))
    heads = []
    for frame in range(1, frames + 1):
        scene.frame_set(frame)
        world = armature.matrix_world
        heads.append([list(to_file @ (world @ armature.pose.bones[name].head)) for name in bones])
    with open(out_path, "w") as out:
        json.dump({"bones": bones, "frames": frames, "fps": scene.render.fps / scene.render.fps_base,
                   "heads": heads}, out)


main()
