# install.cmake -- what `cmake --install` (and `make install`) puts where:
# the command, the headers, the shared libraries (versioned soname) and their
# static twins, pkg-config files, a CMake package (find_package(dval) with
# imported targets dval::dval and dval::dval_plot), the man page dval(1)
# generated from the command's own help, and the bundled data.  PREFIX and
# DESTDIR are honoured as usual.
include(CMakePackageConfigHelpers)

install(TARGETS dval dval_plot EXPORT dvalTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS dval_static dval_plot_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS dval_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/dval.h ${PROJECT_SOURCE_DIR}/include/dval_plot.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/data/adult_4000.csv.gz ${PROJECT_SOURCE_DIR}/data/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/dval)

# pkg-config: dval (the core) and dval_plot (the figures, over cairo).  The
# paths are relative to the .pc file, so an installed tree can be moved.
file(RELATIVE_PATH DV_PC_UP /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
foreach(pc dval dval_plot)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

# The CMake package.  Before 1.0 only the same major.minor is compatible.
set(DV_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dval)
install(EXPORT dvalTargets NAMESPACE dval:: DESTINATION ${DV_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dvalConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/dvalConfig.cmake
                              INSTALL_DESTINATION ${DV_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dvalConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dvalConfig.cmake ${PROJECT_BINARY_DIR}/dvalConfigVersion.cmake
        DESTINATION ${DV_CMAKE_DIR})

# dval(1): the text of `dval help` and of every command's --help.
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/dval.1
                   COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/manpage.sh $<TARGET_FILE:dval_cli>
                           ${PROJECT_VERSION} ${PROJECT_BINARY_DIR}/dval.1
                   DEPENDS dval_cli ${PROJECT_SOURCE_DIR}/scripts/manpage.sh
                   COMMENT "dval.1 from dval's help")
add_custom_target(dval_man ALL DEPENDS ${PROJECT_BINARY_DIR}/dval.1)
install(FILES ${PROJECT_BINARY_DIR}/dval.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The MPI transport, when built: libdval_mpi.a and dval_mpi.h (link it with
# libdval and the MPI library, e.g. with mpicc).
if(TARGET dval_mpi)
  install(TARGETS dval_mpi ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/include/dval_mpi.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
