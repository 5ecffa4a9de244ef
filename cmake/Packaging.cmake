# The Debian package (CPack, DEB generator): `scripts/package.sh` builds it from a Release build;
# packaging/ holds the systemd unit, the default configuration and the maintainer scripts.
# Only the server goes in: no other target of the project has install rules.
include(GNUInstallDirs)
install(TARGETS registrar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Absolute paths: these belong where Debian 12 looks for them whatever the install prefix.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/registrar.service DESTINATION /lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/registrar.toml DESTINATION /etc/registrar
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/registrar)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME registrar)
set(CPACK_PACKAGE_VENDOR "registrar")
set(CPACK_PACKAGE_CONTACT "registrar maintainers <registrar@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "identifiers, identity, authorisation and registry services for digital public infrastructure")
set(CPACK_PACKAGE_INSTALL_DIRECTORY registrar)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# scripts/package.sh and scripts/test-package.sh set the version (a second, higher one to test
# upgrades) with -D CPACK_DEBIAN_PACKAGE_VERSION=...; the default is the project's.
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared libraries from dpkg-shlibdeps; the maintainer scripts need adduser (user creation) and
# init-system-helpers (deb-systemd-helper).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
