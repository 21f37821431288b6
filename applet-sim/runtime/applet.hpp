// An applet of the simulated card: an AID and a table from INS to handler. Handlers return a
// ResponseApdu or throw SwError; the runtime turns the error into the two trailing bytes.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simkit/apdu.hpp"
#include "simkit/core/cla.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim {

// Per-channel, volatile state of a selected applet (secure channel session, verified PIN ...).
// Created when the applet is selected on a channel, destroyed on deselect, reset or power off.
struct AppletSession {
    virtual ~AppletSession() = default;
};

class Applet;

// What a handler sees of the command being processed.
struct CommandContext {
    const CommandApdu& apdu;
    ClaInfo cla;
    PersistentState& state;   // changes commit when the command ends, whatever its status word
    AppletSession* session;   // this channel's session of the selected applet (may be null)
    // The card's applets in installation order (GET STATUS lists them).
    const std::vector<std::unique_ptr<Applet>>* installed = nullptr;
};

// Which class bytes an INS accepts.
enum class ClaAccept : uint8_t { Interindustry = 1, Proprietary = 2, Any = 3 };

using InsHandler = std::function<ResponseApdu(CommandContext&)>;

struct InsEntry {
    ClaAccept accept = ClaAccept::Any;
    InsHandler handler;
};

class Applet {
public:
    explicit Applet(bytes aid, std::string name);
    virtual ~Applet() = default;
    Applet(const Applet&) = delete;
    Applet& operator=(const Applet&) = delete;

    const bytes& aid() const noexcept { return aid_; }
    const std::string& name() const noexcept { return name_; }

    // Writes this applet's factory records into a fresh card state.
    virtual void write_factory_defaults(PersistentState& state) const;
    // A fresh session for a channel this applet is selected on (nullptr: the applet keeps none).
    virtual std::unique_ptr<AppletSession> new_session() const { return nullptr; }
    // GlobalPlatform registry data (GET STATUS): life cycle state (07 SELECTABLE) and privileges.
    virtual uint8_t life_cycle() const { return 0x07; }
    virtual bytes privileges() const { return bytes{0x00, 0x00, 0x00}; }
    // Adds records that this build needs and a state file from an older simkit lacks, with
    // defaults; never changes or removes a record that exists (called on every open).
    virtual void add_missing_records(PersistentState& state) const;
    // SELECT: the response (by default FCI 6F { 84 AID }). Throw SwError to refuse selection.
    virtual ResponseApdu on_select(CommandContext& ctx);
    // Handles one command: by default secure messaging is refused (6882) and the INS table is
    // consulted (6D00 unknown INS, 6E00 class not accepted). Applets with secure messaging
    // override this to unwrap first.
    virtual ResponseApdu process(CommandContext& ctx);

protected:
    void on_ins(uint8_t ins, ClaAccept accept, InsHandler handler);
    ResponseApdu dispatch(CommandContext& ctx);

private:
    bytes aid_;
    std::string name_;
    std::array<std::optional<InsEntry>, 256> table_{};
};

}  // namespace simkit::sim
