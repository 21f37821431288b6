// Card: power states and the command pipeline — parse, decode CLA, route to the runtime's own
// commands (SELECT by name, MANAGE CHANNEL, GET RESPONSE), to the UICC file system or to the
// selected applet, commit the state, shape the response.
#include "runtime/card.hpp"

#include "runtime/atr.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

namespace {
constexpr uint8_t kInsSelect = 0xA4;
constexpr uint8_t kInsManageChannel = 0x70;
constexpr uint8_t kInsGetResponse = 0xC0;
}  // namespace

Card::Card(PersistentState state, CardOptions options)
    : state_(std::move(state)), options_(options), atr_(build_atr(options.t0)) {
    if (options_.channels < 1 || options_.channels > kMaxLogicalChannels) {
        throw ArgumentError("CardOptions.channels must be 1..20, not " + std::to_string(options_.channels));
    }
}

Card::~Card() = default;

Applet& Card::install(std::unique_ptr<Applet> applet, bool default_selected) {
    if (!applet) throw ArgumentError("Card::install: applet is null");
    for (const auto& a : applets_) {
        if (a->aid() == applet->aid()) throw ArgumentError("Card::install: AID " + to_hex(applet->aid()) + " already installed");
    }
    applets_.push_back(std::move(applet));
    Applet& installed = *applets_.back();
    if (default_selected && default_applet_ == nullptr) default_applet_ = &installed;
    return installed;
}

void Card::install_file_system(std::unique_ptr<uicc::FileSystem> file_system) {
    file_system_ = std::move(file_system);
    for (auto& channel : channels_) channel.files = initial_file_position();
}

uicc::FilePosition Card::initial_file_position() const {
    return file_system_ ? file_system_->initial_position() : uicc::FilePosition{};
}

void Card::power_on() {
    power_off();
    powered_ = true;
    channels_[0].open = true;
    if (default_applet_ != nullptr) select_on_channel(channels_[0], default_applet_);
}

void Card::power_off() {
    for (auto& channel : channels_) close_channel(channel);
    state_.rollback();
    powered_ = false;
}

void Card::close_channel(Channel& channel) {
    channel.session.reset();
    channel.applet = nullptr;
    channel.open = false;
    channel.files = initial_file_position();
    channel.pending.clear();
    channel.pending_offset = 0;
    channel.held_answer.reset();
    channel.held_command.clear();
}

void Card::select_on_channel(Channel& channel, Applet* applet) {
    channel.session.reset();
    channel.applet = applet;
    channel.session = applet != nullptr ? applet->new_session() : nullptr;
}

bytes Card::transmit(const uint8_t* command, std::size_t length) {
    if (!powered_) power_on();
    try {
        if (length >= 1 && !decode_cla(command[0])) return ResponseApdu(sw::kClaNotSupported).encode();
        CommandApdu apdu = CommandApdu::parse(command, length);
        const ClaInfo cla = *decode_cla(apdu.cla());
        return process(apdu, cla).encode();
    } catch (const FormatError&) {
        return ResponseApdu(sw::kWrongLength).encode();
    } catch (const std::bad_alloc&) {
        return ResponseApdu(sw::kNoPreciseDiagnosis).encode();
    }
}

ResponseApdu Card::process(const CommandApdu& apdu, const ClaInfo& cla) {
    if (cla.channel >= options_.channels) return ResponseApdu(sw::kLogicalChannelNotSupported);
    Channel& channel = channels_[cla.channel];
    const bool interindustry = cla.kind == ClaKind::Interindustry;

    // GET RESPONSE: ISO's class, and also a proprietary class while an answer waits, as some LPAs
    // send it (80 C0, or 81 C0 on channel 1, after a STORE DATA to the ISD-R).
    const bool answer_waiting = channel.pending_offset < channel.pending.size();
    if (apdu.ins() == kInsGetResponse && (interindustry || answer_waiting)) return get_response(apdu, cla);
    // Any other command on the channel abandons unfetched response bytes.
    channel.pending.clear();
    channel.pending_offset = 0;
    // The re-send a 6Cxx asked for: the held answer, without running the command again.
    if (channel.held_answer) {
        std::optional<ResponseApdu> held = std::move(channel.held_answer);
        channel.held_answer.reset();
        if (apdu.iso_case() == 2 && command_without_le(apdu) == channel.held_command) {
            return deliver(channel, apdu, std::move(*held));
        }
    }

    ResponseApdu response;
    try {
        const bool manage = interindustry && apdu.ins() == kInsManageChannel;
        const bool select = interindustry && apdu.ins() == kInsSelect && apdu.p1() == 0x04;
        const bool file_select = file_system_ && uicc::FileSystem::is_file_select(apdu, cla);
        if ((manage || select) && cla.chaining) throw SwError(sw::kChainingNotSupported);
        const uicc::FileNode* adf =
            select && file_system_ && !apdu.data().empty() ? file_system_->adf_by_name(apdu.data()) : nullptr;
        if (manage) {
            response = manage_channel(apdu, cla);
        } else if (adf != nullptr) {
            response = select_adf(apdu, cla, *adf);  // ADF.USIM by (partial) AID
        } else if (select) {
            response = select_by_name(apdu, cla);  // may open the channel implicitly (ISO 7816-4 5.1.1.2)
            // An applet is now the channel's selection; the file position waits, inactive (unless
            // a short partial AID picked the applet of an ADF: then that ADF is current).
            channel.files.active = false;
            if (file_system_ && channel.applet != nullptr) {
                if (const uicc::FileNode* app_adf = file_system_->adf_by_name(channel.applet->aid())) {
                    file_system_->select_adf(CommandApdu::case3(0x00, kInsSelect, 0x04, 0x0C, app_adf->aid),
                                             channel.files, *app_adf);
                }
            }
        } else if (file_select) {
            response = file_command(apdu, cla);  // SELECT by FID/path/parent; may open the channel
        } else if (!channel.open) {
            response = ResponseApdu(sw::kLogicalChannelNotSupported);
        } else if (channel.files.active && uicc::FileSystem::handles(apdu, cla)) {
            response = file_command(apdu, cla);
        } else if (channel.applet == nullptr) {
            response = ResponseApdu(sw::kInsNotSupported);
        } else {
            CommandContext ctx{apdu, cla, state_, channel.session.get(), &applets_};
            response = channel.applet->process(ctx);
        }
    } catch (const SwError& e) {
        response = ResponseApdu(e.sw());
    } catch (const std::exception&) {  // bad_alloc included: never a crash, 6F00
        response = ResponseApdu(sw::kNoPreciseDiagnosis);
    }

    // The command's changes reach the state file before its answer leaves the card.
    try {
        state_.commit();
    } catch (const StateError&) {
        state_.rollback();
        return ResponseApdu(sw::kMemoryFailure);
    }
    return deliver(channel, apdu, std::move(response));
}

namespace {
Applet* applet_with_aid(const std::vector<std::unique_ptr<Applet>>& applets, const bytes& aid) {
    for (const auto& a : applets) {
        if (a->aid() == aid) return a.get();
    }
    return nullptr;
}
}  // namespace

void Card::follow_application(Channel& channel) {
    Applet* wanted = nullptr;
    if (channel.files.active && channel.files.df != nullptr) {
        if (const uicc::FileNode* adf = channel.files.df->application()) wanted = applet_with_aid(applets_, adf->aid);
    }
    if (channel.applet != wanted) select_on_channel(channel, wanted);
}

ResponseApdu Card::select_adf(const CommandApdu& apdu, const ClaInfo& cla, const uicc::FileNode& adf) {
    Channel& channel = channels_[cla.channel];
    const bool opening = !channel.open;
    const uicc::FilePosition before = channel.files;
    ResponseApdu fcp = file_system_->select_adf(apdu, channel.files, adf);  // changes nothing if it throws
    channel.open = true;
    // Like SELECT of an applet: the ADF's applet (USIM) is (re)selected with a fresh session.
    Applet* applet = applet_with_aid(applets_, adf.aid);
    select_on_channel(channel, applet);
    if (applet != nullptr) {
        try {
            CommandContext ctx{apdu, cla, state_, channel.session.get(), &applets_};
            applet->on_select(ctx);  // may refuse; its FCI is replaced by the ADF's FCP
        } catch (...) {
            select_on_channel(channel, nullptr);
            channel.files = before;
            if (opening) close_channel(channel);
            throw;
        }
    }
    return fcp;
}

ResponseApdu Card::file_command(const CommandApdu& apdu, const ClaInfo& cla) {
    Channel& channel = channels_[cla.channel];
    const bool opening = !channel.open;  // only SELECT gets here on an unopened channel (implicit opening)
    CommandContext ctx{apdu, cla, state_, nullptr, &applets_};
    try {
        ResponseApdu response = file_system_->process(ctx, channel.files);
        channel.open = true;
        if (apdu.ins() == kInsSelect) follow_application(channel);
        return response;
    } catch (...) {
        if (opening) close_channel(channel);
        throw;
    }
}

}  // namespace simkit::sim
