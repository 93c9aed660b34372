# The Spack recipe of ConceptLens, kept with its sources (README: installing on a cluster).
#   spack repo add <clone>/spack
#   spack install conceptlens@main ~native      # for the compute nodes' CPUs, built anywhere
#   spack load conceptlens                      # or the module Spack generates for it
# `main` is fetched from the clone that holds this file (git = file://...), so a site needs no
# public mirror; set CONCEPTLENS_GIT to fetch from elsewhere.
import os

from spack.package import *


class Conceptlens(CMakePackage):
    """Latent concept analysis of transformer language models at HPC scale: every word's vector
    at every layer (LibTorch), exact Ward clustering per layer sharded over MPI ranks, alignment
    of the concepts with human and task concepts, and a resumable sweep with an HTML report."""

    git = os.environ.get(
        "CONCEPTLENS_GIT",
        "file://" + os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")),
    )

    version("main", branch="main")

    variant("native", default=False,
            description="Compile for the build machine's CPU (-march=native); off for other nodes' CPUs")

    generator("ninja")

    depends_on("cmake@3.25:", type="build")
    depends_on("ninja", type="build")
    depends_on("mpi")
    depends_on("hdf5@1.10:+mpi")
    depends_on("eigen@3.4:")
    depends_on("boost@1.74:+serialization")
    depends_on("openblas")
    depends_on("py-torch@1.13:")  # LibTorch: its CMake package (Torch) comes with py-torch
    depends_on("sentencepiece")  # loaded by the shim in lib/conceptlens, never linked with LibTorch
    depends_on("nlohmann-json@3.10:")
    depends_on("tomlplusplus@3:")
    depends_on("cli11@2:")
    depends_on("spdlog@1.10:")
    depends_on("googletest", type="test")  # only for `spack install --test=root`

    def cmake_args(self):
        return [
            self.define_from_variant("CONCEPTLENS_NATIVE", "native"),
            self.define("CONCEPTLENS_TESTS", self.run_tests),
            self.define("CONCEPTLENS_BENCH", False),
        ]
