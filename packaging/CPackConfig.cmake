# Debian package for admin workstations: `make package` or `cpack -G DEB` in the build folder.
set(CPACK_PACKAGE_NAME "mlflow-admin")
set(CPACK_PACKAGE_VENDOR "mlflow-admin developers")
set(CPACK_PACKAGE_CONTACT "mlflow-admin developers <maintainers@mlflow-admin.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded at run time with dlopen(), so dpkg-shlibdeps cannot see them.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libsecret-1-0")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring, fonts-dejavu-core")
include(CPack)
