// The static UICC file tree and its factory contents (see file_tree.hpp, specs/usim.md).
#include "uicc/file_tree.hpp"

#include <functional>

#include "simkit/errors.hpp"
#include "simkit/tlv.hpp"
#include "simkit/core/uicc_codec.hpp"

namespace simkit::sim::uicc {

const bytes kUsimAid = from_hex("A0000000871002FFFFFFFF8907090000");

const FileNode* FileNode::child(uint16_t id) const noexcept {
    for (const auto& c : children) {
        if (c->kind != FileKind::Adf && c->fid == id) return c.get();
    }
    return nullptr;
}

const FileNode* FileNode::child_by_sfi(uint8_t id) const noexcept {
    if (id == 0) return nullptr;
    for (const auto& c : children) {
        if (c->kind == FileKind::Ef && c->sfi == id) return c.get();
    }
    return nullptr;
}

const FileNode* FileNode::application() const noexcept {
    for (const FileNode* n = this; n != nullptr; n = n->parent) {
        if (n->kind == FileKind::Adf) return n;
    }
    return nullptr;
}

namespace {
std::string hex4(uint16_t fid) { return to_hex(bytes{static_cast<uint8_t>(fid >> 8), static_cast<uint8_t>(fid)}); }

FileNode& add_df(FileNode& parent, FileKind kind, uint16_t fid, std::string name, bytes aid = {}) {
    auto node = std::make_unique<FileNode>();
    node->kind = kind;
    node->fid = fid;
    node->name = std::move(name);
    node->aid = std::move(aid);
    node->parent = &parent;
    parent.children.push_back(std::move(node));
    return *parent.children.back();
}

// Records are named after the DF path: uicc/ef/3F00/2FE2, uicc/ef/ADF.USIM/6F07.
std::string record_name(const FileNode& df, uint16_t fid) {
    std::string where = df.kind == FileKind::Adf ? df.name : hex4(df.fid);
    return "uicc/ef/" + where + "/" + hex4(fid);
}

void add_transparent(FileNode& df, uint16_t fid, std::string name, uint8_t sfi, Access read, Access update,
                     bytes content) {
    auto node = std::make_unique<FileNode>();
    node->fid = fid;
    node->name = std::move(name);
    node->structure = EfStructure::Transparent;
    node->size = content.size();
    node->sfi = sfi;
    node->read = read;
    node->update = update;
    node->record = record_name(df, fid);
    node->factory = std::move(content);
    node->parent = &df;
    df.children.push_back(std::move(node));
}

void add_linear_fixed(FileNode& df, uint16_t fid, std::string name, uint8_t sfi, Access read, Access update,
                      uint8_t record_length, const std::vector<bytes>& records) {
    auto node = std::make_unique<FileNode>();
    node->fid = fid;
    node->name = std::move(name);
    node->structure = EfStructure::LinearFixed;
    node->record_length = record_length;
    node->record_count = static_cast<uint8_t>(records.size());
    node->size = std::size_t{record_length} * records.size();
    node->sfi = sfi;
    node->read = read;
    node->update = update;
    node->record = record_name(df, fid);
    for (bytes r : records) {
        if (r.size() > record_length) throw ArgumentError("EF " + node->name + ": record longer than its length");
        r.resize(record_length, 0xFF);
        node->factory.insert(node->factory.end(), r.begin(), r.end());
    }
    node->parent = &df;
    df.children.push_back(std::move(node));
}

void walk(const FileNode& node, const std::function<void(const FileNode&)>& visit) {
    if (node.kind == FileKind::Ef) visit(node);
    for (const auto& c : node.children) walk(*c, visit);
}
}  // namespace

FileTree::FileTree() : mf_(std::make_unique<FileNode>()) {
    FileNode& mf = *mf_;
    mf.kind = FileKind::Mf;
    mf.fid = kMfFid;
    mf.name = "MF";

    // TS 102 221 13.2: EF.ICCID, SFI 02.
    add_transparent(mf, 0x2FE2, "EF.ICCID", 0x02, Access::Always, Access::Adm1, simkit::uicc::encode_iccid(kDefaultIccid));
    // TS 102 221 13.1: EF.DIR, SFI 1E: application template 61 { 4F AID, 50 label }. Record 2 is free.
    const bytes usim_template = encode_tlv(0x61, {encode_tlv(0x4F, kUsimAid), encode_tlv(0x50, bytes{'U', 'S', 'I', 'M'})});
    add_linear_fixed(mf, 0x2F00, "EF.DIR", 0x1E, Access::Always, Access::Adm1, 0x20, {usim_template, bytes{}});
    // TS 102 221 13.5: EF.PL, SFI 05: preferred languages, "en", then free entries.
    add_transparent(mf, 0x2F05, "EF.PL", 0x05, Access::Always, Access::Pin1, from_hex("656EFFFFFFFFFFFFFFFF"));

    FileNode& usim = add_df(mf, FileKind::Adf, 0x0000, "ADF.USIM", kUsimAid);
    // TS 31.102 4.2.2: EF.IMSI, SFI 07.
    add_transparent(usim, 0x6F07, "EF.IMSI", 0x07, Access::Always, Access::Adm1, simkit::uicc::encode_imsi(kDefaultImsi));
    // TS 31.102 4.2.18: EF.AD, SFI 03: normal operation, no additional information, MNC of 2 digits.
    add_transparent(usim, 0x6FAD, "EF.AD", 0x03, Access::Always, Access::Adm1, from_hex("00000002"));
    // TS 31.102 4.2.8: EF.UST, SFI 04: service 27 (GSM access) only; bit 3 of byte 4.
    add_transparent(usim, 0x6F38, "EF.UST", 0x04, Access::Always, Access::Adm1, from_hex("0000000400000000"));
    // TS 31.102 4.2.4: EF.KEYS, SFI 08: KSI 07 (no key available), CK and IK all FF.
    bytes keys{0x07};
    keys.resize(33, 0xFF);
    add_transparent(usim, 0x6F08, "EF.KEYS", 0x08, Access::Always, Access::Pin1, keys);
    // TS 31.102 4.2.17: EF.LOCI, SFI 0B: no TMSI, LAI 001-01 with LAC FFFE (deleted), location
    // update status 01 (not updated).
    add_transparent(usim, 0x6F7E, "EF.LOCI", 0x0B, Access::Always, Access::Pin1, from_hex("FFFFFFFF00F110FFFEFF01"));
}

const FileNode* FileTree::adf_by_name(const bytes& name) const noexcept {
    if (name.size() < 5) return nullptr;
    for (const auto& c : mf_->children) {
        if (c->kind != FileKind::Adf || name.size() > c->aid.size()) continue;
        if (std::equal(name.begin(), name.end(), c->aid.begin())) return c.get();
    }
    return nullptr;
}

std::vector<const FileNode*> FileTree::elementary_files() const {
    std::vector<const FileNode*> out;
    walk(*mf_, [&](const FileNode& ef) { out.push_back(&ef); });
    return out;
}

void FileTree::write_factory_defaults(PersistentState& state) const {
    for (const FileNode* ef : elementary_files()) state.put(ef->record, to_secure(ef->factory));
}

void FileTree::add_missing_records(PersistentState& state) const {
    for (const FileNode* ef : elementary_files()) {
        if (state.get(ef->record) == nullptr) state.put(ef->record, to_secure(ef->factory));
    }
}

}  // namespace simkit::sim::uicc
