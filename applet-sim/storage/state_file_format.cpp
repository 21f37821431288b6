// Encoding and strict decoding of the card state file (see state_file_format.hpp and
// specs/state-format.md).
#include "storage/state_file_format.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"

namespace simkit::sim {

namespace {
using namespace state_format;

void append_u32(secure_bytes& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
void append_u16(secure_bytes& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
uint32_t load_u32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
uint16_t load_u16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// A record name for a message: printable ASCII as is, anything else as \xNN, long names cut.
std::string printable_name(std::string_view name) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < name.size() && i < 80; ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
            out.push_back(static_cast<char>(c));
        } else {
            out += "\\x";
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 0x0F]);
        }
    }
    if (name.size() > 80) out += "...";
    return "'" + out + "'";
}

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
    throw StateError("state file '" + path + "': " + problem);
}

std::string at_byte(std::size_t offset) { return " at byte " + std::to_string(offset); }

// Walks the records area; every read first checks that enough bytes remain.
class RecordReader {
public:
    RecordReader(const uint8_t* data, std::size_t size, const std::string& path)
        : data_(data), size_(size), path_(path) {}

    std::size_t file_offset() const { return kHeaderSize + pos_; }
    std::size_t remaining() const { return size_ - pos_; }

    const uint8_t* take(std::size_t count, uint32_t record_index, const char* field) {
        if (count > remaining()) {
            refuse(path_, "record " + std::to_string(record_index) + " " + field + at_byte(file_offset()) +
                              " needs " + std::to_string(count) + " bytes but the records area has " +
                              std::to_string(remaining()) + " left");
        }
        const uint8_t* p = data_ + pos_;
        pos_ += count;
        return p;
    }

private:
    const uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
    const std::string& path_;
};
}  // namespace

EncodedStateFile encode_state_file(const std::vector<StateRecordView>& sorted_records) {
    EncodedStateFile file;
    std::size_t total = kHeaderSize + kChecksumSize;
    for (std::size_t i = 0; i < sorted_records.size(); ++i) {
        const auto& [name, value] = sorted_records[i];
        if (name.empty() || name.size() > kMaxNameLength) {
            throw StateError("cannot encode state: record name " + printable_name(name) + " must be 1 to " +
                             std::to_string(kMaxNameLength) + " bytes");
        }
        if (i > 0 && !(sorted_records[i - 1].name < name)) {
            throw StateError("cannot encode state: record " + printable_name(name) + " is duplicate or out of order");
        }
        total += 1 + 2 + name.size() + 4 + value->size();
        if (total > kMaxFileSize) {
            throw StateError("cannot encode state: more than " + std::to_string(kMaxFileSize) + " bytes");
        }
    }
    if (sorted_records.size() > UINT32_MAX) throw StateError("cannot encode state: too many records");

    file.content.reserve(total);
    file.content.insert(file.content.end(), std::begin(kMagic), std::end(kMagic));
    append_u16(file.content, kVersion);
    append_u16(file.content, 0);  // flags: none defined in version 1
    append_u32(file.content, static_cast<uint32_t>(sorted_records.size()));
    append_u32(file.content, static_cast<uint32_t>(total - kHeaderSize - kChecksumSize));
    file.segment_ends.push_back(file.content.size());

    for (const auto& [name, value] : sorted_records) {
        file.content.push_back(kBytesRecordKind);
        append_u16(file.content, static_cast<uint16_t>(name.size()));
        file.content.insert(file.content.end(), name.begin(), name.end());
        append_u32(file.content, static_cast<uint32_t>(value->size()));
        file.content.insert(file.content.end(), value->begin(), value->end());
        file.segment_ends.push_back(file.content.size());
    }

    bytes checksum = crypto::sha256(file.content.data(), file.content.size());
    file.content.insert(file.content.end(), checksum.begin(), checksum.end());
    file.segment_ends.push_back(file.content.size());
    return file;
}

secure_bytes encode_state_file(const StateRecords& records) {
    std::vector<StateRecordView> views;
    views.reserve(records.size());
    for (const auto& [name, value] : records) views.push_back({name, &value});
    return encode_state_file(views).content;
}

StateRecords decode_state_records(const uint8_t* data, std::size_t size, uint32_t record_count,
                                  const std::string& path_for_errors) {
    const std::string& path = path_for_errors;
    RecordReader reader(data, size, path);
    StateRecords records;
    std::string_view previous_name;
    for (uint32_t i = 0; i < record_count; ++i) {
        const std::size_t record_offset = reader.file_offset();
        const uint8_t kind = *reader.take(1, i, "kind");
        if (kind != kBytesRecordKind) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", kind);
            refuse(path, std::string("unknown record kind ") + hex + at_byte(record_offset));
        }
        const uint16_t name_length = load_u16(reader.take(2, i, "name length"));
        if (name_length == 0) refuse(path, "record " + std::to_string(i) + " has an empty name" + at_byte(record_offset));
        const uint8_t* name_bytes = reader.take(name_length, i, "name");
        std::string_view name(reinterpret_cast<const char*>(name_bytes), name_length);
        const uint32_t value_length = load_u32(reader.take(4, i, "value length"));
        const uint8_t* value = reader.take(value_length, i, "value");

        if (i > 0 && name == previous_name) {
            refuse(path, "duplicate record " + printable_name(name) + at_byte(record_offset));
        }
        if (i > 0 && name < previous_name) {
            refuse(path, "record " + printable_name(name) + at_byte(record_offset) + " is out of order (after " +
                             printable_name(previous_name) + ")");
        }
        auto inserted = records.emplace_hint(records.end(), std::string(name), secure_bytes(value, value + value_length));
        previous_name = inserted->first;
    }
    if (reader.remaining() != 0) {
        refuse(path, std::to_string(reader.remaining()) + " stray bytes after the last record" +
                         at_byte(reader.file_offset()));
    }
    return records;
}

StateRecords decode_state_file(const uint8_t* data, std::size_t size, const std::string& path_for_errors) {
    const std::string& path = path_for_errors;
    if (size == 0) refuse(path, "empty file (0 bytes)");
    if (size > kMaxFileSize) {
        refuse(path, "too large (" + std::to_string(size) + " bytes, limit " + std::to_string(kMaxFileSize) + ")");
    }
    if (std::memcmp(data, kMagic, std::min(size, sizeof kMagic)) != 0) {
        refuse(path, "bad magic (not a simkit state file)");
    }
    if (size >= sizeof kMagic + 2) {
        const uint16_t version = load_u16(data + 8);
        if (version != kVersion) {
            refuse(path, "unsupported version " + std::to_string(version) + " (this build reads version " +
                             std::to_string(kVersion) + ")");
        }
    }
    if (size < kHeaderSize) {
        refuse(path, "truncated at byte " + std::to_string(size) + " (the header alone is " +
                         std::to_string(kHeaderSize) + " bytes)");
    }
    const uint16_t flags = load_u16(data + 10);
    const uint32_t record_count = load_u32(data + 12);
    const uint32_t records_length = load_u32(data + 16);
    const uint64_t expected_size = uint64_t{kHeaderSize} + records_length + kChecksumSize;
    if (size < expected_size) {
        refuse(path, "truncated at byte " + std::to_string(size) + " (the header announces " +
                         std::to_string(expected_size) + " bytes)");
    }
    if (size > expected_size) {
        refuse(path, std::to_string(size - expected_size) + " unexpected bytes after the checksum" +
                         at_byte(expected_size));
    }
    const std::size_t checksum_offset = kHeaderSize + records_length;
    const bytes checksum = crypto::sha256(data, checksum_offset);
    if (!ct_equal(checksum.data(), checksum.size(), data + checksum_offset, kChecksumSize)) {
        refuse(path, "checksum mismatch (the file is corrupted)");
    }
    if (flags != 0) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%04X", flags);
        refuse(path, std::string("unknown header flags ") + hex);
    }
    return decode_state_records(data + kHeaderSize, records_length, record_count, path);
}

}  // namespace simkit::sim
