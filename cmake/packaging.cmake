# `make package`: a Debian package of the binary, the viewer, the model, /etc/atrium/atrium.json
# and a hardened systemd unit (packaging/). Dependencies come from dpkg-shlibdeps.
include(GNUInstallDirs)
# cpack packages what is built (make package builds first); it never rebuilds during a test.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
install(TARGETS atrium RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/viewer/dist/ DESTINATION ${CMAKE_INSTALL_DATADIR}/atrium/viewer
        FILES_MATCHING PATTERN "*.html" PATTERN "*.js" PATTERN "*.css" PATTERN "*.map")
install(FILES ${CMAKE_SOURCE_DIR}/models/cardiac_unet.onnx ${CMAKE_SOURCE_DIR}/models/cardiac_unet.onnx.json
              ${CMAKE_SOURCE_DIR}/models/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/atrium/models)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/config/atrium.example.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/packaging/atrium.json DESTINATION /etc/atrium)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/atrium.service DESTINATION /lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME atrium)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Atrium developers <atrium@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "cardiac imaging archive: DICOM, DICOMweb, browser viewer, cardiac MR analysis")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")  # useradd in postinst
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/postinst ${CMAKE_SOURCE_DIR}/packaging/prerm ${CMAKE_SOURCE_DIR}/packaging/postrm
    ${CMAKE_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)  # the debug information stays in the build tree
include(CPack)
