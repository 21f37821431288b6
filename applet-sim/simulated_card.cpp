// The standard simulated card (see simulated_card.hpp).
#include "simulated_card.hpp"

#include <vector>

#include "euicc/isdr_applet.hpp"
#include "gp/isd.hpp"
#include "keystore/keystore_applet.hpp"
#include "uicc/file_system.hpp"
#include "usim/usim_applet.hpp"

namespace simkit::sim {

namespace {
std::vector<std::unique_ptr<Applet>> standard_applets() {
    std::vector<std::unique_ptr<Applet>> applets;
    applets.push_back(std::make_unique<IssuerSecurityDomain>());
    applets.push_back(std::make_unique<KeyStoreApplet>());
    applets.push_back(std::make_unique<UsimApplet>());
    applets.push_back(std::make_unique<IsdrApplet>());  // after the USIM: migration reads its records
    return applets;
}

void write_card_defaults(PersistentState& state) {
    state.put(records::kUserPin, secure_bytes{'1', '2', '3', '4'});
    state.put(records::kUserPinTries, secure_bytes{3, 3});
    state.put(records::kPuk, secure_bytes{'1', '2', '3', '4', '5', '6', '7', '8'});
    state.put(records::kPukTries, secure_bytes{10, 10});
}

std::unique_ptr<Card> assemble(PersistentState state, std::vector<std::unique_ptr<Applet>> applets,
                               std::unique_ptr<uicc::FileSystem> files, CardOptions options) {
    auto card = std::make_unique<Card>(std::move(state), options);
    card->install_file_system(std::move(files));
    bool first = true;
    for (auto& applet : applets) {
        card->install(std::move(applet), first);  // the ISD comes first and is the default
        first = false;
    }
    card->power_on();
    return card;
}
}  // namespace

std::unique_ptr<Card> open_simulated_card(const std::string& state_path, CardOptions options) {
    auto applets = standard_applets();
    auto files = std::make_unique<uicc::FileSystem>();
    auto state = PersistentState::open(state_path, [&](PersistentState& fresh) {
        write_card_defaults(fresh);
        files->write_factory_defaults(fresh);
        for (const auto& applet : applets) applet->write_factory_defaults(fresh);
    });
    // A state file from an older simkit keeps its data; records this build added get defaults.
    files->add_missing_records(state);
    for (const auto& applet : applets) applet->add_missing_records(state);
    state.commit();
    return assemble(std::move(state), std::move(applets), std::move(files), options);
}

std::unique_ptr<Card> make_memory_card(CardOptions options) {
    auto applets = standard_applets();
    auto files = std::make_unique<uicc::FileSystem>();
    PersistentState state;
    write_card_defaults(state);
    files->write_factory_defaults(state);
    for (const auto& applet : applets) applet->write_factory_defaults(state);
    state.commit();
    return assemble(std::move(state), std::move(applets), std::move(files), options);
}

}  // namespace simkit::sim
