# SLUICE_SANITIZE: a comma-separated -fsanitize= list (e.g. "address,undefined") applied to every Sluice target
# through Sluice::options, compile and link. The asan preset turns it on with float-cast-overflow and makes
# every UBSan finding fatal (-fno-sanitize-recover), so a test that triggers undefined behaviour fails.
# SLUICE_FUZZ (clang only) adds libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link) to the same
# targets and builds fuzz/; see docs/reliability.md.
set(SLUICE_SANITIZE "" CACHE STRING "Sanitizers for every Sluice target, as for -fsanitize= (empty: none)")
option(SLUICE_FUZZ "Build the libFuzzer targets in fuzz/ (clang only; adds fuzzer coverage instrumentation)" OFF)

set(sluice_sanitize "${SLUICE_SANITIZE}")
if(SLUICE_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "SLUICE_FUZZ needs clang (libFuzzer); configure with the fuzz preset (clang++-14)")
    endif()
    if(sluice_sanitize STREQUAL "")
        set(sluice_sanitize "address,undefined")
    endif()
    set(sluice_sanitize "fuzzer-no-link,${sluice_sanitize}")
endif()

if(NOT sluice_sanitize STREQUAL "")
    set(sluice_sanitize_flags -fsanitize=${sluice_sanitize} -fno-omit-frame-pointer)
    if(sluice_sanitize MATCHES "undefined|float-cast-overflow")
        list(APPEND sluice_sanitize_flags -fno-sanitize-recover=undefined,float-cast-overflow)
    endif()
    target_compile_options(sluice_options INTERFACE ${sluice_sanitize_flags})
    target_link_options(sluice_options INTERFACE ${sluice_sanitize_flags})
    message(STATUS "Sluice: sanitizers -fsanitize=${sluice_sanitize}")
endif()
