# Installs headers, libraries and a CMake package:
#   find_package(NormMLIR CONFIG) ; target_link_libraries(x NormMLIR::NormInitAll)
include(CMakePackageConfigHelpers)

install(TARGETS NormReference EXPORT NormMLIRTargets ARCHIVE DESTINATION lib)

install(DIRECTORY ${NORM_SOURCE_DIR}/include/norm ${NORM_SOURCE_DIR}/include/norm-c
  DESTINATION include
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${NORM_BINARY_DIR}/include/norm
  DESTINATION include
  FILES_MATCHING PATTERN "*.h" PATTERN "*.inc")

set(NORM_INSTALL_CMAKE_DIR lib/cmake/NormMLIR)
install(EXPORT NormMLIRTargets NAMESPACE NormMLIR::
  DESTINATION ${NORM_INSTALL_CMAKE_DIR})
configure_package_config_file(${NORM_SOURCE_DIR}/cmake/NormMLIRConfig.cmake.in
  ${NORM_BINARY_DIR}/NormMLIRConfig.cmake
  INSTALL_DESTINATION ${NORM_INSTALL_CMAKE_DIR})
write_basic_package_version_file(${NORM_BINARY_DIR}/NormMLIRConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${NORM_BINARY_DIR}/NormMLIRConfig.cmake
  ${NORM_BINARY_DIR}/NormMLIRConfigVersion.cmake
  DESTINATION ${NORM_INSTALL_CMAKE_DIR})
