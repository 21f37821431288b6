// The byte layout of a card state file (version 1, specs/state-format.md): encoding a sorted set
// of named records, and the strict decoder that refuses anything malformed with a StateError.
// The decoder is a fuzz target: it never trusts a length field beyond the bytes that remain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "simkit/bytes.hpp"

namespace simkit::sim {

// Record name -> value, sorted by name (byte-wise), as a state file holds them.
using StateRecords = std::map<std::string, secure_bytes, std::less<>>;

namespace state_format {
inline constexpr char kMagic[8] = {'S', 'I', 'M', 'K', 'S', 'T', 'A', 'T'};
inline constexpr uint16_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 20;    // magic, version, flags, count, records length
inline constexpr std::size_t kChecksumSize = 32;  // SHA-256 over everything before it
inline constexpr uint8_t kBytesRecordKind = 0x01;
inline constexpr std::size_t kMaxNameLength = 0xFFFF;
// Refused when loading or writing anything larger; a SIM's state is a few kilobytes.
inline constexpr std::size_t kMaxFileSize = 64u * 1024 * 1024;
}  // namespace state_format

// One record to encode; the value is borrowed.
struct StateRecordView {
    std::string_view name;
    const secure_bytes* value;
};

// An encoded state file and where its pieces end, so a commit can write (and be cut) piece by
// piece: segment 0 is the header, then one segment per record, then the checksum.
struct EncodedStateFile {
    secure_bytes content;
    std::vector<std::size_t> segment_ends;
};

// Encodes records that are sorted by name and unique. Throws StateError if a name is empty or
// longer than 65535 bytes, if the order is wrong, or if the file would exceed kMaxFileSize.
EncodedStateFile encode_state_file(const std::vector<StateRecordView>& sorted_records);
secure_bytes encode_state_file(const StateRecords& records);

// Decodes a whole state file. Throws StateError naming `path_for_errors` and the problem (empty
// file, bad magic, unsupported version N, truncated at byte X, checksum mismatch, duplicate
// record...). Anything it accepts re-encodes to exactly the same bytes.
StateRecords decode_state_file(const uint8_t* data, std::size_t size, const std::string& path_for_errors);

// Decodes only the records area (the bytes between header and checksum), expecting
// `record_count` records; offsets in messages are counted from the start of the file. Called by
// decode_state_file after the checksum matched; exposed so a fuzzer can reach the record parser
// without having to forge a SHA-256.
StateRecords decode_state_records(const uint8_t* data, std::size_t size, uint32_t record_count,
                                  const std::string& path_for_errors);

}  // namespace simkit::sim
