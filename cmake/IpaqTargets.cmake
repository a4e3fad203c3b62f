# Shared target settings for ipaq. Flags are target-scoped; nothing is set globally.

# ipaq_target_defaults(<target>): warnings, sanitizers, and per-ISA flags for kernel files.
# A source file named *_avx2.cc is compiled for AVX2+FMA, *_avx512.cc for AVX-512 (F/BW/DQ/VL/VBMI/VNNI/
# VPOPCNTDQ); every other file is portable x86-64. The level actually run is chosen at run time
# (lib/core/simd_level.h), so the default build runs on any x86-64 CPU.
function(ipaq_target_defaults target)
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    return()
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(IPAQ_SANITIZE)
    # GCC 12's -Wmaybe-uninitialized misfires inside libstdc++'s <regex>/<functional> when the
    # sanitizers instrument them (seen in lib/codecs/codec_spec.cc, clean in the Release build), so it is
    # off in this build only; the Release build keeps every -Wall -Wextra warning.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined -Wno-maybe-uninitialized)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
  get_target_property(_srcs ${target} SOURCES)
  foreach(_src IN LISTS _srcs)
    if(_src MATCHES "_avx2\\.cc$")
      set_source_files_properties(${_src} TARGET_DIRECTORY ${target} PROPERTIES
        COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-mbmi2;-mpopcnt")
    elseif(_src MATCHES "_avx512\\.cc$")
      set_source_files_properties(${_src} TARGET_DIRECTORY ${target} PROPERTIES
        COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-mbmi2;-mpopcnt;-mavx512f;-mavx512bw;-mavx512dq;-mavx512vl;-mavx512vbmi;-mavx512vnni;-mavx512vpopcntdq")
    endif()
  endforeach()
endfunction()

# ipaq_add_test(<name> SOURCES ... LIBS ...): a GoogleTest executable registered with CTest.
function(ipaq_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE IPAQ_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
  ipaq_target_defaults(${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
endfunction()
