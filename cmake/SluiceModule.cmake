# sluice_add_module(NAME LINKS ...): the static library Sluice::NAME made of the .cpp/.h files in the calling
# folder. Headers are included as "NAME/Header.h" (core/ is the include root), so the folder shows in every
# #include.
function(sluice_add_module name)
    cmake_parse_arguments(ARG "" "" "LINKS" ${ARGN})
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
    file(GLOB headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
    if(sources)
        add_library(sluice_${name} STATIC ${sources} ${headers})
        target_include_directories(sluice_${name} PUBLIC ${PROJECT_SOURCE_DIR}/core)
        target_link_libraries(sluice_${name} PUBLIC Sluice::options ${ARG_LINKS})
        set_target_properties(sluice_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    else()
        add_library(sluice_${name} INTERFACE ${headers})
        target_include_directories(sluice_${name} INTERFACE ${PROJECT_SOURCE_DIR}/core)
        target_link_libraries(sluice_${name} INTERFACE Sluice::options ${ARG_LINKS})
    endif()
    add_library(Sluice::${name} ALIAS sluice_${name})
endfunction()
