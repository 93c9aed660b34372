# conceptlens_target_options(<target>): the warnings and code generation every project target uses.
function(conceptlens_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion
                                           # GCC 12 false positive inside avx512fintrin.h (Eigen with -march=native)
                                           $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  if(CONCEPTLENS_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
  if(CONCEPTLENS_SANITIZE)
    # AddressSanitizer + UndefinedBehaviorSanitizer. Undefined behaviour aborts the process
    # (no recovery), so a test cannot pass over a report; line tables give the reports file:line.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=undefined
                                             -fno-omit-frame-pointer
                                             $<IF:$<CXX_COMPILER_ID:Clang>,-gline-tables-only,-g1>)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
option(CONCEPTLENS_SANITIZE "Build with AddressSanitizer and UBSan (tests/sanitize/README.md)" OFF)
