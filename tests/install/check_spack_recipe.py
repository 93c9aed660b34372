"""Checks spack/packages/conceptlens/package.py against the build it describes (Spack itself is
not installable here): it parses as Python; every CMake variable it defines is an option() of
CMakeLists.txt; every package cmake/ConceptLensDependencies.cmake finds has a depends_on; the
install layout it documents (lib/conceptlens) is the one CMakeLists.txt installs to.
Usage: check_spack_recipe.py SOURCE_DIR. Exit 0 or 1 with the mismatches."""
import ast
import pathlib
import re
import sys

source = pathlib.Path(sys.argv[1])
recipe_path = source / "spack" / "packages" / "conceptlens" / "package.py"
recipe = recipe_path.read_text()
tree = ast.parse(recipe, str(recipe_path))
cmake = (source / "CMakeLists.txt").read_text()
dependencies = (source / "cmake" / "ConceptLensDependencies.cmake").read_text()
problems = []

classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
if [c.name for c in classes] != ["Conceptlens"] or classes[0].bases[0].id != "CMakePackage":
    problems.append("expected one class Conceptlens(CMakePackage)")

calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))]
def name(call):
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr
def first_string(call):
    return call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else None

options = set(re.findall(r"^option\((\w+)", cmake, re.M))
for call in calls:
    if name(call) in ("define", "define_from_variant") and first_string(call) not in options:
        problems.append(f"the recipe defines {first_string(call)}, which CMakeLists.txt has no option() for")
variants = {first_string(c) for c in calls if name(c) == "variant"}
for call in calls:
    if name(call) == "define_from_variant" and call.args[1].value not in variants:
        problems.append(f"define_from_variant uses the undeclared variant {call.args[1].value}")

depends = {re.split(r"[@+~ ]", first_string(c))[0] for c in calls if name(c) == "depends_on"}
# find_package name -> Spack package
spack_name = {"MPI": "mpi", "HDF5": "hdf5", "Eigen3": "eigen", "OpenBLAS": "openblas", "Boost": "boost",
              "Torch": "py-torch", "nlohmann_json": "nlohmann-json", "tomlplusplus": "tomlplusplus",
              "CLI11": "cli11", "spdlog": "spdlog", "GTest": "googletest"}
for package in re.findall(r"find_package\((\w+)", dependencies):
    if package not in spack_name:
        problems.append(f"ConceptLensDependencies.cmake finds {package}: map it to a Spack package here and in the recipe")
    elif spack_name[package] not in depends:
        problems.append(f"ConceptLensDependencies.cmake finds {package}, the recipe has no depends_on('{spack_name[package]}')")
if "find_library(CONCEPTLENS_SENTENCEPIECE_LIBRARY" in (source / "src" / "CMakeLists.txt").read_text() and "sentencepiece" not in depends:
    problems.append("src/CMakeLists.txt needs libsentencepiece, the recipe has no depends_on('sentencepiece')")
if "CMAKE_INSTALL_LIBDIR}/conceptlens" not in cmake:
    problems.append("CMakeLists.txt no longer installs the shim into lib/conceptlens, as the recipe's notes say")

for problem in problems:
    print("spack recipe:", problem)
print(f"spack recipe: {len(depends)} dependencies, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
