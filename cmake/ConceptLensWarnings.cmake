# conceptlens_target_options(<target>): the warnings and code generation every project target uses.
function(conceptlens_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion
                                           # GCC 12 false positive inside avx512fintrin.h (Eigen with -march=native)
                                           -Wno-maybe-uninitialized)
  if(CONCEPTLENS_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
  if(CONCEPTLENS_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
option(CONCEPTLENS_SANITIZE "Build with AddressSanitizer and UBSan" OFF)
