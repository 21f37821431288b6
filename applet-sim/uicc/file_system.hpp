// The card's UICC file system as a component of the card runtime (not an applet): one static tree
// per card, one FilePosition per logical channel. The runtime (runtime/card.cpp) routes SELECT by
// FID/path/parent, SELECT of ADF.USIM by AID, READ/UPDATE BINARY, READ/UPDATE RECORD, STATUS and
// VERIFY here while the file system is a channel's current selection. specs/usim.md.
#pragma once

#include <string>

#include "pin/user_pin.hpp"
#include "runtime/applet.hpp"
#include "uicc/file_tree.hpp"

namespace simkit::sim::uicc {

// Volatile, per logical channel.
struct FilePosition {
    bool active = false;               // the file system is the channel's current selection
    const FileNode* df = nullptr;      // current DF/ADF (the MF after reset)
    const FileNode* ef = nullptr;      // current EF, or nullptr
    const FileNode* adf = nullptr;     // last ADF selected on the channel (FID 7FFF)
    uint8_t record = 0;                // current record of the current EF (0: none)
    PinStatus pin1;                    // VERIFY PIN1 (card/pin/user) done on this channel
    PinStatus adm1;                    // VERIFY ADM1 (card/pin/adm1) done on this channel
};

namespace records {
inline constexpr const char* kAdm1 = "card/pin/adm1";              // 8 ASCII digits
inline constexpr const char* kAdm1Tries = "card/pin/adm1/tries";   // 2 bytes: left, max
inline constexpr const char* kDefaultAdm1 = "88888888";
inline constexpr uint8_t kAdm1MaxTries = 10;
}  // namespace records

class FileSystem {
public:
    FileSystem();

    const FileTree& tree() const noexcept { return tree_; }
    // The EF records and card/pin/adm1 (with its counter): for a fresh card, and for a state file
    // from an older simkit (only what it lacks; existing records are never changed).
    void write_factory_defaults(PersistentState& state) const;
    void add_missing_records(PersistentState& state) const;

    // After reset and for a channel opened from the basic channel: MF, inactive.
    FilePosition initial_position() const;

    // SELECT by DF name: the ADF whose AID starts with `name` (5 bytes or more), or nullptr.
    const FileNode* adf_by_name(const bytes& name) const noexcept { return tree_.adf_by_name(name); }
    // SELECT (P1 04) of `adf`: P2 checks, the position becomes the ADF, the answer its FCP (P2 00/04)
    // or nothing (0C). Next/previous occurrence when `adf` is already current: 6A82.
    ResponseApdu select_adf(const CommandApdu& apdu, FilePosition& position, const FileNode& adf) const;

    // True for the commands the file system answers while it is a channel's current selection:
    // SELECT (P1 00/03/08/09), READ/UPDATE BINARY, READ/UPDATE RECORD, VERIFY (interindustry class)
    // and STATUS (any class: TS 102 221 sends it with CLA 80).
    static bool handles(const CommandApdu& apdu, const ClaInfo& cla) noexcept;
    static bool is_file_select(const CommandApdu& apdu, const ClaInfo& cla) noexcept;
    // Processes one of those commands on `position`; throws SwError.
    ResponseApdu process(CommandContext& ctx, FilePosition& position) const;

private:
    ResponseApdu select(CommandContext& ctx, FilePosition& position) const;
    ResponseApdu read_binary(CommandContext& ctx, FilePosition& position) const;
    ResponseApdu update_binary(CommandContext& ctx, FilePosition& position) const;
    ResponseApdu read_record(CommandContext& ctx, FilePosition& position) const;
    ResponseApdu update_record(CommandContext& ctx, FilePosition& position) const;
    ResponseApdu status(CommandContext& ctx, FilePosition& position) const;
    ResponseApdu verify(CommandContext& ctx, FilePosition& position) const;

    FileTree tree_;
    UserPin pin1_;
    UserPin adm1_;
};

}  // namespace simkit::sim::uicc
