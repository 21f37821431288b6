// FCP templates of the UICC files (see fcp.hpp).
#include "uicc/fcp.hpp"

#include "simkit/tlv.hpp"

namespace simkit::sim::uicc {

namespace {
constexpr uint8_t kLifeCycleOperationalActivated = 0x05;
constexpr uint8_t kKeyRefPin1 = 0x01;
constexpr uint8_t kKeyRefAdm1 = 0x0A;

uint8_t security_condition(Access access) {
    switch (access) {
        case Access::Always: return 0x00;
        case Access::Pin1: return 0x10 | kKeyRefPin1;  // user authentication, reference 01
        case Access::Adm1: return 0x10 | kKeyRefAdm1;  // user authentication, reference 0A
        case Access::Never: break;
    }
    return 0xFF;
}

bytes be16(std::size_t v) { return bytes{static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
}  // namespace

bytes compact_security_attributes(const FileNode& ef) {
    // ISO 7816-4 9.3.3.1: SC bytes follow the AM bits set, from b7 down to b1: b2 UPDATE, b1 READ.
    return bytes{0x03, security_condition(ef.update), security_condition(ef.read)};
}

bytes fcp_of(const FileNode& file) {
    bytes body;
    auto add = [&body](uint32_t tag, const bytes& value) {
        const bytes tlv = encode_tlv(tag, value);
        body.insert(body.end(), tlv.begin(), tlv.end());
    };
    if (file.kind == FileKind::Ef) {
        if (file.structure == EfStructure::Transparent) {
            add(0x82, bytes{0x41, 0x21});  // shareable working EF, transparent; data coding byte 21
        } else {
            add(0x82, bytes{0x42, 0x21, 0x00, file.record_length, file.record_count});  // linear fixed
        }
        add(0x83, be16(file.fid));
        add(0x8A, bytes{kLifeCycleOperationalActivated});
        add(0x8C, compact_security_attributes(file));
        add(0x80, be16(file.size));
        if (file.sfi != 0) add(0x88, bytes{static_cast<uint8_t>(file.sfi << 3)});
        return encode_tlv(0x62, body);
    }
    add(0x82, bytes{0x78, 0x21});  // shareable DF; data coding byte 21
    add(0x83, be16(file.kind == FileKind::Adf ? kCurrentAdfFid : file.fid));
    if (file.kind == FileKind::Adf) add(0x84, file.aid);
    // Proprietary information: the MF carries the UICC characteristics (80 01 71: clock stop
    // allowed, 1.8 V and 3 V technology); other DFs none.
    add(0xA5, file.kind == FileKind::Mf ? bytes{0x80, 0x01, 0x71} : bytes{});
    add(0x8A, bytes{kLifeCycleOperationalActivated});
    // DF access: AM b2 CREATE EF, b1 DELETE FILE (child) -> never (the tree is static).
    add(0x8C, bytes{0x03, 0xFF, 0xFF});
    // PIN status template (TS 102 221 9.5.2): PS_DO 90 with one bit per key reference listed, b8 for
    // the first: PIN1 (01) and ADM1 (0A) both enabled.
    add(0xC6, [] {
        bytes v;
        for (const bytes& part : {encode_tlv(0x90, bytes{0xC0}), encode_tlv(0x83, bytes{kKeyRefPin1}),
                                  encode_tlv(0x83, bytes{kKeyRefAdm1})}) {
            v.insert(v.end(), part.begin(), part.end());
        }
        return v;
    }());
    return encode_tlv(0x62, body);
}

}  // namespace simkit::sim::uicc
