// The UICC file commands (ETSI TS 102 221 11.1): SELECT by FID, parent, path and ADF name, READ and
// UPDATE BINARY (with SFI), READ and UPDATE RECORD, STATUS, VERIFY of PIN1 and ADM1. specs/usim.md.
#include <algorithm>

#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"
#include "uicc/fcp.hpp"
#include "uicc/file_system.hpp"

namespace simkit::sim::uicc {

namespace {
constexpr uint8_t kInsSelect = 0xA4;
constexpr uint8_t kInsReadBinary = 0xB0;
constexpr uint8_t kInsUpdateBinary = 0xD6;
constexpr uint8_t kInsReadRecord = 0xB2;
constexpr uint8_t kInsUpdateRecord = 0xDC;
constexpr uint8_t kInsStatus = 0xF2;
constexpr uint8_t kInsVerify = 0x20;
constexpr uint8_t kKeyRefAdm1 = 0x0A;

// SELECT P2 (TS 102 221 11.1.1.2): 04 FCP, 0C no data; 00 (FCI) is answered with the FCP too.
bool wants_fcp(uint8_t p2) {
    if (p2 == 0x00 || p2 == 0x04) return true;
    if (p2 == 0x0C) return false;
    throw SwError(sw::kIncorrectP1P2, "SELECT P2");
}

uint16_t fid_at(const bytes& data, std::size_t i) {
    return static_cast<uint16_t>((data[i] << 8) | data[i + 1]);
}

void require(Access access, const FilePosition& position) {
    switch (access) {
        case Access::Always: return;
        case Access::Pin1:
            if (position.pin1.verified) return;
            break;
        case Access::Adm1:
            if (position.adm1.verified) return;
            break;
        case Access::Never: break;
    }
    throw SwError(sw::kSecurityStatusNotSatisfied);
}

// The EF's content: its record, sized to the EF (a shorter or longer record is padded with FF or cut).
bytes content_of(const PersistentState& state, const FileNode& ef) {
    const secure_bytes* stored = state.get(ef.record);
    bytes out = stored != nullptr ? to_bytes(*stored) : ef.factory;
    out.resize(ef.size, 0xFF);
    return out;
}

void no_data(const CommandApdu& apdu) {
    if (!apdu.data().empty()) throw SwError(sw::kWrongLength);
}

// An EF addressed by SFI (TS 102 221 8.3) becomes the current EF.
const FileNode& ef_by_sfi(FilePosition& position, uint8_t sfi) {
    const FileNode* ef = position.df->child_by_sfi(sfi);
    if (ef == nullptr) throw SwError(sw::kFileNotFound, "SFI");
    if (position.ef != ef) position.record = 0;
    position.ef = ef;
    return *ef;
}

const FileNode& current_ef(const FilePosition& position) {
    if (position.ef == nullptr) throw SwError(sw::kCommandNotAllowedNoEf);
    return *position.ef;
}

// READ/UPDATE BINARY addressing: P1 b8 set -> SFI in b5-b1 (b7-b6 zero) and offset P2; otherwise the
// current EF and a 15-bit offset.
std::pair<const FileNode*, std::size_t> binary_target(const CommandApdu& apdu, FilePosition& position) {
    if ((apdu.p1() & 0x80) != 0) {
        if ((apdu.p1() & 0x60) != 0) throw SwError(sw::kIncorrectP1P2);
        return {&ef_by_sfi(position, apdu.p1() & 0x1F), apdu.p2()};
    }
    return {&current_ef(position), static_cast<std::size_t>(apdu.p1p2() & 0x7FFF)};
}

// READ/UPDATE RECORD addressing: P2 b8-b4 SFI (0 current EF), b3-b1 the mode.
const FileNode& record_target(const CommandApdu& apdu, FilePosition& position) {
    const uint8_t sfi = apdu.p2() >> 3;
    if (sfi == 0x1F) throw SwError(sw::kIncorrectP1P2);
    const FileNode& ef = sfi != 0 ? ef_by_sfi(position, sfi) : current_ef(position);
    if (ef.structure != EfStructure::LinearFixed) throw SwError(sw::kIncompatibleFileStructure);
    return ef;
}

bytes record_bytes(const bytes& content, const FileNode& ef, uint8_t number) {
    const auto begin = content.begin() + static_cast<std::ptrdiff_t>(std::size_t{ef.record_length} * (number - 1));
    return bytes(begin, begin + ef.record_length);
}
}  // namespace

FileSystem::FileSystem()
    : adm1_(PinRecords{records::kAdm1, records::kAdm1Tries, "", ""}) {}

void FileSystem::write_factory_defaults(PersistentState& state) const {
    tree_.write_factory_defaults(state);
    const std::string adm(records::kDefaultAdm1);
    state.put(records::kAdm1, secure_bytes(adm.begin(), adm.end()));
    state.put(records::kAdm1Tries, secure_bytes{records::kAdm1MaxTries, records::kAdm1MaxTries});
}

void FileSystem::add_missing_records(PersistentState& state) const {
    tree_.add_missing_records(state);
    if (state.get(records::kAdm1) == nullptr) {
        const std::string adm(records::kDefaultAdm1);
        state.put(records::kAdm1, secure_bytes(adm.begin(), adm.end()));
    }
    if (state.get(records::kAdm1Tries) == nullptr) {
        state.put(records::kAdm1Tries, secure_bytes{records::kAdm1MaxTries, records::kAdm1MaxTries});
    }
}

FilePosition FileSystem::initial_position() const {
    FilePosition p;
    p.df = &tree_.mf();
    return p;
}

bool FileSystem::is_file_select(const CommandApdu& apdu, const ClaInfo& cla) noexcept {
    const uint8_t p1 = apdu.p1();
    return cla.kind == ClaKind::Interindustry && apdu.ins() == kInsSelect &&
           (p1 == 0x00 || p1 == 0x03 || p1 == 0x08 || p1 == 0x09);
}

bool FileSystem::handles(const CommandApdu& apdu, const ClaInfo& cla) noexcept {
    switch (apdu.ins()) {
        case kInsStatus: return true;
        case kInsSelect:
        case kInsReadBinary:
        case kInsUpdateBinary:
        case kInsReadRecord:
        case kInsUpdateRecord:
        case kInsVerify: return cla.kind == ClaKind::Interindustry;
        default: return false;
    }
}

ResponseApdu FileSystem::process(CommandContext& ctx, FilePosition& position) const {
    if (ctx.cla.secure_messaging) throw SwError(sw::kSecureMessagingNotSupported);
    if (ctx.cla.chaining) throw SwError(sw::kChainingNotSupported);
    if (position.df == nullptr) position = initial_position();
    switch (ctx.apdu.ins()) {
        case kInsSelect: return select(ctx, position);
        case kInsReadBinary: return read_binary(ctx, position);
        case kInsUpdateBinary: return update_binary(ctx, position);
        case kInsReadRecord: return read_record(ctx, position);
        case kInsUpdateRecord: return update_record(ctx, position);
        case kInsStatus: return status(ctx, position);
        case kInsVerify: return verify(ctx, position);
        default: throw SwError(sw::kInsNotSupported);
    }
}

ResponseApdu FileSystem::select_adf(const CommandApdu& apdu, FilePosition& position, const FileNode& adf) const {
    const uint8_t p2 = apdu.p2();
    if ((p2 & 0xF0) != 0 || (p2 & 0x0C) == 0x08) throw SwError(sw::kIncorrectP1P2, "SELECT P2");
    if (apdu.data().size() > 16) throw SwError(sw::kWrongLength);
    const uint8_t occurrence = p2 & 0x03;  // one ADF: first = last; next/previous of it: none
    if ((occurrence == 0x02 || occurrence == 0x03) && position.active && position.df == &adf) {
        throw SwError(sw::kFileNotFound);
    }
    position.active = true;
    position.df = &adf;
    position.ef = nullptr;
    position.adf = &adf;
    position.record = 0;
    if ((p2 & 0x0C) == 0x0C) return ResponseApdu::ok();
    return ResponseApdu::ok(fcp_of(adf));
}

ResponseApdu FileSystem::select(CommandContext& ctx, FilePosition& position) const {
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.p1() == 0x04) {  // by name, while the file system is current
        const FileNode* adf = apdu.data().empty() ? nullptr : adf_by_name(apdu.data());
        if (adf == nullptr) throw SwError(sw::kFileNotFound);
        return select_adf(apdu, position, *adf);
    }
    const bool fcp = wants_fcp(apdu.p2());
    const bytes& data = apdu.data();
    const FileNode* mf = &tree_.mf();
    const FileNode* current_adf = position.adf;
    const FileNode* found = nullptr;

    switch (apdu.p1()) {
        case 0x00: {  // by FID (TS 102 221 8.4.1 search order)
            if (data.empty()) {
                found = mf;
                break;
            }
            if (data.size() != 2) throw SwError(sw::kWrongLength);
            const uint16_t fid = fid_at(data, 0);
            const FileNode* df = position.df;
            if (fid == kMfFid) {
                found = mf;
            } else if (fid == kCurrentAdfFid) {
                found = current_adf;
            } else if (df->kind != FileKind::Adf && df->fid == fid) {
                found = df;
            } else if ((found = df->child(fid)) == nullptr && df->parent != nullptr) {
                const FileNode* parent = df->parent;
                if (parent->kind != FileKind::Adf && parent->fid == fid) found = parent;
                else found = parent->child(fid);
            }
            break;
        }
        case 0x03:  // parent DF of the current DF
            if (!data.empty()) throw SwError(sw::kWrongLength);
            found = position.df->parent;
            break;
        case 0x08:    // path from the MF, without 3F00
        case 0x09: {  // path from the current DF
            if (data.empty() || data.size() % 2 != 0) throw SwError(sw::kWrongLength);
            const FileNode* at = apdu.p1() == 0x08 ? mf : position.df;
            for (std::size_t i = 0; i < data.size() && at != nullptr; i += 2) {
                if (!at->is_df()) {
                    at = nullptr;  // an EF in the middle of the path
                    break;
                }
                const uint16_t fid = fid_at(data, i);
                at = (i == 0 && fid == kCurrentAdfFid) ? current_adf : at->child(fid);
            }
            found = at;
            break;
        }
        default: throw SwError(sw::kIncorrectP1P2, "SELECT P1");
    }
    if (found == nullptr) throw SwError(sw::kFileNotFound);

    position.active = true;
    position.record = 0;
    if (found->is_df()) {
        position.df = found;
        position.ef = nullptr;
        if (found->kind == FileKind::Adf) position.adf = found;
    } else {
        position.df = found->parent;
        position.ef = found;
    }
    if (!fcp) return ResponseApdu::ok();
    return ResponseApdu::ok(fcp_of(*found));
}

ResponseApdu FileSystem::read_binary(CommandContext& ctx, FilePosition& position) const {
    const CommandApdu& apdu = ctx.apdu;
    no_data(apdu);
    const auto [ef, offset] = binary_target(apdu, position);
    if (ef->structure != EfStructure::Transparent) throw SwError(sw::kIncompatibleFileStructure);
    require(ef->read, position);
    if (offset >= ef->size) throw SwError(sw::kWrongP1P2, "offset beyond the end of the file");
    const bytes content = content_of(ctx.state, *ef);
    const std::size_t available = ef->size - offset;
    const std::size_t n = apdu.has_le() ? std::min(apdu.ne(), available) : available;
    const auto begin = content.begin() + static_cast<std::ptrdiff_t>(offset);
    return ResponseApdu::ok(bytes(begin, begin + static_cast<std::ptrdiff_t>(n)));
}

ResponseApdu FileSystem::update_binary(CommandContext& ctx, FilePosition& position) const {
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.data().empty()) throw SwError(sw::kWrongLength);
    const auto [ef, offset] = binary_target(apdu, position);
    if (ef->structure != EfStructure::Transparent) throw SwError(sw::kIncompatibleFileStructure);
    require(ef->update, position);
    if (offset >= ef->size) throw SwError(sw::kWrongP1P2, "offset beyond the end of the file");
    if (apdu.data().size() > ef->size - offset) throw SwError(sw::kWrongLength, "data beyond the end of the file");
    bytes content = content_of(ctx.state, *ef);
    std::copy(apdu.data().begin(), apdu.data().end(), content.begin() + static_cast<std::ptrdiff_t>(offset));
    ctx.state.put(ef->record, to_secure(content));
    return ResponseApdu::ok();
}

ResponseApdu FileSystem::read_record(CommandContext& ctx, FilePosition& position) const {
    const CommandApdu& apdu = ctx.apdu;
    no_data(apdu);
    const uint8_t mode = apdu.p2() & 0x07;
    if (mode != 0x02 && mode != 0x03 && mode != 0x04) throw SwError(sw::kIncorrectP1P2, "READ RECORD mode");
    if (mode != 0x04 && apdu.p1() != 0x00) throw SwError(sw::kIncorrectP1P2, "next/previous need P1 00");
    const FileNode& ef = record_target(apdu, position);
    require(ef.read, position);
    int number = 0;
    if (mode == 0x04) {
        number = apdu.p1() != 0 ? apdu.p1() : position.record;  // absolute; P1 00: the current record
    } else if (mode == 0x02) {
        number = position.record + 1;                           // next (first without a current one)
    } else {
        number = position.record != 0 ? position.record - 1 : ef.record_count;  // previous (or last)
    }
    if (number < 1 || number > ef.record_count) throw SwError(sw::kRecordNotFound);
    if (mode != 0x04) position.record = static_cast<uint8_t>(number);  // absolute mode keeps the pointer
    return ResponseApdu::ok(record_bytes(content_of(ctx.state, ef), ef, static_cast<uint8_t>(number)));
}

ResponseApdu FileSystem::update_record(CommandContext& ctx, FilePosition& position) const {
    const CommandApdu& apdu = ctx.apdu;
    if ((apdu.p2() & 0x07) != 0x04) throw SwError(sw::kIncorrectP1P2, "UPDATE RECORD supports absolute mode (04)");
    const FileNode& ef = record_target(apdu, position);
    require(ef.update, position);
    if (apdu.data().size() != ef.record_length) throw SwError(sw::kWrongLength, "record length");
    const int number = apdu.p1() != 0 ? apdu.p1() : position.record;
    if (number < 1 || number > ef.record_count) throw SwError(sw::kRecordNotFound);
    bytes content = content_of(ctx.state, ef);
    std::copy(apdu.data().begin(), apdu.data().end(),
              content.begin() + static_cast<std::ptrdiff_t>(std::size_t{ef.record_length} * (number - 1)));
    ctx.state.put(ef.record, to_secure(content));
    return ResponseApdu::ok();
}

ResponseApdu FileSystem::status(CommandContext& ctx, FilePosition& position) const {
    const CommandApdu& apdu = ctx.apdu;
    no_data(apdu);
    if (apdu.p1() > 0x02) throw SwError(sw::kIncorrectP1P2, "STATUS P1");
    switch (apdu.p2()) {
        case 0x00: return ResponseApdu::ok(fcp_of(*position.df));
        case 0x01: {  // DF name of the current application
            const FileNode* adf = position.adf;
            if (adf == nullptr) throw SwError(sw::kReferencedDataNotFound, "no application selected");
            return ResponseApdu::ok(encode_tlv(0x84, adf->aid));
        }
        case 0x0C: return ResponseApdu::ok();
        default: throw SwError(sw::kIncorrectP1P2, "STATUS P2");
    }
}

ResponseApdu FileSystem::verify(CommandContext& ctx, FilePosition& position) const {
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.p2() != kKeyRefAdm1) return pin1_.verify(ctx, position.pin1);  // 01 (81); others 6A88
    // ADM1: the same PIN component on the card/pin/adm1 records. The component knows the PIN by the
    // user PIN's reference, so it sees the command with P2 01.
    const CommandApdu as_pin = CommandApdu::make(apdu.cla(), apdu.ins(), apdu.p1(), 0x01, apdu.data(), apdu.ne(),
                                                 apdu.is_extended());
    CommandContext adm_ctx{as_pin, ctx.cla, ctx.state, ctx.session, ctx.installed};
    return adm1_.verify(adm_ctx, position.adm1);
}

}  // namespace simkit::sim::uicc
