# Helpers shared by every norm-mlir library target.

set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set_property(GLOBAL PROPERTY NORM_EXPORTED_TARGETS "")

# Gives a library the project's include paths and compile flags, an
# NormMLIR::<name> alias (the same name embedders see after find_package),
# and puts it into the installed CMake package.
function(norm_add_library_target name)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${NORM_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${NORM_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  llvm_update_compile_flags(${name})
  add_library(NormMLIR::${name} ALIAS ${name})
  install(TARGETS ${name} EXPORT NormMLIRTargets
    ARCHIVE DESTINATION lib
    LIBRARY DESTINATION lib)
  set_property(GLOBAL APPEND PROPERTY NORM_EXPORTED_TARGETS ${name})
endfunction()

# AddressSanitizer + UndefinedBehaviorSanitizer over the project's own code
# (libMLIR / libLLVM stay as installed): every library, tool and test is
# built instrumented and undefined behaviour aborts. The test suite runs as
# usual: cmake -DNORM_ENABLE_SANITIZERS=ON ...; cmake --build . --target
# check-norm.
option(NORM_ENABLE_SANITIZERS
  "Build everything with -fsanitize=address,undefined" OFF)
if(NORM_ENABLE_SANITIZERS)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
