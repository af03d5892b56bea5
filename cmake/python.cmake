# python.cmake -- the Python package (python/dval, over libdval through
# ctypes).  In the build tree it is BUILD/python/dval, which finds the
# build's library (PYTHONPATH=BUILD/python is all it takes); installed, it
# goes to DV_PYTHON_DIR under the prefix (Debian's python3 reads
# /usr/local/lib/python3/dist-packages) and finds the installed library
# relative to itself.
set(DV_PYTHON_DIR lib/python3/dist-packages CACHE STRING
    "where make install puts the Python package, relative to the prefix")
file(GLOB DV_PY_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/python/dval/*.py)
foreach(f ${DV_PY_FILES})
  get_filename_component(name ${f} NAME)
  configure_file(${f} ${PROJECT_BINARY_DIR}/python/dval/${name} COPYONLY)
endforeach()
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/python/dval/_paths.py
     CONTENT "# where the build tree's libdval is (written by CMake)\nLIBDIR = \"$<TARGET_FILE_DIR:dval>\"\n")
file(RELATIVE_PATH DV_PY_TO_LIB /p/${DV_PYTHON_DIR}/dval /p/${CMAKE_INSTALL_LIBDIR})
file(WRITE ${PROJECT_BINARY_DIR}/python_install/_paths.py
     "# where the installed libdval is, relative to this package (written by CMake)\nLIBDIR = \"${DV_PY_TO_LIB}\"\n")
install(FILES ${DV_PY_FILES} ${PROJECT_BINARY_DIR}/python_install/_paths.py
        DESTINATION ${DV_PYTHON_DIR}/dval)
