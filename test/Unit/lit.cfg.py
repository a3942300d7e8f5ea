# -*- Python -*-
# Runs every GoogleTest binary under <build>/unittests as part of check-norm.

import os

import lit.formats

config.name = "NORM-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.norm_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
