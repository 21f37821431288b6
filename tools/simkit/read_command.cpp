// `simkit read`: files of the card's UICC file system, decoded: ICCID, IMSI (with MCC/MNC from
// EF.AD), EF.AD, or any EF by its path (specs/usim.md).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "simkit/answer_output.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "simkit/usim_client.hpp"

namespace simkit::cli {

namespace {

struct ReadOptions {
    std::optional<std::string> card;
    std::string what;
    bool json = false;
};

const std::vector<uint16_t> kIccidPath{0x2FE2};
const std::vector<uint16_t> kImsiPath{0x7FFF, 0x6F07};
const std::vector<uint16_t> kAdPath{0x7FFF, 0x6FAD};

// TS 31.102 4.2.18: byte 4 of EF.AD is the length of the MNC in the IMSI (2 or 3), when present.
std::optional<int> mnc_length(const bytes& ad) {
    if (ad.size() < 4) return std::nullopt;
    const int length = ad[3] & 0x0F;
    return length == 2 || length == 3 ? std::optional<int>(length) : std::nullopt;
}

int run_read(const ReadOptions& opt) {
    std::string what = opt.what;
    for (char& c : what) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Named files first, then a path; bad paths are refused before the card is opened.
    const bool named = what == "iccid" || what == "imsi" || what == "ad";
    const std::vector<uint16_t> path = named ? std::vector<uint16_t>{} : parse_file_path(opt.what);

    Card card = Card::open(opt.card);
    UsimClient usim(card);
    nlohmann::ordered_json out;
    if (what == "iccid") {
        const bytes raw = usim.read_file(kIccidPath);
        out["iccid"] = uicc::decode_iccid(raw);
        out["raw"] = lower_hex(raw);
    } else if (what == "imsi") {
        const bytes raw = usim.read_file(kImsiPath);
        const std::string imsi = uicc::decode_imsi(raw);
        out["imsi"] = imsi;
        out["mcc"] = imsi.substr(0, 3);
        if (const auto mnc = mnc_length(usim.read_file(kAdPath))) out["mnc"] = imsi.substr(3, static_cast<std::size_t>(*mnc));
        out["raw"] = lower_hex(raw);
    } else if (what == "ad") {
        const bytes raw = usim.read_file(kAdPath);
        if (!raw.empty()) out["ue_operation_mode"] = raw[0];
        if (const auto mnc = mnc_length(raw)) out["mnc_length"] = *mnc;
        out["raw"] = lower_hex(raw);
    } else {
        FileInfo info;
        const bytes raw = usim.read_file(path, &info);
        out["path"] = opt.what;
        out["structure"] = info.linear_fixed ? "linear_fixed" : "transparent";
        out["size"] = info.size;
        if (info.linear_fixed) {
            nlohmann::ordered_json records = nlohmann::ordered_json::array();
            for (std::size_t i = 0; i < raw.size(); i += info.record_length) {
                records.push_back(lower_hex(bytes(raw.begin() + static_cast<std::ptrdiff_t>(i),
                                                  raw.begin() + static_cast<std::ptrdiff_t>(i + info.record_length))));
            }
            out["records"] = records;
        } else {
            out["raw"] = lower_hex(raw);
        }
    }
    if (opt.json) {
        print_json(out);
        return 0;
    }
    for (const auto& [name, value] : out.items()) {
        if (value.is_array()) {
            for (std::size_t i = 0; i < value.size(); ++i) std::cout << "record " << i + 1 << ": " << value[i].get<std::string>() << "\n";
        } else {
            std::cout << name << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
        }
    }
    return 0;
}
}  // namespace

void add_read_command(CLI::App& app, int& exit_code) {
    auto opt = std::make_shared<ReadOptions>();
    CLI::App* cmd = app.add_subcommand(
        "read",
        "Read a file of the card's UICC file system and decode it: iccid (EF.ICCID 2FE2), imsi (EF.IMSI\n"
        "6F07 of ADF.USIM, with MCC and MNC by EF.AD), ad (EF.AD 6FAD), or any EF by its path of FIDs from\n"
        "the MF ('2FE2', '3F00/2F00') or from ADF.USIM ('ADF/6F38' or '7FFF/6F38'): hex content, or the\n"
        "records of a record file. Exit 1 when the card refuses (e.g. '6A82 file or application not found').\n"
        "Example: simkit read --card sim:card.state imsi --json");
    cmd->add_option("--card", opt->card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    cmd->add_option("file", opt->what, "iccid, imsi, ad, or a path such as ADF/6F07")->required();
    cmd->add_flag("--json", opt->json, "print one JSON object (lowercase hex)");
    cmd->callback([opt, &exit_code] { exit_code = run_read(*opt); });
}

}  // namespace simkit::cli
