# Cross-compiling for 64-bit Arm Linux with Debian's multiarch toolchain
# (crossbuild-essential-arm64, libssl-dev:arm64, libpcsclite-dev:arm64, libsqlite3-dev:arm64):
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake
# Programs run under qemu-aarch64 (qemu-user) with the arm64 loader and libraries.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch, no sysroot: arm64 libraries live in /usr/lib/aarch64-linux-gnu, which find_library and
# find_package search through this architecture name; headers in /usr/include serve every
# architecture (the arm64 specifics are in /usr/include/aarch64-linux-gnu, which the cross compiler
# searches itself), so header-only packages such as nlohmann-json3-dev are found as usual.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config (libpcsclite, libcrypto) reads the arm64 .pc files and the architecture-independent ones.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
