// simkit::Euicc: the host side of the ISD-R (see euicc_client.hpp and specs/euicc.md). The channel,
// the STORE DATA chain and the error mapping live here; each typed ES10 call is an encode, one
// transmit_es10 and a decode of the es10.hpp value type.
#include "simkit/euicc_client.hpp"

#include <functional>

#include "simkit/core/cla.hpp"
#include "simkit/status_words.hpp"

namespace simkit {

namespace {

constexpr uint8_t kClaGlobalPlatform = 0x80;

EuiccOptions checked(EuiccOptions options) {
    if (options.block_size < 1 || options.block_size > CommandApdu::kMaxShortNc) {
        throw ArgumentError("EuiccOptions.block_size: 1 to 255 bytes, got " + std::to_string(options.block_size));
    }
    return options;
}
constexpr uint8_t kNoResultAvailable = 1;  // RetrieveNotificationsList / ListNotification error

std::string tag_hex(uint32_t tag) {
    const bytes b{static_cast<uint8_t>(tag >> 8), static_cast<uint8_t>(tag)};
    return to_hex(b);
}

// "ES10 BF2D" for the request's outer tag ("ES10 request" for bytes that are not one TLV).
std::string request_name(const bytes& der) {
    try {
        return "ES10 " + tag_hex(es10::message_tag(der));
    } catch (const FormatError&) {
        return "ES10 request";
    }
}

// Decodes an answer with `decode`; a FormatError names the request it answers.
template <typename T>
T decode_answer(const char* what, uint32_t tag, const bytes& answer, const std::function<T(const bytes&)>& decode) {
    try {
        return decode(answer);
    } catch (const FormatError& e) {
        throw FormatError(std::string(what) + " (" + tag_hex(tag) + "): the eUICC's answer is not what SGP.22 defines (" +
                          e.what() + "): " + to_hex(answer));
    }
}

}  // namespace

EuiccError::EuiccError(const std::string& context, uint32_t request_tag, uint8_t code)
    : Error(context + ": " + es10::result_name(request_tag, code) + " (" + std::to_string(code) + ")"),
      tag_(request_tag),
      code_(code),
      name_(es10::result_name(request_tag, code)) {}

es10::ProfileIdentifier profile_by_iccid(const std::string& digits) {
    return es10::ProfileIdentifier{es10::ProfileIdentifier::Kind::Iccid, es10::iccid_to_bytes(digits)};
}

es10::ProfileIdentifier profile_by_aid(const bytes& aid) {
    if (aid.size() < 5 || aid.size() > 16) {
        throw ArgumentError("ISD-P AID: an AID is 5 to 16 bytes, got " + std::to_string(aid.size()));
    }
    return es10::ProfileIdentifier{es10::ProfileIdentifier::Kind::IsdpAid, aid};
}

std::string describe_profile(const es10::ProfileIdentifier& profile) {
    if (profile.kind == es10::ProfileIdentifier::Kind::IsdpAid) return "ISD-P " + to_hex(profile.value);
    try {
        return es10::iccid_to_digits(profile.value);
    } catch (const Error&) {
        return "ICCID " + to_hex(profile.value);
    }
}

Euicc::Euicc(Card& card, EuiccOptions options)
    : card_(card), options_(checked(std::move(options))), applet_(card_, options_.aid, options_.logical_channel, "ISD-R") {}

Euicc::~Euicc() = default;

bytes Euicc::transmit_es10(const bytes& der) {
    if (der.empty()) throw ArgumentError("transmit_es10: an empty request");
    const std::size_t blocks = (der.size() + options_.block_size - 1) / options_.block_size;
    if (blocks > 256) {
        throw ArgumentError("transmit_es10: " + std::to_string(der.size()) + " bytes need more than 256 STORE DATA blocks");
    }
    const uint8_t cla = applet_.cla(kClaGlobalPlatform);
    auto held = card_.exclusive();
    for (std::size_t i = 0; i < blocks; ++i) {
        const auto begin = der.begin() + static_cast<std::ptrdiff_t>(i * options_.block_size);
        const auto end = i + 1 == blocks ? der.end() : begin + static_cast<std::ptrdiff_t>(options_.block_size);
        const bool last = i + 1 == blocks;
        const uint8_t p2 = static_cast<uint8_t>(i);
        const CommandApdu command = last ? CommandApdu::case4(cla, kInsStoreData, kP1LastBlock, p2, bytes(begin, end), 256)
                                         : CommandApdu::case3(cla, kInsStoreData, kP1MoreBlocks, p2, bytes(begin, end));
        const ResponseApdu response = card_.transmit(command);
        if (!response.is_ok()) {
            throw SwError(response.sw(), "STORE DATA block " + std::to_string(i + 1) + " of " + std::to_string(blocks) +
                                             " (" + request_name(der) + ")");
        }
        if (last) return response.data();
    }
    return {};  // not reached: blocks >= 1
}

void Euicc::result_command(const std::string& context, uint32_t tag, const bytes& request) {
    const bytes answer = transmit_es10(request);
    const auto result = decode_answer<es10::ResultResponse>(
        context.c_str(), tag, answer, [tag](const bytes& a) { return es10::ResultResponse::decode(a, tag); });
    if (result.code != es10::result::kOk) throw EuiccError(context, tag, result.code);
}

bytes Euicc::eid() {
    const bytes answer = transmit_es10(es10::GetEidRequest{}.encode());
    return decode_answer<es10::GetEidResponse>("GetEID", es10::kTagGetEuiccData, answer, es10::GetEidResponse::decode).eid;
}

std::vector<es10::ProfileInfo> Euicc::profiles(const std::optional<es10::ProfileInfoListRequest::SearchCriteria>& search,
                                               const std::optional<bytes>& tag_list) {
    es10::ProfileInfoListRequest request;
    request.search = search;
    request.tag_list = tag_list;
    const bytes answer = transmit_es10(request.encode());
    auto response = decode_answer<es10::ProfileInfoListResponse>("ProfileInfoList", es10::kTagProfileInfoList, answer,
                                                                  es10::ProfileInfoListResponse::decode);
    if (response.error) throw EuiccError("list profiles", es10::kTagProfileInfoList, *response.error);
    return std::move(response.profiles);
}

void Euicc::enable(const es10::ProfileIdentifier& profile, bool refresh) {
    es10::ProfileOperationRequest request{es10::kTagEnableProfile, profile, refresh};
    result_command("enable profile " + describe_profile(profile), es10::kTagEnableProfile, request.encode());
}

void Euicc::disable(const es10::ProfileIdentifier& profile, bool refresh) {
    es10::ProfileOperationRequest request{es10::kTagDisableProfile, profile, refresh};
    result_command("disable profile " + describe_profile(profile), es10::kTagDisableProfile, request.encode());
}

void Euicc::remove(const es10::ProfileIdentifier& profile) {
    es10::DeleteProfileRequest request{profile};
    result_command("delete profile " + describe_profile(profile), es10::kTagDeleteProfile, request.encode());
}

void Euicc::set_nickname(const bytes& iccid, const std::string& nickname) {
    es10::SetNicknameRequest request{iccid, nickname};
    result_command("set nickname of profile " + describe_profile({es10::ProfileIdentifier::Kind::Iccid, iccid}),
                   es10::kTagSetNickname, request.encode());
}

void Euicc::memory_reset(const es10::EuiccMemoryResetRequest& options) {
    result_command("eUICC memory reset", es10::kTagEuiccMemoryReset, options.encode());
}

es10::ConfiguredAddresses Euicc::configured_addresses() {
    const bytes answer = transmit_es10(es10::empty_request(es10::kTagGetEuiccConfiguredAddresses));
    return decode_answer<es10::ConfiguredAddresses>("GetEuiccConfiguredAddresses", es10::kTagGetEuiccConfiguredAddresses,
                                                    answer, es10::ConfiguredAddresses::decode);
}

void Euicc::set_default_dp_address(const std::string& address) {
    es10::SetDefaultDpAddressRequest request{address};
    result_command("set default SM-DP+ address", es10::kTagSetDefaultDpAddress, request.encode());
}

bytes Euicc::challenge() {
    const bytes answer = transmit_es10(es10::empty_request(es10::kTagGetEuiccChallenge));
    return decode_answer<es10::EuiccChallengeResponse>("GetEuiccChallenge", es10::kTagGetEuiccChallenge, answer,
                                                       es10::EuiccChallengeResponse::decode)
        .challenge;
}

es10::RatResponse Euicc::rat() {
    const bytes answer = transmit_es10(es10::empty_request(es10::kTagGetRat));
    return decode_answer<es10::RatResponse>("GetRAT", es10::kTagGetRat, answer, es10::RatResponse::decode);
}

es10::EuiccInfo1 Euicc::euicc_info1() {
    const bytes answer = transmit_es10(es10::empty_request(es10::kTagGetEuiccInfo1));
    return decode_answer<es10::EuiccInfo1>("GetEUICCInfo1", es10::kTagGetEuiccInfo1, answer, es10::EuiccInfo1::decode);
}

es10::EuiccInfo2 Euicc::euicc_info2() {
    const bytes answer = transmit_es10(es10::empty_request(es10::kTagGetEuiccInfo2));
    return decode_answer<es10::EuiccInfo2>("GetEUICCInfo2", es10::kTagGetEuiccInfo2, answer, es10::EuiccInfo2::decode);
}

std::vector<es10::NotificationMetadata> Euicc::notifications(std::optional<es10::NotificationEvent> filter) {
    es10::ListNotificationRequest request{filter};
    const bytes answer = transmit_es10(request.encode());
    auto response = decode_answer<es10::ListNotificationResponse>("ListNotification", es10::kTagListNotification, answer,
                                                                   es10::ListNotificationResponse::decode);
    if (response.error) throw EuiccError("list notifications", es10::kTagListNotification, *response.error);
    return std::move(response.notifications);
}

std::vector<es10::SignedNotification> Euicc::retrieve_notifications(std::optional<uint32_t> seq_number) {
    es10::RetrieveNotificationsRequest request;
    request.seq_number = seq_number;
    const bytes answer = transmit_es10(request.encode());
    auto response = decode_answer<es10::RetrieveNotificationsResponse>(
        "RetrieveNotificationsList", es10::kTagRetrieveNotificationsList, answer, es10::RetrieveNotificationsResponse::decode);
    if (response.error) {
        if (!seq_number && *response.error == kNoResultAvailable) return {};
        const std::string what = seq_number ? "retrieve notification " + std::to_string(*seq_number) : "retrieve notifications";
        throw EuiccError(what, es10::kTagRetrieveNotificationsList, *response.error);
    }
    return std::move(response.notifications);
}

void Euicc::remove_notification(uint32_t seq_number) {
    es10::NotificationSentRequest request{seq_number};
    result_command("remove notification " + std::to_string(seq_number), es10::kTagNotificationSent, request.encode());
}

}  // namespace simkit
