// ES10a and ES10b handlers of the ISD-R: GetEuiccConfiguredAddresses (SGP.22 5.7.3),
// SetDefaultDpAddress (5.7.4), GetEuiccChallenge (5.7.7) and GetRAT (5.7.22).
#include "euicc/es10_handlers.hpp"
#include "euicc/profile_store.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/es10.hpp"

namespace simkit::sim::euicc {

bytes get_configured_addresses(Es10Call& call) {
    expect_tag(call.request, es10::kTagGetEuiccConfiguredAddresses);
    es10::ConfiguredAddresses answer;
    if (const secure_bytes* dp = call.state.get(kDefaultDpAddressRecord)) answer.default_dp_address = std::string(dp->begin(), dp->end());
    answer.root_ds_address = kRootDsAddress;
    return answer.encode();
}

bytes set_default_dp_address(Es10Call& call) {
    const auto request = es10::SetDefaultDpAddressRequest::decode(call.request);
    if (request.address.size() > 255) throw FormatError("defaultDpAddress longer than 255 bytes");
    if (request.address.empty()) {
        call.state.erase(kDefaultDpAddressRecord);
    } else {
        call.state.put(kDefaultDpAddressRecord, secure_bytes(request.address.begin(), request.address.end()));
    }
    return es10::ResultResponse{es10::kTagSetDefaultDpAddress, es10::result::kOk}.encode();
}

bytes get_euicc_challenge(Es10Call& call) {
    expect_tag(call.request, es10::kTagGetEuiccChallenge);
    bytes challenge = crypto::random_bytes(16);
    call.session.challenge = challenge;
    return es10::EuiccChallengeResponse{std::move(challenge)}.encode();
}

bytes get_rat(Es10Call& call) {
    expect_tag(call.request, es10::kTagGetRat);
    // One rule: PPR1 and PPR2 allowed for any operator (MCC/MNC all wildcard 'E'), no consent
    // needed. ProfilePolicyAuthorisationRule 30 { 80 pprIds  A1 { 30 { 80 mccMnc } }  82 pprFlags }.
    const bytes rule = encode_tlv(0x30, {encode_tlv(0x80, bytes{0x05, 0x60}),
                                         encode_tlv(0xA1, {encode_tlv(0x30, {encode_tlv(0x80, bytes{0xEE, 0xEE, 0xEE})})}),
                                         encode_tlv(0x82, bytes{0x00})});
    es10::RatResponse answer;
    answer.rules = parse_tlvs(rule);
    return answer.encode();
}

}  // namespace simkit::sim::euicc
