# SPDX-License-Identifier: MIT
#
# Autodiff for CMake: compiles a YAML model to C with the `autodiff` tool and adds the C, the kernels
# it needs and their include folders to a target. See docs/cmake.md.
#
#   include(Autodiff)            # or include(path/to/Autodiff.cmake); `autodiff cmake-module` prints it
#   autodiff_add_model(firmware models/tiny.yaml BOARD host [KERNELS auto|portable|cmsis|armv7em]
#                      [OUT dir] [OPTIONS --ram-budget 64K ...])
#
# AUTODIFF_TOOL: the command that runs the tool, a CMake list so `dotnet;path/Autodiff.Tool.dll` works;
# `autodiff` on PATH (a `dotnet tool install`ed tool) by default.
# Needs CMake 3.20 (DEPFILE with Ninja and Makefiles).

cmake_minimum_required(VERSION 3.20)

set(AUTODIFF_TOOL "autodiff" CACHE STRING "Command that runs the autodiff tool (a list: e.g. dotnet;/path/Autodiff.Tool.dll)")
set(AUTODIFF_BOARD "host" CACHE STRING "Default board of autodiff_add_model")

function(autodiff_add_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 AD "" "BOARD;KERNELS;OUT" "OPTIONS")
  if(NOT AD_BOARD)
    set(AD_BOARD "${AUTODIFF_BOARD}")
  endif()
  if(NOT AD_KERNELS)
    set(AD_KERNELS auto)
  endif()
  if(NOT AD_OUT)
    set(AD_OUT "${CMAKE_CURRENT_BINARY_DIR}/autodiff")
  endif()
  get_filename_component(model "${model}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(AD_OUT "${AD_OUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  # The tool runs in the top build folder and is given the output folder relative to it, so the
  # targets it writes into NAME.d read like the outputs Ninja knows (it compares them as text).
  file(RELATIVE_PATH out_relative "${CMAKE_BINARY_DIR}" "${AD_OUT}")
  set(generate ${AUTODIFF_TOOL} generate "${model}" --board "${AD_BOARD}" --kernels "${AD_KERNELS}" --out "${out_relative}" ${AD_OPTIONS})

  # The model's name names the outputs, and the kernel list decides what else to compile, so both
  # are needed now: the model is compiled once while configuring, and again by the build when it changes.
  execute_process(COMMAND ${AUTODIFF_TOOL} name "${model}"
    OUTPUT_VARIABLE name ERROR_VARIABLE name_error RESULT_VARIABLE status OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "autodiff: cannot read the model name of ${model} with '${AUTODIFF_TOOL}' (set AUTODIFF_TOOL): ${name}${name_error}")
  endif()
  execute_process(COMMAND ${generate} WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
    OUTPUT_VARIABLE output ERROR_VARIABLE error RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "autodiff: ${model} does not compile:\n${error}${output}")
  endif()

  set(dir "${AD_OUT}/${name}")
  set(kernel_list "${dir}/${name}.kernels.txt")
  add_custom_command(
    OUTPUT "${dir}/${name}.c" "${dir}/${name}.h"
    COMMAND ${generate}
    DEPENDS "${model}"
    DEPFILE "${dir}/${name}.d"
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
    COMMENT "Autodiff: generating ${name} from ${model}"
    VERBATIM)

  # The tool rewrites the list only when it changes (a model edit that needs another kernel family):
  # CMake then configures again and compiles the new kernels.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${kernel_list}")
  file(STRINGS "${kernel_list}" entries)
  set(sources "")
  set(includes "${dir}")
  set(defines "")
  foreach(entry IN LISTS entries)
    if(entry MATCHES "^source (.+)$")
      list(APPEND sources "${CMAKE_MATCH_1}")
    elseif(entry MATCHES "^include (.+)$")
      list(APPEND includes "${CMAKE_MATCH_1}")
    elseif(entry MATCHES "^define (.+)$")
      list(APPEND defines "${CMAKE_MATCH_1}")
    endif()
  endforeach()

  target_sources(${target} PRIVATE "${dir}/${name}.c" "${dir}/${name}.h")
  # Two models of one firmware share kernel files; a target compiles each source once.
  get_target_property(existing ${target} SOURCES)
  foreach(source IN LISTS sources)
    if(NOT source IN_LIST existing)
      target_sources(${target} PRIVATE "${source}")
    endif()
  endforeach()
  target_include_directories(${target} PRIVATE ${includes})
  target_compile_definitions(${target} PRIVATE ${defines})
  # The generated C and the kernels call libm (expf, sqrtf) where there is one to link.
  if(UNIX)
    target_link_libraries(${target} PRIVATE m)
  endif()
endfunction()
