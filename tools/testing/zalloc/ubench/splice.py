#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""splice.py BENCHMARKS.md SECTION: put SECTION between make ubench's markers
in BENCHMARKS.md (replacing what was there, or at the end); the rest of the
file is make bench's and stays as it is."""
import sys

BEGIN, END = "<!-- make ubench: begin -->", "<!-- make ubench: end -->"
md = sys.argv[1]
with open(sys.argv[2]) as f:
    section = BEGIN + "\n" + f.read().rstrip("\n") + "\n" + END
try:
    with open(md) as f:
        doc = f.read()
except FileNotFoundError:
    doc = "# zalloc benchmarks\n"
i, j = doc.find(BEGIN), doc.find(END)
if 0 <= i < j:
    doc = doc[:i] + section + doc[j + len(END):]
else:
    doc = doc.rstrip("\n") + "\n\n" + section + "\n"
with open(md, "w") as f:
    f.write(doc)
