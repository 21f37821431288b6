// The UICC file tree of the simulated card (ETSI TS 102 221, 3GPP TS 31.102): MF with EF.ICCID,
// EF.DIR and EF.PL, and ADF.USIM with EF.IMSI, EF.AD, EF.UST, EF.KEYS and EF.LOCI. The layout is
// static (files are neither created nor deleted); each EF's content is one record of the card's
// persistent state. specs/usim.md documents the tree, the access conditions and the records.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::uicc {

enum class FileKind : uint8_t { Mf, Df, Adf, Ef };
enum class EfStructure : uint8_t { Transparent, LinearFixed };
// Who may do an operation: anyone, after VERIFY of PIN1 (key reference 01) or of ADM1 (0A), nobody.
enum class Access : uint8_t { Always, Pin1, Adm1, Never };

struct FileNode {
    FileKind kind = FileKind::Ef;
    uint16_t fid = 0;   // 3F00, 2FE2 ...; an ADF has none of its own (7FFF selects the current one)
    std::string name;   // "MF", "EF.ICCID", "ADF.USIM" (logs, records, specs)
    bytes aid;          // ADF only: its DF name
    // EF only.
    EfStructure structure = EfStructure::Transparent;
    std::size_t size = 0;        // transparent: bytes; linear fixed: record_length * record_count
    uint8_t record_length = 0;   // linear fixed
    uint8_t record_count = 0;    // linear fixed
    uint8_t sfi = 0;             // short file identifier 01..1E, 0 = none
    Access read = Access::Always;
    Access update = Access::Adm1;
    std::string record;          // persistent-state record holding the content
    bytes factory;               // content of a fresh card (exactly `size` bytes)

    const FileNode* parent = nullptr;
    std::vector<std::unique_ptr<FileNode>> children;

    bool is_df() const noexcept { return kind != FileKind::Ef; }
    // The child with this FID, or nullptr.
    const FileNode* child(uint16_t fid) const noexcept;
    // The EF child with this SFI, or nullptr.
    const FileNode* child_by_sfi(uint8_t sfi) const noexcept;
    // The ADF this file is in (itself for an ADF), or nullptr for files under the MF only.
    const FileNode* application() const noexcept;
};

// Identifiers and factory contents (specs/usim.md).
inline constexpr uint16_t kMfFid = 0x3F00;
inline constexpr uint16_t kCurrentAdfFid = 0x7FFF;
// USIM AID (ETSI TS 101 220 annex E): RID A000000087 (3GPP), application code 1002 (USIM), country
// code FFFF (none), application provider code FFFF89, provider field 07090000.
extern const bytes kUsimAid;
inline constexpr const char* kDefaultIccid = "8988211000000000003";  // 898821100000000000 + Luhn 3
inline constexpr const char* kDefaultImsi = "001010123456789";        // test PLMN 001-01

class FileTree {
public:
    // The standard tree of a simkit card.
    FileTree();
    const FileNode& mf() const noexcept { return *mf_; }
    // The ADF whose AID starts with `name` (at least 5 bytes, the RID), or nullptr.
    const FileNode* adf_by_name(const bytes& name) const noexcept;
    // Every EF, depth first.
    std::vector<const FileNode*> elementary_files() const;

    // Factory content of every EF into a fresh state; and, for a state from an older simkit, the
    // content of every EF the state lacks (an existing record is never changed).
    void write_factory_defaults(PersistentState& state) const;
    void add_missing_records(PersistentState& state) const;

private:
    std::unique_ptr<FileNode> mf_;
};

}  // namespace simkit::sim::uicc
