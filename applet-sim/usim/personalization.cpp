// The USIM's personalization: STORE DATA DGIs inside an SCP03 session on the USIM (specs/usim.md,
// "Personalization"): K, OPc, MILENAGE constants, SQN configuration, and the content of the
// transparent EFs (ICCID, IMSI ...). K and OPc are taken only encrypted under the session DEK.
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "uicc/file_tree.hpp"
#include "usim/sqn_array.hpp"
#include "usim/usim_applet.hpp"
#include "usim/usim_keys.hpp"

namespace simkit::sim {

namespace {
constexpr uint16_t kDgiK = 0xA001, kDgiOpc = 0xA002, kDgiConstants = 0xA003, kDgiSqnConfig = 0xA004, kDgiFile = 0xA010;

// K and OPc only as the session DEK encrypted them (STORE DATA P1 bits 60): never in clear on the wire.
void store_key(CommandContext& ctx, const char* record, const secure_bytes& value) {
    if ((ctx.apdu.p1() & 0x60) != 0x60) throw SwError(sw::kConditionsNotSatisfied, "K and OPc must be sent encrypted");
    if (value.size() != 16) throw SwError(sw::kWrongData, "K and OPc are 16 bytes");
    ctx.state.put(record, value);
}

void store_sqn_config(CommandContext& ctx, const secure_bytes& value) {
    if (value.size() != 13 || value[0] > 10) throw SwError(sw::kWrongData, "SQN config: ind_bits(<=10) delta(6) L(6)");
    usim::SqnConfig config;
    config.ind_bits = value[0];
    config.delta = 0;
    config.limit = 0;
    for (std::size_t i = 0; i < 6; ++i) config.delta = (config.delta << 8) | value[1 + i];
    for (std::size_t i = 0; i < 6; ++i) config.limit = (config.limit << 8) | value[7 + i];
    usim::SqnArray::write_defaults(ctx.state, config);  // a new configuration starts an empty array
}

// FID (2 bytes) || content: a transparent EF of the card's tree, content exactly its size.
void store_file(CommandContext& ctx, const secure_bytes& value) {
    if (value.size() < 3) throw SwError(sw::kWrongData, "file DGI: FID and content");
    const uint16_t fid = static_cast<uint16_t>((value[0] << 8) | value[1]);
    static const uicc::FileTree tree;
    for (const uicc::FileNode* ef : tree.elementary_files()) {
        if (ef->fid != fid) continue;
        if (ef->structure != uicc::EfStructure::Transparent) throw SwError(sw::kIncompatibleFileStructure);
        if (value.size() - 2 != ef->size) throw SwError(sw::kWrongData, "content is not the file's size");
        ctx.state.put(ef->record, secure_bytes(value.begin() + 2, value.end()));
        return;
    }
    throw SwError(sw::kFileNotFound);
}
}  // namespace

void UsimApplet::store_dgi(CommandContext& ctx, uint16_t dgi, const secure_bytes& value) {
    switch (dgi) {
        case kDgiK: store_key(ctx, usim::kKRecord, value); break;
        case kDgiOpc: store_key(ctx, usim::kOpcRecord, value); break;
        case kDgiConstants:
            try {
                usim::decode_constants(value);
            } catch (const ArgumentError&) {
                throw SwError(sw::kWrongData, "MILENAGE constants: r1..r5 (multiples of 8 below 128) c1..c5");
            }
            ctx.state.put(usim::kMilenageConstantsRecord, value);
            break;
        case kDgiSqnConfig: store_sqn_config(ctx, value); break;
        case kDgiFile: store_file(ctx, value); break;
        default: SecureChannelApplet::store_dgi(ctx, dgi, value);
    }
}

}  // namespace simkit::sim
