// Byte strings shared by card and host: `bytes`, zeroizing `secure_bytes`, the one hex
// parser/printer pair, and constant-time comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace simkit {

using bytes = std::vector<uint8_t>;

// Allocator that wipes memory (OPENSSL_cleanse) before releasing it.
template <typename T>
struct ZeroizingAllocator {
    using value_type = T;
    ZeroizingAllocator() noexcept = default;
    template <typename U>
    ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept;
    template <typename U>
    bool operator==(const ZeroizingAllocator<U>&) const noexcept { return true; }
};

void secure_wipe(void* data, std::size_t length) noexcept;

template <typename T>
void ZeroizingAllocator<T>::deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
}

// Key material and PINs: wiped when destroyed or reallocated.
using secure_bytes = std::vector<uint8_t, ZeroizingAllocator<uint8_t>>;

// Parses hex ("A0 00 00"), ignoring spaces and colons; throws FormatError on odd length or non-hex.
bytes from_hex(std::string_view hex);
secure_bytes secure_from_hex(std::string_view hex);
// Upper-case hex without separators.
std::string to_hex(const uint8_t* data, std::size_t length);
std::string to_hex(const bytes& data);
std::string to_hex(const secure_bytes& data);

// Constant-time equality (CRYPTO_memcmp); different lengths compare unequal.
bool ct_equal(const uint8_t* a, std::size_t a_len, const uint8_t* b, std::size_t b_len) noexcept;
template <typename A, typename B>
bool ct_equal(const A& a, const B& b) noexcept {
    return ct_equal(a.data(), a.size(), b.data(), b.size());
}

inline bytes to_bytes(const secure_bytes& s) { return bytes(s.begin(), s.end()); }
inline secure_bytes to_secure(const bytes& b) { return secure_bytes(b.begin(), b.end()); }

// Big-endian helpers.
inline void append_u16(bytes& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
inline uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

}  // namespace simkit
