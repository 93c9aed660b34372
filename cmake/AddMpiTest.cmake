# add_mpi_test(NAME <name> SOURCES <files...> [LIBRARIES <libs...>] [RANKS 1 2 3 4])
#
# Builds one GoogleTest binary and registers it with ctest once per rank count, as
# <name>.np<P>, run through mpiexec. Works as root (CI) and oversubscribed on 2 cores.
# Tests must be correct for any rank count: the same binary runs at every P.
function(add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBRARIES;RANKS" ${ARGN})
  if(NOT T_RANKS)
    set(T_RANKS 1 2 3 4)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/mpi/mpi_gtest_main.cpp)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBRARIES} conceptlens_mpi GTest::gtest)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
  conceptlens_target_options(${T_NAME})
  foreach(p IN LISTS T_RANKS)
    add_test(NAME ${T_NAME}.np${p}
             COMMAND ${CONCEPTLENS_MPIEXEC} --oversubscribe -n ${p} $<TARGET_FILE:${T_NAME}>)
    set_tests_properties(${T_NAME}.np${p} PROPERTIES
      TIMEOUT ${T_TIMEOUT}
      PROCESSORS ${p}
      LABELS mpi
      ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;CONCEPTLENS_TEST_DATA=${PROJECT_SOURCE_DIR}/tests/data")
  endforeach()
endfunction()

# add_serial_test(NAME <name> SOURCES <files...> [LIBRARIES <libs...>]): a plain GoogleTest binary.
# A test that links LibTorch is left out where CONCEPTLENS_TORCH is OFF.
function(add_serial_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT CONCEPTLENS_TORCH AND ("torch" IN_LIST T_LIBRARIES OR "conceptlens_model" IN_LIST T_LIBRARIES))
    return()
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBRARIES} GTest::gtest GTest::gtest_main)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
  conceptlens_target_options(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS serial
    ENVIRONMENT "CONCEPTLENS_TEST_DATA=${PROJECT_SOURCE_DIR}/tests/data")
endfunction()
