// Reads the CSV of card data for a personalization batch: header, quoted fields, one CardData per
// good row and one RowError per bad row (line number and problem, never a secret's value). Strings
// that held K, OPc, PIN or PUK text are wiped once the row is decoded.
#include "simkit/card_batch.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "simkit/core/uicc_codec.hpp"

namespace simkit::personalize {

namespace {

enum Column : std::size_t { Iccid, Imsi, Ki, Opc, Pin, Puk, DeviceKeySlot, kColumnCount };
constexpr std::array<const char*, kColumnCount> kColumnNames{"iccid", "imsi", "ki", "opc", "pin", "puk", "device_key_slot"};
constexpr std::size_t kRequiredColumns = 4;  // iccid, imsi, ki, opc
constexpr std::size_t kReservedLength = 1024;

// Wipes a string's whole buffer (not only its current size) when it goes out of scope.
class WipedString {
public:
    WipedString() { text.reserve(kReservedLength); }
    ~WipedString() { wipe(); }
    WipedString(const WipedString&) = delete;
    WipedString& operator=(const WipedString&) = delete;
    void wipe() noexcept { secure_wipe(text.data(), text.capacity()); }
    std::string text;
};

// The fields of one row; every field's buffer is wiped when the row is done.
struct WipedFields {
    ~WipedFields() {
        for (auto& field : fields) secure_wipe(field.data(), field.capacity());
    }
    std::vector<std::string> fields;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool all_digits(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Splits one CSV line into `out` (cleared first; each field's buffer sized for the whole line so it
// never reallocates and leaves an unwiped copy). Returns a problem ("unterminated quote") or "".
std::string split_csv_line(const std::string& line, std::vector<std::string>& out) {
    for (auto& field : out) secure_wipe(field.data(), field.capacity());
    out.clear();
    out.reserve(16);  // kept across rows: no reallocation that would free unwiped (short) strings
    std::size_t i = 0;
    const std::size_t n = line.size();
    for (;;) {
        std::string field;
        field.reserve(n);
        while (i < n && is_blank(line[i])) ++i;
        if (i < n && line[i] == '"') {
            ++i;
            bool closed = false;
            while (i < n) {
                if (line[i] == '"') {
                    if (i + 1 < n && line[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                field.push_back(line[i++]);
            }
            out.push_back(std::move(field));
            if (!closed) return "unterminated quote in field " + std::to_string(out.size());
            while (i < n && is_blank(line[i])) ++i;
            if (i < n && line[i] != ',') return "text after the closing quote of field " + std::to_string(out.size());
        } else {
            while (i < n && line[i] != ',') {
                if (line[i] == '"') {
                    out.push_back(std::move(field));
                    return "quote inside unquoted field " + std::to_string(out.size());
                }
                field.push_back(line[i++]);
            }
            while (!field.empty() && is_blank(field.back())) field.pop_back();
            out.push_back(std::move(field));
        }
        if (i >= n) return "";
        ++i;  // the comma
    }
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    return s;
}

// Column name -> position in the row. FormatError for a missing, unknown or repeated column.
std::array<std::optional<std::size_t>, kColumnCount> read_header(const std::vector<std::string>& names,
                                                                  const std::string& where) {
    std::array<std::optional<std::size_t>, kColumnCount> positions{};
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string name = lower(names[i]);
        const auto* found = std::find_if(kColumnNames.begin(), kColumnNames.end(), [&](const char* c) { return name == c; });
        if (found == kColumnNames.end()) {
            throw FormatError(where + "unknown column '" + names[i] +
                              "' (columns: iccid, imsi, ki, opc, pin, puk, device_key_slot)");
        }
        auto& position = positions[static_cast<std::size_t>(found - kColumnNames.begin())];
        if (position) throw FormatError(where + "column '" + name + "' appears twice");
        position = i;
    }
    for (std::size_t c = 0; c < kRequiredColumns; ++c) {
        if (!positions[c]) throw FormatError(where + "required column '" + kColumnNames[c] + "' is missing");
    }
    return positions;
}

void check_iccid(const std::string& iccid, std::vector<std::string>& problems) {
    if (iccid.empty()) {
        problems.push_back("iccid: empty");
    } else if (!all_digits(iccid)) {
        problems.push_back("iccid " + iccid + ": not all decimal digits");
    } else if (iccid.size() < 18 || iccid.size() > 20) {
        problems.push_back("iccid " + iccid + ": " + std::to_string(iccid.size()) + " digits, expected 18..20");
    } else if (!uicc::luhn_valid(iccid)) {
        const char expected = uicc::luhn_check_digit(std::string_view(iccid).substr(0, iccid.size() - 1));
        problems.push_back("iccid " + iccid + ": bad check digit (the Luhn digit is " + std::string(1, expected) + ")");
    }
}

void check_imsi(const std::string& imsi, std::vector<std::string>& problems) {
    if (imsi.empty()) {
        problems.push_back("imsi: empty");
    } else if (!all_digits(imsi)) {
        problems.push_back("imsi " + imsi + ": not all decimal digits");
    } else if (imsi.size() < 6 || imsi.size() > 15) {
        problems.push_back("imsi " + imsi + ": " + std::to_string(imsi.size()) + " digits, expected 6..15");
    }
}

// 32 hex digits -> 16 bytes. The messages name the column and the problem, never the text.
secure_bytes decode_key(const char* column, const std::string& text, std::vector<std::string>& problems) {
    const std::string name(column);
    if (text.empty()) {
        problems.push_back(name + ": empty");
        return {};
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (hex_value(text[i]) < 0) {
            problems.push_back(name + ": not hex (position " + std::to_string(i + 1) + ")");
            return {};
        }
    }
    if (text.size() != 32) {
        problems.push_back(name + ": " + std::to_string(text.size()) + " hex digits, expected 32 (16 bytes)");
        return {};
    }
    secure_bytes key(16);
    for (std::size_t i = 0; i < 16; ++i) {
        key[i] = static_cast<uint8_t>((hex_value(text[2 * i]) << 4) | hex_value(text[2 * i + 1]));
    }
    return key;
}

// A PIN or PUK: `min`..`max` digits; an empty field means none. Messages never show the digits.
std::optional<std::string> check_code(const char* column, const std::string& text, std::size_t min, std::size_t max,
                                      std::vector<std::string>& problems) {
    if (text.empty()) return std::nullopt;
    const std::string expected = min == max ? std::to_string(min) : std::to_string(min) + ".." + std::to_string(max);
    if (!all_digits(text)) {
        problems.push_back(std::string(column) + ": not all decimal digits");
    } else if (text.size() < min || text.size() > max) {
        problems.push_back(std::string(column) + ": " + std::to_string(text.size()) + " digits, expected " + expected);
    } else {
        return text;
    }
    return std::nullopt;
}

std::optional<uint8_t> check_slot(const std::string& text, std::vector<std::string>& problems) {
    if (text.empty()) return std::nullopt;
    const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const std::size_t start = hex ? 2 : 0;
    unsigned value = 0;
    bool ok = text.size() - start <= 8;
    for (std::size_t i = start; ok && i < text.size(); ++i) {
        const int digit = hex ? hex_value(text[i]) : (text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1);
        if (digit < 0) ok = false;
        value = value * (hex ? 16u : 10u) + static_cast<unsigned>(digit);
    }
    if (!ok || value < 1 || value > 255) {
        problems.push_back("device_key_slot '" + text + "': expected 1..255 (decimal or 0x hex)");
        return std::nullopt;
    }
    return static_cast<uint8_t>(value);
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
    return out;
}

// `source` starts every FormatError message: "card batch" or "card batch PATH".
CardBatch read_batch(std::istream& csv, const std::string& source) {
    CardBatch batch;
    WipedString line;
    WipedFields row;
    std::optional<std::array<std::optional<std::size_t>, kColumnCount>> columns;
    std::size_t column_count = 0;
    std::map<std::string, std::size_t> first_line_of_iccid;
    std::size_t number = 0;

    while (std::getline(csv, line.text)) {
        ++number;
        if (number == 1 && line.text.rfind("\xEF\xBB\xBF", 0) == 0) line.text.erase(0, 3);  // UTF-8 BOM
        if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
        const auto first = line.text.find_first_not_of(" \t");
        if (first == std::string::npos || line.text[first] == '#') continue;

        const std::string split_problem = split_csv_line(line.text, row.fields);
        line.wipe();
        if (!columns) {
            const std::string where = source + ": line " + std::to_string(number) + ": ";
            if (!split_problem.empty()) throw FormatError(where + "header: " + split_problem);
            columns = read_header(row.fields, where);
            column_count = row.fields.size();
            continue;
        }
        const std::string where = "line " + std::to_string(number) + ": ";
        if (!split_problem.empty()) {
            batch.errors.push_back({number, where + split_problem});
            continue;
        }
        if (row.fields.size() != column_count) {
            batch.errors.push_back({number, where + std::to_string(row.fields.size()) + " fields, expected " +
                                                std::to_string(column_count)});
            continue;
        }
        const auto field = [&](Column c) -> const std::string& {
            static const std::string none;
            return (*columns)[c] ? row.fields[*(*columns)[c]] : none;
        };

        std::vector<std::string> problems;
        CardData card;
        card.line = number;
        card.iccid = field(Iccid);
        card.imsi = field(Imsi);
        check_iccid(card.iccid, problems);
        check_imsi(card.imsi, problems);
        card.ki = decode_key("ki", field(Ki), problems);
        card.opc = decode_key("opc", field(Opc), problems);
        card.pin = check_code("pin", field(Pin), 4, 8, problems);
        card.puk = check_code("puk", field(Puk), 8, 8, problems);
        card.device_key_slot = check_slot(field(DeviceKeySlot), problems);
        if (!card.iccid.empty() && all_digits(card.iccid)) {
            const auto [it, inserted] = first_line_of_iccid.emplace(card.iccid, number);
            if (!inserted) problems.push_back("iccid " + card.iccid + ": duplicate of line " + std::to_string(it->second));
        }
        if (problems.empty()) {
            batch.cards.push_back(std::move(card));
        } else {
            batch.errors.push_back({number, where + join(problems)});
            if (card.pin) secure_wipe(card.pin->data(), card.pin->capacity());
            if (card.puk) secure_wipe(card.puk->data(), card.puk->capacity());
        }
    }
    if (csv.bad()) throw FormatError(source + ": read error after line " + std::to_string(number));
    if (!columns) throw FormatError(source + ": no header line (expected iccid,imsi,ki,opc[,pin,puk,device_key_slot])");
    return batch;
}

}  // namespace

CardBatch read_card_batch(std::istream& csv) { return read_batch(csv, "card batch"); }

CardBatch read_card_batch_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw FormatError("card batch " + path + ": cannot read: " + std::strerror(errno));
    return read_batch(file, "card batch " + path);
}

}  // namespace simkit::personalize
