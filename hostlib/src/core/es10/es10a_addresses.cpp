// ES10a: the eUICC's configured addresses (default SM-DP+, root SM-DS) and SetDefaultDpAddress
// (SGP.22 5.7.3, 5.7.4).
#include "simkit/es10.hpp"

#include "es10_der.hpp"

namespace simkit::es10 {

bytes ConfiguredAddresses::encode() const {
    bytes v;
    if (default_dp_address) v = encode_tlv(0x80, der::text(*default_dp_address));
    const bytes root = encode_tlv(0x81, der::text(root_ds_address));
    v.insert(v.end(), root.begin(), root.end());
    return encode_tlv(kTagGetEuiccConfiguredAddresses, v);
}

ConfiguredAddresses ConfiguredAddresses::decode(const bytes& der) {
    constexpr const char* kName = "EuiccConfiguredAddressesResponse";
    const auto fields =
        der::children_of(der::open_message(der, kTagGetEuiccConfiguredAddresses, kName), kName, "content");
    ConfiguredAddresses a;
    if (const Tlv* dp = der::find(fields, 0x80)) a.default_dp_address = der::read_text(*dp);
    a.root_ds_address = der::read_text(der::require(fields, 0x81, kName, "rootDsAddress"));
    return a;
}

bytes SetDefaultDpAddressRequest::encode() const {
    return encode_tlv(kTagSetDefaultDpAddress, encode_tlv(0x80, der::text(address)));
}

SetDefaultDpAddressRequest SetDefaultDpAddressRequest::decode(const bytes& der) {
    constexpr const char* kName = "SetDefaultDpAddressRequest";
    const auto fields = der::children_of(der::open_message(der, kTagSetDefaultDpAddress, kName), kName, "content");
    return SetDefaultDpAddressRequest{der::read_text(der::require(fields, 0x80, kName, "defaultDpAddress"))};
}

}  // namespace simkit::es10
