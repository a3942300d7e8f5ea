"""Checks norm_mlir._schema against norm_bundle_schema.h (and the order of
its lists against norm_runtime.h's enums); exits 1 naming every difference.

Usage: schema.test.py norm_bundle_schema.h norm_runtime.h
"""

import re
import sys

from norm_mlir import _schema, runtime

schema_header, runtime_header = (open(path).read() for path in sys.argv[1:3])
errors = []

# Every definition of the schema header is `#define NORM_<NAME> <value>`
# with a string or integer value; anything else (but the include guard) is
# a line this test cannot read, and so an error.
header = {}
for line in schema_header.splitlines():
    if not line.startswith("#define"):
        continue
    match = re.fullmatch(r'#define\s+NORM_(\w+)\s+("[^"\\]*"|\d+)'
                         r'\s*(/\*.*\*/)?\s*', line)
    if match:
        name, value = match.group(1), match.group(2)
        header[name] = value[1:-1] if value.startswith('"') else int(value)
    elif line.split()[1:2] != ["NORM_RUNTIME_NORM_BUNDLE_SCHEMA_H"]:
        errors.append(f"cannot read the header's line '{line}'")

python = {name: value for name, value in vars(_schema).items()
          if name.isupper() and isinstance(value, (str, int))}
for name, value in sorted(header.items()):
    if name not in python:
        errors.append(f"NORM_{name} ({value!r}) has no {name} in _schema.py")
    elif python[name] != value or type(python[name]) is not type(value):
        errors.append(f"{name} is {python[name]!r} in _schema.py, NORM_{name} "
                      f"is {value!r} in the header")
for name in sorted(set(python) - set(header)):
    errors.append(f"_schema.py's {name} is not NORM_{name} of the header")


def enum_order(c_type, prefix):
    """Names (without `prefix`) of the enum `c_type`, by value."""
    body = re.search(r"typedef enum %s \{(.*?)\}" % c_type, runtime_header,
                     re.S)
    if not body:
        errors.append(f"norm_runtime.h has no enum {c_type}")
        return []
    pairs = re.findall(r"\b%s(\w+)\s*=\s*(\d+)" % prefix, body.group(1))
    return [name for name, _ in sorted(pairs, key=lambda p: int(p[1]))]


for list_name, c_type, enum_prefix, name_prefix in [
        ("DTYPES", "norm_dtype", "NORM_DTYPE_", "DTYPE_NAME_"),
        ("ROLES", "norm_tensor_role", "NORM_ROLE_", "ROLE_NAME_"),
        ("SCHEMES", "norm_quant_scheme", "NORM_SCHEME_", "SCHEME_NAME_")]:
    order = enum_order(c_type, enum_prefix)
    want = [header.get(name_prefix + name) for name in order]
    got = getattr(_schema, list_name)
    if got != want:
        errors.append(f"_schema.{list_name} is {got}, the header's names in "
                      f"{c_type}_t order are {want}")
    named = sorted(n for n in header if n.startswith(name_prefix))
    if sorted(name_prefix + name for name in order) != named:
        errors.append(f"{c_type}_t's values {order} and the header's "
                      f"{name_prefix}* {named} differ")
    # The binding indexes these very lists with the C enums' values.
    if getattr(runtime, list_name) is not got:
        errors.append(f"norm_mlir.runtime.{list_name} is not _schema's")

if errors:
    for error in errors:
        print("schema mismatch:", error)
    sys.exit(1)
print(f"schema: {len(header)} constants agree (format version "
      f"{header['BUNDLE_FORMAT_VERSION']})")
print(f"schema: {len(_schema.DTYPES)} dtypes, {len(_schema.ROLES)} roles, "
      f"{len(_schema.SCHEMES)} schemes in enum order")
