# Debian package for admin workstations: `make package` (or `cpack -G DEB` in a build folder) writes
# mlflow-admin_<version>_<arch>.deb. The version is the project's (CMakeLists.txt), as in --version and About.
set(CPACK_PACKAGE_NAME "mlflow-admin")
set(CPACK_PACKAGE_VENDOR "mlflow-admin developers")
set(CPACK_PACKAGE_CONTACT "mlflow-admin developers <maintainers@mlflow-admin.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/mlflowadmin/mlflow-admin")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_INSTALL_DIRECTORY "mlflow-admin")
set(CPACK_PACKAGE_EXECUTABLES "mlflow-admin" "MLflow Admin")

# The other admin workstations (configuration only, not tried here; see packaging/README.md).
if(WIN32)
    # NSIS installer; windeployqt copies Qt's DLLs and plugins next to the programs at install time.
    set(CPACK_GENERATOR "NSIS")
    set(CPACK_NSIS_DISPLAY_NAME "MLflow Admin")
    set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
    set(CPACK_NSIS_MODIFY_PATH ON)
    install(CODE "execute_process(COMMAND windeployqt --no-translations --dir \"\${CMAKE_INSTALL_PREFIX}/bin\"
                                          \"\${CMAKE_INSTALL_PREFIX}/bin/mlflow-admin.exe\")")
elseif(APPLE)
    # An app bundle on a disk image; macdeployqt puts the frameworks and plugins into the bundle.
    set(CPACK_GENERATOR "DragNDrop")
    set(CPACK_DMG_VOLUME_NAME "MLflow Admin")
    install(CODE "execute_process(COMMAND macdeployqt \"\${CMAKE_INSTALL_PREFIX}/mlflow-admin.app\")")
else()
    set(CPACK_GENERATOR "DEB")
endif()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Administration console for MLflow basic-auth servers
 A desktop console (mlflow-admin) and its command-line twin (mlflow-admin-cli)
 for MLflow tracking servers that run MLflow's basic-auth app: users,
 experiments, registered models, roles and a users x experiments access matrix
 that explains every cell; staged changes with undo and review; MLflow 2.x-3.12
 and 3.13+ (roles, workspaces); an embedded MLflow-compatible demo server.")
# The libraries the binaries link are found by dpkg-shlibdeps. What Qt and QtKeychain load by name at run time it
# cannot see: Qt's SQLite driver (every local state file), the SVG image and icon plugins (all icons are SVG), the
# platform plugins (libqt6gui6, already a link dependency) and libsecret, which QtKeychain opens for the keychain.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6svg6, libsecret-1-0")
# A Secret Service provider keeps the passwords; without one the console still works and says so.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager | keepassxc, fonts-dejavu-core")
# Auth databases on PostgreSQL or MySQL/MariaDB, and the console on Wayland.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libqt6sql6-psql, libqt6sql6-mysql, qt6-wayland")
include(CPack)
