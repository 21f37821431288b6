# The installable library: libsimkit.a and libsimkit.so.<major> hold the objects of simkit_core,
# simkit_card (the card runtime, for sim: cards), simkit_host and simkit_capi; `cmake --install`
# (component "library") puts them, the public headers (C++ host API and simkit.h), simkit.pc and the
# CMake package simkit (simkit::simkit shared, simkit::simkit_static) under the prefix.
# The shared-core headers (hostlib/src/core/include/simkit/core/) are internal and never installed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SIMKIT_LIBRARY_PARTS simkit_core simkit_card simkit_host simkit_capi)
set(SIMKIT_LIBRARY_OBJECTS)
foreach(part IN LISTS SIMKIT_LIBRARY_PARTS)
  list(APPEND SIMKIT_LIBRARY_OBJECTS $<TARGET_OBJECTS:${part}>)
endforeach()

add_library(simkit_shared SHARED ${SIMKIT_LIBRARY_OBJECTS})
add_library(simkit_static STATIC ${SIMKIT_LIBRARY_OBJECTS})
set_target_properties(simkit_shared PROPERTIES
  OUTPUT_NAME simkit EXPORT_NAME simkit LINKER_LANGUAGE CXX
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
set_target_properties(simkit_static PROPERTIES
  OUTPUT_NAME simkit EXPORT_NAME simkit_static LINKER_LANGUAGE CXX)
# Every symbol the objects need must come from these libraries: the shared library proves it at
# link time (--no-undefined; not in the sanitizer builds, whose runtime the executable brings), the
# static one passes them on to whoever links it.
if(NOT SIMKIT_SANITIZE AND NOT SIMKIT_FUZZ)
  target_link_options(simkit_shared PRIVATE -Wl,--no-undefined)
endif()
set(SIMKIT_PUBLIC_INCLUDE_DIRS
  ${PROJECT_SOURCE_DIR}/hostlib/include ${PROJECT_SOURCE_DIR}/hostlib/capi/include)
foreach(library simkit_shared simkit_static)
  target_link_libraries(${library} PRIVATE
    OpenSSL::Crypto PkgConfig::PCSCLITE SQLite::SQLite3 Threads::Threads)
  target_include_directories(${library} INTERFACE
    "$<BUILD_INTERFACE:${SIMKIT_PUBLIC_INCLUDE_DIRS}>" $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()
# A C program linking the static library links with the C driver, which does not add the C++ runtime.
target_link_libraries(simkit_static PRIVATE stdc++)

install(TARGETS simkit_shared simkit_static EXPORT simkitTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library NAMELINK_COMPONENT library)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/hostlib/include/simkit
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT library FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_SOURCE_DIR}/hostlib/capi/include/simkit.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT library)

# CMake package: lib/cmake/simkit/ (relocatable: paths are found from the files' own location).
set(SIMKIT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/simkit)
install(EXPORT simkitTargets NAMESPACE simkit:: DESTINATION ${SIMKIT_CMAKE_DIR} COMPONENT library)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/simkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/packaging/simkitConfig.cmake INSTALL_DESTINATION ${SIMKIT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/simkitConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/packaging/simkitConfig.cmake
              ${PROJECT_BINARY_DIR}/packaging/simkitConfigVersion.cmake
  DESTINATION ${SIMKIT_CMAKE_DIR} COMPONENT library)

# pkg-config: lib/pkgconfig/simkit.pc, relocatable too (prefix relative to ${pcfiledir}).
file(RELATIVE_PATH SIMKIT_PC_PREFIX_FROM_PCFILEDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" SIMKIT_PC_PREFIX_FROM_PCFILEDIR "${SIMKIT_PC_PREFIX_FROM_PCFILEDIR}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/simkit.pc.in ${PROJECT_BINARY_DIR}/packaging/simkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/packaging/simkit.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT library)
