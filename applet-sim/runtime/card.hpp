// The simulated card: ATR, applets registered by AID, logical channels, SELECT, MANAGE CHANNEL,
// GET RESPONSE, and dispatch of every other command to the applet selected on its channel, or to
// the card's UICC file system (uicc/) while a file is the channel's current selection.
// Many cards can live in one process; a card holds no global state.
#pragma once

#include <array>
#include <optional>
#include <memory>
#include <vector>

#include "runtime/applet.hpp"
#include "simkit/apdu.hpp"
#include "storage/persistent_state.hpp"
#include "uicc/file_system.hpp"

namespace simkit::sim {

struct CardOptions {
    // T=0 behaviour: response data of case 3/4 commands is announced with 61xx and fetched with
    // GET RESPONSE; a case-2 command whose Le is not the available length gets 6Cxx.
    bool t0 = false;
    // Logical channels the card offers, 1..20 (channel 0 is the basic channel).
    uint8_t channels = 20;
};

// CLA INS P1 P2 and the command data: what a 6Cxx re-send repeats (response_delivery.cpp).
bytes command_without_le(const CommandApdu& apdu);

class Card {
public:
    explicit Card(PersistentState state, CardOptions options = {});
    ~Card();
    Card(const Card&) = delete;
    Card& operator=(const Card&) = delete;

    // Registers an applet; the first one installed with `default_selected` is selected on the basic
    // channel after power on and reset (the ISD).
    Applet& install(std::unique_ptr<Applet> applet, bool default_selected = false);
    // Gives the card a UICC file system (one per card; the current file is per logical channel).
    // Without one, SELECT by FID/path goes to the selected applet as before.
    void install_file_system(std::unique_ptr<uicc::FileSystem> file_system);
    const uicc::FileSystem* file_system() const noexcept { return file_system_.get(); }

    // Answer to reset, with a valid TCK (see atr.hpp).
    const bytes& atr() const noexcept { return atr_; }
    // Cold/warm reset: closes channels, ends sessions, reselects the default applet. Persistent
    // state is untouched (staged changes never survive: they were committed per command).
    void power_on();
    void reset() { power_on(); }
    void power_off();
    bool powered() const noexcept { return powered_; }

    // One C-APDU in wire form -> R-APDU in wire form. Never throws for any input bytes (malformed
    // APDUs get their status word), except PowerCut from a fault-injection hook.
    bytes transmit(const uint8_t* command, std::size_t length);
    bytes transmit(const bytes& command) { return transmit(command.data(), command.size()); }

    PersistentState& state() noexcept { return state_; }
    const CardOptions& options() const noexcept { return options_; }
    const std::vector<std::unique_ptr<Applet>>& applets() const noexcept { return applets_; }

private:
    struct Channel {
        bool open = false;
        Applet* applet = nullptr;
        std::unique_ptr<AppletSession> session;
        // Position in the file system (current DF/EF, PIN1/ADM1 verified). While `files.active`,
        // file commands go to the file system; after reset the MF is set but inactive.
        uicc::FilePosition files;
        // Response bytes not yet fetched with GET RESPONSE, and the SW that ends them.
        bytes pending;
        std::size_t pending_offset = 0;
        uint16_t pending_sw = 0x9000;
        // T=0: the answer held back by a 6Cxx and the command it answers (without Le). The same
        // command re-sent with Le = xx gets this answer instead of running again (ISO 7816-3
        // 10.3.4), so a command with effects (the next part of a list, a counter) runs once.
        std::optional<ResponseApdu> held_answer;
        bytes held_command;
    };

    ResponseApdu process(const CommandApdu& apdu, const ClaInfo& cla);
    ResponseApdu select_by_name(const CommandApdu& apdu, const ClaInfo& cla);
    ResponseApdu manage_channel(const CommandApdu& apdu, const ClaInfo& cla);
    ResponseApdu get_response(const CommandApdu& apdu, const ClaInfo& cla);
    // SELECT of ADF.USIM by AID (P1 04), SELECT by FID/path/parent, other file commands (card.cpp).
    ResponseApdu select_adf(const CommandApdu& apdu, const ClaInfo& cla, const uicc::FileNode& adf);
    ResponseApdu file_command(const CommandApdu& apdu, const ClaInfo& cla);
    // Makes the channel's applet the one of the ADF its file position is in (or none).
    void follow_application(Channel& channel);
    uicc::FilePosition initial_file_position() const;
    void select_on_channel(Channel& channel, Applet* applet);
    void close_channel(Channel& channel);
    // Applies Le, T=0 and 61xx rules to a handler's answer (response_delivery.cpp).
    ResponseApdu deliver(Channel& channel, const CommandApdu& apdu, ResponseApdu response);

    PersistentState state_;
    CardOptions options_;
    bytes atr_;
    bool powered_ = false;
    std::vector<std::unique_ptr<Applet>> applets_;
    Applet* default_applet_ = nullptr;
    std::unique_ptr<uicc::FileSystem> file_system_;
    std::array<Channel, kMaxLogicalChannels> channels_{};
};

}  // namespace simkit::sim
