// The host's client of an eUICC's ISD-R (GSMA SGP.22 ES10a/b/c, local profile management) over any
// simkit::Card: the ISD-R selected on a logical channel (or the basic channel), ES10 requests sent
// as STORE DATA chains, answers decoded into the es10.hpp value types, non-OK result codes raised as
// EuiccError with SGP.22's name. Works with simkit's card (specs/euicc.md) and with a real eUICC.
// Code: hostlib/src/euicc/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simkit/applet_channel.hpp"
#include "simkit/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/es10.hpp"

namespace simkit {

// The eUICC answered an ES10 request with a result code other than ok (or a list request with an
// error). The message names the operation, the SGP.22 name and the number:
// "enable profile 89882390000000000012: iccidOrAidNotFound (1)".
class EuiccError : public Error {
public:
    EuiccError(const std::string& context, uint32_t request_tag, uint8_t code);
    uint32_t request_tag() const noexcept { return tag_; }
    uint8_t code() const noexcept { return code_; }
    const std::string& name() const noexcept { return name_; }  // "iccidOrAidNotFound"

private:
    uint32_t tag_;
    uint8_t code_;
    std::string name_;
};

struct EuiccOptions {
    // true (default): MANAGE CHANNEL open, SELECT ISD-R and every ES10 command on the new channel,
    // closed by the destructor (what LPAs do, so the basic channel stays the modem's/USIM's).
    // false: SELECT on the basic channel.
    bool logical_channel = true;
    bytes aid = bytes{0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00};
    // STORE DATA block size (1..255 data bytes). 120 as lpac sends: each block fits short APDUs on
    // every transport, and an AT+CGLA line of it (2 * 125 hex digits) stays under the 256-character
    // command lines some modems take.
    std::size_t block_size = 120;
};

// Profile identifiers from what a user types: ICCID digits (18..20, F-padded to 10 bytes) or an
// ISD-P AID in hex (5..16 bytes). ArgumentError otherwise.
es10::ProfileIdentifier profile_by_iccid(const std::string& digits);
es10::ProfileIdentifier profile_by_aid(const bytes& aid);
// "89882390000000000012" for an ICCID, "ISD-P A0000005591010FFFFFFFF8900001100" for an AID.
std::string describe_profile(const es10::ProfileIdentifier& profile);

class Euicc {
public:
    static constexpr uint8_t kInsStoreData = 0xE2;
    static constexpr uint8_t kP1MoreBlocks = 0x11;
    static constexpr uint8_t kP1LastBlock = 0x91;

    // Opens the channel (when asked) and selects the ISD-R: SwError ("SELECT ISD-R ...: 6A82 file
    // or application not found") when the card has none.
    explicit Euicc(Card& card, EuiccOptions options = {});
    ~Euicc();
    Euicc(const Euicc&) = delete;
    Euicc& operator=(const Euicc&) = delete;

    // The logical channel the ISD-R is selected on (0 = basic).
    uint8_t channel() const noexcept { return applet_.channel(); }

    // One ES10 request (DER) as a STORE DATA chain: CLA 80 with the channel bits, INS E2, P1 11 for
    // blocks that more follow, 91 for the last, P2 the block number 00, 01 ...; the card held
    // exclusively for the chain. Returns the last block's answer (61xx/GET RESPONSE done by Card).
    // SwError naming the block for any status word but 9000.
    bytes transmit_es10(const bytes& der);

    // --- ES10c ---
    bytes eid();  // GetEID (BF3E): 16 bytes
    // ProfileInfoList (BF2D): all profiles, or those matching `search`, with the fields in
    // `tag_list` (all the card gives when absent).
    std::vector<es10::ProfileInfo> profiles(
        const std::optional<es10::ProfileInfoListRequest::SearchCriteria>& search = std::nullopt,
        const std::optional<bytes>& tag_list = std::nullopt);
    void enable(const es10::ProfileIdentifier& profile, bool refresh = true);   // BF31
    void disable(const es10::ProfileIdentifier& profile, bool refresh = true);  // BF32
    void remove(const es10::ProfileIdentifier& profile);                        // BF33 DeleteProfile
    void set_nickname(const bytes& iccid, const std::string& nickname);         // BF29
    void memory_reset(const es10::EuiccMemoryResetRequest& options);            // BF34

    // --- ES10a ---
    es10::ConfiguredAddresses configured_addresses();        // BF3C
    void set_default_dp_address(const std::string& address); // BF3F (empty: remove)

    // --- ES10b ---
    bytes challenge();                     // BF2E: 16 bytes
    es10::RatResponse rat();               // BF43
    es10::EuiccInfo1 euicc_info1();        // BF20
    es10::EuiccInfo2 euicc_info2();        // BF22
    // ListNotification (BF28), optionally only one event.
    std::vector<es10::NotificationMetadata> notifications(std::optional<es10::NotificationEvent> filter = std::nullopt);
    // RetrieveNotificationsList (BF2B): all (empty when the card has none), or the one `seq_number`
    // (EuiccError noResultAvailable when there is no such notification).
    std::vector<es10::SignedNotification> retrieve_notifications(std::optional<uint32_t> seq_number = std::nullopt);
    // NotificationSent (BF30): removes it from the list (EuiccError nothingToDelete when absent).
    void remove_notification(uint32_t seq_number);

private:
    // transmit_es10 then decode a ResultResponse of `tag`; EuiccError unless ok.
    void result_command(const std::string& context, uint32_t tag, const bytes& request);

    Card& card_;
    EuiccOptions options_;
    AppletChannel applet_;  // the ISD-R selected (after options_: built from them)
};

}  // namespace simkit
