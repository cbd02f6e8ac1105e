# Test discovery for doctest_discover_tests(), replacing doctest 2.4.9's doctestAddTests.cmake
# (tests/CMakeLists.txt points doctest's module at this file). It takes the same -D variables and
# writes the same kind of CTest file, but:
#   * test case names may contain ';', '[', ']', ',' and '\' (doctest's script splits a name with
#     ';' into two tests that match nothing, and mangles ',' in labels);
#   * each CTest entry also filters by its TEST_SUITE, so two test cases with the same name in
#     different suites run separately;
#   * labels (the suite names, with ADD_LABELS) cost one run of the binary per suite, not one per
#     test case, which matters under the sanitizers;
#   * with CACHET_TEST_PER_SUITE set (by the wrapper tests/CMakeLists.txt writes), each TEST_SUITE
#     is one CTest entry, run by one process, instead of one per test case: under the sanitizers
#     a process takes 20-50 ms to start, times ~550 test cases.
cmake_minimum_required(VERSION 3.21)

if(NOT EXISTS "${TEST_EXECUTABLE}")
  message(FATAL_ERROR "Specified test executable '${TEST_EXECUTABLE}' does not exist")
endif()

# Names travel through CMake lists, where ';' separates and '[' ']' group. Encode them while the
# names are list elements and decode them when a name is written out.
string(ASCII 1 semi)
string(ASCII 2 lbracket)
string(ASCII 3 rbracket)

function(decode out in)
  string(REPLACE "${semi}" ";" in "${in}")
  string(REPLACE "${lbracket}" "[" in "${in}")
  string(REPLACE "${rbracket}" "]" in "${in}")
  set(${out} "${in}" PARENT_SCOPE)
endfunction()

# A doctest filter that matches exactly `name`: ',' and '\' are escaped (doctest splits filters at
# ','), and ';' becomes the one-character wildcard '?' so no ';' reaches the command line.
function(filter_for out encoded)
  decode(name "${encoded}")
  string(REPLACE "\\" "\\\\" name "${name}")
  string(REPLACE "," "\\," name "${name}")
  string(REPLACE ";" "?" name "${name}")
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

# Runs the test binary with ARGN and sets `out` to the list (encoded) of names it printed.
function(list_names out)
  execute_process(
    COMMAND ${TEST_EXECUTOR} "${TEST_EXECUTABLE}" ${ARGN} --no-colors
    OUTPUT_VARIABLE output
    RESULT_VARIABLE result
    WORKING_DIRECTORY "${TEST_WORKING_DIR}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR
      "Error running test executable '${TEST_EXECUTABLE}' ${ARGN}:\n"
      "  Result: ${result}\n  Output: ${output}\n")
  endif()
  string(REPLACE ";" "${semi}" output "${output}")
  string(REPLACE "[" "${lbracket}" output "${output}")
  string(REPLACE "]" "${rbracket}" output "${output}")
  string(REPLACE "\r" "" output "${output}")
  string(REPLACE "\n" ";" lines "${output}")
  set(names "")
  foreach(line IN LISTS lines)
    if(line STREQUAL "" OR line MATCHES "^=+$" OR line MATCHES "^${lbracket}doctest${rbracket} ")
      continue()
    endif()
    list(APPEND names "${line}")
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# Quotes one argument for the generated CTest file.
function(quote out value)
  set(eq "=")
  while(value MATCHES "]${eq}]")
    string(APPEND eq "=")
  endwhile()
  set(${out} "[${eq}[${value}]${eq}]" PARENT_SCOPE)
endfunction()

set(spec_args "")
if(TEST_SPEC)
  set(spec_args "--test-case=${TEST_SPEC}")
endif()

list_names(all_cases ${spec_args} --list-test-cases)
list_names(suites ${spec_args} --list-test-suites)
set(suite_index 0)
foreach(suite IN LISTS suites)
  filter_for(suite_filter "${suite}")
  list_names(cases_${suite_index} ${spec_args} "--test-suite=${suite_filter}" --list-test-cases)
  math(EXPR suite_index "${suite_index} + 1")
endforeach()

set(script "")
set(tests "")
set(seen "")

# Appends to `script` the add_test() and set_tests_properties() of the entry `name` that runs the
# binary with `filters` (quoted already), labelled `labels`, and the entry to `tests`.
function(add_entry name filters labels)
  quote(q_name "${name}")
  set(line "add_test(${q_name}")
  foreach(arg IN LISTS TEST_EXECUTOR)
    quote(q "${arg}")
    string(APPEND line " ${q}")
  endforeach()
  quote(q "${TEST_EXECUTABLE}")
  string(APPEND line " ${q} ${filters}")
  if(TEST_JUNIT_OUTPUT_DIR)
    string(REGEX REPLACE "[][/\\:\"|<>;]" "-" file_name "${name}")
    quote(q "--out=${TEST_JUNIT_OUTPUT_DIR}/${file_name}.xml")
    string(APPEND line " --reporters=junit ${q}")
  endif()
  foreach(arg IN LISTS TEST_EXTRA_ARGS)
    quote(q "${arg}")
    string(APPEND line " ${q}")
  endforeach()
  string(APPEND script "${line})\n")

  quote(q_dir "${TEST_WORKING_DIR}")
  set(line "set_tests_properties(${q_name} PROPERTIES WORKING_DIRECTORY ${q_dir}")
  foreach(property IN LISTS TEST_PROPERTIES)
    quote(q "${property}")
    string(APPEND line " ${q}")
  endforeach()
  if(NOT "${labels}" STREQUAL "")
    quote(q "${labels}")
    string(APPEND line " LABELS ${q}")
  endif()
  string(APPEND script "${line})\n")
  string(APPEND tests " ${q_name}")
  set(script "${script}" PARENT_SCOPE)
  set(tests "${tests}" PARENT_SCOPE)
endfunction()

if(CACHET_TEST_PER_SUITE)
  foreach(suite IN LISTS suites)
    decode(suite_name "${suite}")
    filter_for(suite_filter "${suite}")
    quote(q "--test-suite=${suite_filter}")
    set(labels "")
    if(TEST_ADD_LABELS)
      set(labels "${suite_name}")
    endif()
    add_entry("${TEST_PREFIX}${suite_name}${TEST_SUFFIX}" "${q}" "${labels}")
  endforeach()
endif()

foreach(case IN LISTS all_cases)
  list(FIND seen "${case}" already)
  if(NOT already EQUAL -1)
    continue()
  endif()
  list(APPEND seen "${case}")

  # The suites this name appears in; none for a test case outside any TEST_SUITE.
  set(case_suites "")
  set(suite_index 0)
  foreach(suite IN LISTS suites)
    list(FIND cases_${suite_index} "${case}" found)
    if(NOT found EQUAL -1)
      list(APPEND case_suites "${suite}")
    endif()
    math(EXPR suite_index "${suite_index} + 1")
  endforeach()
  if(NOT case_suites)
    set(case_suites "-")  # placeholder for "no suite"
  elseif(CACHET_TEST_PER_SUITE)
    continue()  # its suite's entry runs it
  endif()

  decode(case_name "${case}")
  filter_for(case_filter "${case}")
  foreach(suite IN LISTS case_suites)
    # Arguments are quoted one by one, never gathered in a list: a name with an unbalanced '['
    # would stop a list from splitting.
    quote(filters "--test-case=${case_filter}")
    set(labels "")
    if(NOT suite STREQUAL "-")
      filter_for(suite_filter "${suite}")
      quote(q "--test-suite=${suite_filter}")
      string(APPEND filters " ${q}")
      if(TEST_ADD_LABELS)
        decode(labels "${suite}")
      endif()
    endif()
    add_entry("${TEST_PREFIX}${case_name}${TEST_SUFFIX}" "${filters}" "${labels}")
  endforeach()
endforeach()

if(TEST_LIST)
  string(APPEND script "set(${TEST_LIST}${tests})\n")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
