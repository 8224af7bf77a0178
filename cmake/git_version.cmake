cmake_policy(SET CMP0053 NEW)
# Run at every build (not only at configure time): writes OUT with the git description of SOURCE_DIR,
# touching it only when the description changed, so `atrium --version` names the commit it was built from.
execute_process(COMMAND git describe --always --dirty --tags
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE ATRIUM_GIT_DESCRIPTION
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
file(CONFIGURE OUTPUT ${OUT} CONTENT "#define ATRIUM_GIT_DESCRIPTION \"@ATRIUM_GIT_DESCRIPTION@\"\n" @ONLY)
