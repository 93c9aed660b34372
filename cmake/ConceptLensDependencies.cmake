# Every dependency of the design card, found from Debian 12 packages and used through
# imported targets. See README.md for the apt-get line that installs them.

find_package(MPI REQUIRED COMPONENTS C CXX)              # MPI::MPI_C, MPI::MPI_CXX

set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)                 # hdf5::hdf5
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "ConceptLens needs parallel HDF5 (Debian: libhdf5-openmpi-dev); "
                      "found a serial build at ${HDF5_INCLUDE_DIRS}")
endif()
# FindHDF5 gives plain variables for the compiler-wrapper path; wrap them in one target.
if(NOT TARGET conceptlens::hdf5)
  add_library(conceptlens::hdf5 INTERFACE IMPORTED)
  target_include_directories(conceptlens::hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
  target_link_libraries(conceptlens::hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)
  target_compile_definitions(conceptlens::hdf5 INTERFACE ${HDF5_C_DEFINITIONS} H5_USE_110_API)
endif()

find_package(Eigen3 3.4 REQUIRED NO_MODULE)              # Eigen3::Eigen
# OpenBLAS's config file gives plain variables; wrap them in one target.
find_package(OpenBLAS 0.3 REQUIRED CONFIG)                 # conceptlens::openblas
if(NOT TARGET conceptlens::openblas)
  add_library(conceptlens::openblas INTERFACE IMPORTED)
  target_include_directories(conceptlens::openblas SYSTEM INTERFACE ${OpenBLAS_INCLUDE_DIRS})
  target_link_libraries(conceptlens::openblas INTERFACE ${OpenBLAS_LIBRARIES})
endif()
find_package(Boost 1.74 REQUIRED COMPONENTS serialization) # Boost::serialization
if(CONCEPTLENS_TORCH)
  find_package(Torch REQUIRED)                           # torch (used by the extraction stage)
endif()
find_package(nlohmann_json 3.10 REQUIRED)                # nlohmann_json::nlohmann_json
find_package(tomlplusplus 3 REQUIRED)                    # tomlplusplus::tomlplusplus
find_package(CLI11 2 REQUIRED)                           # CLI11::CLI11
find_package(spdlog 1.10 REQUIRED)                       # spdlog::spdlog
if(CONCEPTLENS_TESTS)
  find_package(GTest REQUIRED)                           # GTest::gtest, GTest::gtest_main
endif()

find_program(CONCEPTLENS_MPIEXEC NAMES ${MPIEXEC_EXECUTABLE} mpiexec mpirun REQUIRED)
