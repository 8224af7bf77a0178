#!/usr/bin/python3
"""Each folder of src/ is a layer (a static library in CMakeLists.txt that names the layers it uses);
this checks that no source includes a header of a layer its library does not name, and that the
named graph has no cycle. Exit 1 with one line per breach.

  /usr/bin/python3 scripts/check-layers.py build/layers.txt"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def main(graph_file):
    graph = {}
    for line in open(graph_file):
        if ":" in line:
            name, deps = line.split(":", 1)
            graph[name.strip()] = set(deps.split())
    problems = []
    folders = {d for d in os.listdir(os.path.join(ROOT, "src")) if os.path.isdir(os.path.join(ROOT, "src", d))}
    for missing in sorted(folders - set(graph)):
        problems.append(f"src/{missing} is not a layer in CMakeLists.txt")
    for layer in sorted(graph):
        folder = os.path.join(ROOT, "src", layer)
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                m = re.match(r'#include "([a-z_]+)/', line)
                if m and m.group(1) != layer and m.group(1) not in graph[layer]:
                    problems.append(f"src/{layer}/{name}:{n} includes {m.group(1)}/, which layer {layer} does not name")
    # No cycle: depth-first search over the named graph.
    state = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                problems.append("cycle: " + " -> ".join(path + [node, dep]))
            elif dep not in state:
                visit(dep, path + [node])
        state[node] = "done"
    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
