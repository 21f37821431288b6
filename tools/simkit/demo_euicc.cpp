// The eUICC chapter of `simkit demo`: two test profiles added to the card (the development shortcut,
// not an SM-DP+ download), the EID and the profile list read through the ISD-R (SGP.22 ES10c, STORE
// DATA on a logical channel), a switch to each test profile with an AKA answered with that
// profile's own K/OPc (checked against MILENAGE on the host), and, disabling the last test profile,
// back to the factory profile 01 (SGP.21 TPRO10: the profile enabled before the test profiles).
#include <iostream>
#include <string>

#include "demo_story.hpp"
#include "euicc/test_profiles.hpp"
#include "simkit/aka.hpp"
#include "simkit/crypto.hpp"
#include "simkit/es10.hpp"
#include "simkit/euicc_client.hpp"
#include "simkit/milenage.hpp"
#include "simkit/usim_client.hpp"
#include "simulated_card.hpp"

namespace simkit::cli {

namespace {
struct DemoProfile {
    const char* iccid;
    const char* imsi;
    const char* name;
    const char* k;
    const char* opc;
};

// Test keys made up for the demo (not from any test set): each profile has its own.
constexpr DemoProfile kProfiles[] = {
    {"8999900100000000013", "001010000000013", "Demo A", "000102030405060708090A0B0C0D0E0F",
     "101112131415161718191A1B1C1D1E1F"},
    {"89999001000000000022", "001010000000022", "Demo B", "202122232425262728292A2B2C2D2E2F",
     "303132333435363738393A3B3C3D3E3F"},
};

void add_profiles(const std::string& state_path) {
    std::unique_ptr<sim::Card> card = sim::open_simulated_card(state_path);
    for (const DemoProfile& p : kProfiles) {
        sim::euicc::TestProfileSpec spec;
        spec.iccid = p.iccid;
        spec.imsi = p.imsi;
        spec.k = to_secure(from_hex(p.k));
        spec.opc = to_secure(from_hex(p.opc));
        spec.profile_name = p.name;
        spec.service_provider_name = "simkit demo";
        spec.profile_class = es10::ProfileClass::Test;
        const sim::euicc::InstalledProfile installed = sim::euicc::add_test_profile(card->state(), spec);
        std::cout << "  profile " << p.iccid << " (" << p.name << ", IMSI " << p.imsi << ") added, disabled, ISD-P "
                  << to_hex(installed.isdp_aid) << "\n";
    }
    card->state().commit();
}

void show_profiles(Euicc& euicc) {
    for (const es10::ProfileInfo& info : euicc.profiles()) {
        std::cout << "  " << (info.iccid ? es10::iccid_to_digits(*info.iccid) : std::string("?")) << "  "
                  << (info.state ? es10::to_string(*info.state) : std::string("?")) << "  "
                  << es10::to_string(info.profile_class.value_or(es10::ProfileClass::Operational)) << "  "
                  << info.profile_name.value_or("") << "\n";
    }
}

// AKA on the USIM the card presents now, the network side with `p`'s keys.
void aka_with(Card& card, const DemoProfile& p) {
    UsimClient usim(card);
    std::cout << "  USIM now: ICCID " << usim.iccid() << ", IMSI " << usim.imsi() << "\n";
    const milenage::Milenage network(to_secure(from_hex(p.k)), to_secure(from_hex(p.opc)));
    const bytes rand = crypto::random_bytes(16);
    const bytes autn = aka::build_autn(network, rand, from_hex("000000000021"), from_hex("8000"));
    const AkaAnswer answer = usim.authenticate(rand, autn);
    const bool ok = answer.result == AkaAnswer::Result::Ok && answer.res == network.f2345(rand).res;
    std::cout << "  AKA with " << p.name << "'s K/OPc: card " << AkaAnswer::result_name(answer.result)
              << (ok ? ", RES " + to_hex(answer.res) + " equals the host's XRES" : std::string(" (UNEXPECTED!)")) << "\n";
}
}  // namespace

void tell_euicc(const std::string& state_path) {
    Story::say("eUICC (GSMA SGP.22): two test profiles written into the card's state (a development shortcut, "
               "'simkit euicc add-test-profile'; no SM-DP+ download)");
    add_profiles(state_path);

    Card card = Card::open("sim:" + state_path);
    Story::say("The ISD-R (A0000005591010FFFFFFFF8900000100) on a logical channel: GetEID and the profile list "
               "(ES10c as STORE DATA); profile 01 is the card's factory USIM");
    bytes factory_iccid;
    {
        Euicc euicc(card);
        const std::string eid = to_hex(euicc.eid());
        std::cout << "  EID " << eid << " (channel " << int(euicc.channel()) << ")\n";
        show_profiles(euicc);
        for (const es10::ProfileInfo& info : euicc.profiles()) {
            if (info.state == es10::ProfileState::Enabled && info.iccid) factory_iccid = *info.iccid;
        }
    }

    for (const DemoProfile& p : kProfiles) {
        Story::say(std::string("EnableProfile ") + p.iccid + " (" + p.name + "): the card switches its USIM, and "
                   "AUTHENTICATE answers with that profile's keys");
        {
            Euicc euicc(card);
            euicc.enable(profile_by_iccid(p.iccid));
            show_profiles(euicc);
        }
        aka_with(card, p);
    }

    Story::say(std::string("DisableProfile ") + kProfiles[1].iccid + " (" + kProfiles[1].name + "): the card enables "
               "again the profile enabled before the test profiles, the factory profile 01 (SGP.21 TPRO10)");
    Euicc euicc(card);
    euicc.disable(profile_by_iccid(kProfiles[1].iccid));
    show_profiles(euicc);
    bool back = false;
    for (const es10::ProfileInfo& info : euicc.profiles()) {
        if (info.state == es10::ProfileState::Enabled && info.iccid == factory_iccid) back = true;
    }
    std::cout << (back ? "  profile 01 enabled again" : "  profile 01 not enabled (UNEXPECTED!)") << "\n";
}

}  // namespace simkit::cli
