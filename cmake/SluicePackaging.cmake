# Install rules for everything a platform needs (packaging/), and the .deb made from them by CPack.
# `scripts/package.sh [PRESET]` runs it; packaging/README.md says what each file is for and how a Flatpak or an
# AppImage is made from the same rules.
include(GNUInstallDirs)

set(SLUICE_APP_ID app.sluice.Sluice)
set(SLUICE_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(sluice_doc_dir ${CMAKE_INSTALL_DATADIR}/doc/sluice)

# `cmake --install` and cpack install what was built; scripts/package.sh builds just the app and these files
# first, so packaging a tree that has the tests built (the ci preset) never rebuilds or installs them.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# The man page and the changelog go in compressed (gzip -9n: maximum compression, no timestamp).
set(sluice_gz_dir ${CMAKE_BINARY_DIR}/packaging)
set(sluice_gz_files)
foreach(pair "sluice.1;sluice.1.gz" "changelog;changelog.gz")
    list(GET pair 0 source)
    list(GET pair 1 target)
    add_custom_command(OUTPUT ${sluice_gz_dir}/${target}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${sluice_gz_dir}
        COMMAND sh -c "gzip -9n -c \"$1\" > \"$2\"" sh ${SLUICE_PACKAGING_DIR}/${source} ${sluice_gz_dir}/${target}
        DEPENDS ${SLUICE_PACKAGING_DIR}/${source} VERBATIM)
    list(APPEND sluice_gz_files ${sluice_gz_dir}/${target})
endforeach()
add_custom_target(sluice_packaging ALL DEPENDS ${sluice_gz_files})

# Command line and headless service: every build.
install(FILES ${sluice_gz_dir}/sluice.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# systemd looks for user units in <prefix>/lib/systemd/user (/usr/lib/systemd/user for the package).
install(FILES ${SLUICE_PACKAGING_DIR}/sluice.service DESTINATION lib/systemd/user)
install(FILES ${SLUICE_PACKAGING_DIR}/copyright ${sluice_gz_dir}/changelog.gz DESTINATION ${sluice_doc_dir})
# The genai-prices notice, beside the data it covers (the data itself is compiled into the binary).
install(FILES ${PROJECT_SOURCE_DIR}/resources/prices/LICENSE ${PROJECT_SOURCE_DIR}/resources/prices/README.md
    DESTINATION ${sluice_doc_dir}/genai-prices)
if(EXISTS ${PROJECT_SOURCE_DIR}/LICENSE)
    install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${sluice_doc_dir})
endif()

# The desktop app: menu entry, start-at-login entry (copied by `sluice autostart on`), AppStream, icons.
if(SLUICE_BUILD_GUI)
    install(FILES ${SLUICE_PACKAGING_DIR}/${SLUICE_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${SLUICE_PACKAGING_DIR}/${SLUICE_APP_ID}-autostart.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/sluice/autostart RENAME ${SLUICE_APP_ID}.desktop)
    install(FILES ${SLUICE_PACKAGING_DIR}/${SLUICE_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    set(sluice_hicolor ${CMAKE_INSTALL_DATADIR}/icons/hicolor)
    # The application icon: the window's own PNGs (ui/icons) renamed to the id, its SVG as the scalable one.
    foreach(size 16 22 24 32 48 64 128 256)
        install(FILES ${PROJECT_SOURCE_DIR}/ui/icons/sluice-${size}.png
            DESTINATION ${sluice_hicolor}/${size}x${size}/apps RENAME ${SLUICE_APP_ID}.png)
    endforeach()
    install(FILES ${PROJECT_SOURCE_DIR}/ui/icons/sluice.svg
        DESTINATION ${sluice_hicolor}/scalable/apps RENAME ${SLUICE_APP_ID}.svg)
    # 512 px, the symbolic icon and the tray icons (dark glyph for light panels, light glyph for dark panels).
    install(DIRECTORY ${SLUICE_PACKAGING_DIR}/icons/hicolor/ DESTINATION ${sluice_hicolor})
endif()

# The .deb: sluice_VERSION_ARCH.deb in build/<preset>/package/.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VENDOR "The Sluice developers")
set(CPACK_PACKAGE_CONTACT "Sluice developers <packaging@sluice.app>")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE https://sluice.app)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded at run time, so dpkg-shlibdeps cannot see it: the request log is SQLite through Qt's driver plugin.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite")
# A Secret Service keeps provider keys (keychain: references); Wayland sessions want Qt's Wayland plugin.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnome-keyring | keepassxc, qt6-wayland")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "local LLM gateway with a request log and cost dashboard")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Sluice serves one local endpoint, compatible with the OpenAI, Anthropic and
Gemini APIs, that editors, coding agents and scripts use instead of a
provider. It forwards each request to OpenAI and compatible services, Azure
OpenAI, Anthropic, Gemini, Amazon Bedrock or local servers, translating
formats where needed, with retries, fallbacks and circuit breakers.

Provider keys stay in the system keychain and clients use gateway tokens
with model lists, rate limits and spend budgets. Every request is logged in
SQLite with its tokens, timings and cost, and shown live in a tray
application; the same gateway runs headless as a systemd user service.")
include(CPack)
