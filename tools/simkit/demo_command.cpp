// `simkit demo`: the story of simkit told on a simulated card in a temporary directory.
// It grows as features land (secure channel, key store, USIM ...).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "demo_story.hpp"
#include "simkit/core/apdu_trace.hpp"
#include "simkit/card.hpp"
#include "simkit/commands.hpp"
#include "simkit/crypto.hpp"
#include "simkit/diversify.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/gp_client.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/scp_session.hpp"
#include "simkit/tlv.hpp"

namespace simkit::cli {

// demo_euicc.cpp: two test profiles, the EID and profile list, a switch to each with AKA on its keys.
void tell_euicc(const std::string& state_path);

namespace {
std::filesystem::path make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "simkit-demo.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw Error("demo: cannot create a temporary directory");
    return pattern;
}

// The card's own story, in one session; returns its card image number.
bytes tell_card(const std::string& uri, const std::filesystem::path& state) {
    Card card = Card::open(uri);
    Story story(card);
    std::cout << "simkit demo — a simulated SIM card, state file " << state << "\n";

    story.say("The card answers to reset (ATR; the last byte is the TCK check byte):");
    std::cout << "  " << to_hex(card.atr()) << "\n";

    story.say("SELECT the GlobalPlatform Issuer Security Domain by AID: it answers with its FCI (6F, AID in 84)");
    const ResponseApdu fci = story.send("00A4040008A000000151000000");
    if (const auto aid = parse_tlvs(fci.data()).front().find(0x84)) std::cout << "  selected AID " << to_hex(aid->value) << "\n";

    story.say("GET DATA: card recognition data (66), key information (E0), card image number (45)");
    story.send("80CA006600");
    const ResponseApdu keys = story.send("80CA00E000");
    for (const auto& info : parse_tlvs(keys.data()).front().children()) {
        std::cout << "  key id " << int(info.value[0]) << " version " << to_hex(&info.value[1], 1) << " AES-"
                  << info.value[3] * 8 << "\n";
    }
    const bytes serial = story.send("80CA004500").data();

    story.say("Logical channels: MANAGE CHANNEL opens channel 1; SELECT by partial AID on it; close it");
    const ResponseApdu opened = story.send("0070000001");
    std::cout << "  opened channel " << (opened.data().empty() ? -1 : opened.data()[0]) << "\n";
    story.send("01A4040005A000000151");
    story.send("0070800100");

    story.say("Bad input gets a status word, never a crash: truncated APDU, unknown INS, bad class");
    story.send("00A404");
    story.send("00A4040008A0000001");
    story.send("00EE000000");
    story.send("2000000000");
    return serial;
}

// simkit-card serving the same state file as an AT modem on a pty, stopped with SIGTERM.
class ServedModem {
public:
    ServedModem(const std::filesystem::path& daemon, const std::filesystem::path& state, std::filesystem::path link)
        : link_(std::move(link)) {
        std::vector<std::string> args{daemon.string(), "serve", "--state", state.string(), "--at-pty", link_.string(),
                                      "--log-level", "error"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
            throw Error("demo: cannot start " + daemon.string());
        }
        for (int waited_ms = 0; !std::filesystem::is_symlink(link_); waited_ms += 20) {
            if (waited_ms > 5000) throw Error("demo: simkit-card created no pty within 5 s");
            usleep(20000);
        }
    }
    ~ServedModem() { stop(); }
    ServedModem(const ServedModem&) = delete;
    ServedModem& operator=(const ServedModem&) = delete;
    // SIGTERM, then its exit code.
    int stop() {
        if (pid_ <= 0) return exit_code_;
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
    }
    std::string uri() const { return "at:" + link_.string(); }

private:
    std::filesystem::path link_;
    pid_t pid_ = -1;
    int exit_code_ = -1;
};

void tell_modem(const std::filesystem::path& state, const bytes& serial) {
    const std::filesystem::path daemon = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "simkit-card";
    Story::say("The same card as a cellular modem: simkit-card serves it on a pty, the host reaches it with at:");
    if (!std::filesystem::exists(daemon)) {
        std::cout << "  (skipped: " << daemon << " is not built)\n";
        return;
    }
    ServedModem modem(daemon, state, state.parent_path() / "modem");
    std::cout << "  simkit-card serve --state " << state.filename().string() << " --at-pty " << modem.uri().substr(3)
              << "\n";
    {
        Card card = Card::open(modem.uri());
        Story story(card);
        story.send("00A4040008A000000151000000");
        const bytes over_at = story.send("80CA004500").data();
        std::cout << "  card image number over AT " << to_hex(over_at) << (over_at == serial ? "  (same card)" : "  (DIFFERENT!)")
                  << "\n";
    }
    std::cout << "  SIGTERM: simkit-card exited " << modem.stop() << "\n";
}

// The secure channel chapter: SCP03 with the factory keys, GET STATUS inside it, the ISD's keys
// rotated to keys diversified from a master key and the card's KDD, the factory key refused, and a
// new session with the diversified keys. Key values are never shown; KCVs are.
void show_wrapped(ScpSession& session) {
    session.set_observer([](const CommandApdu& plain, const bytes& wrapped_command, const bytes& wrapped_response,
                            const ResponseApdu& plain_response) {
        std::cout << "  > " << trace_command(plain.encode()) << "  (plain)\n"
                  << "  > " << trace_command(wrapped_command) << "  (wrapped: C-MAC, encrypted)\n"
                  << "  < " << trace_response(wrapped_response) << "  (wrapped: R-MAC, encrypted)\n"
                  << "  < " << trace_response(plain_response.encode()) << "  (plain)\n";
    });
}

void show_isd(GpClient& gp) {
    for (const auto& isd : gp.get_status(0x80)) {
        std::cout << "  ISD " << to_hex(isd.aid) << ", life cycle " << to_hex(bytes{isd.life_cycle}) << ", privileges "
                  << to_hex(isd.privileges) << "\n";
    }
}

void tell_secure_channel(const std::string& uri) {
    const secure_bytes factory_key = secure_from_hex("404142434445464748494A4B4C4D4E4F");
    const secure_bytes demo_master = secure_from_hex("00112233445566778899AABBCCDDEEFF");
    ScpOptions options;  // SCP03, the card's default key set (KVN 00), level full (33)
    Card card = Card::open(uri);

    Story::say("Secure channel: SCP03 with the factory key set, level full (C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION)");
    bytes kdd;
    {
        ScpSession session(card, single_key(factory_key), options);
        const auto& info = session.card_info();
        kdd = info.key_diversification_data;
        std::cout << "  INITIALIZE UPDATE: key set " << to_hex(bytes{info.kvn}) << ", i=" << to_hex(bytes{info.i})
                  << ", card's key diversification data (KDD) " << to_hex(kdd) << "\n"
                  << "  card cryptogram verified; EXTERNAL AUTHENTICATE accepted at level "
                  << to_hex(bytes{session.level()}) << " (" << scp::describe_level(session.level()) << ")\n";
        GpClient gp(session);

        Story::say("GET STATUS of the ISD inside the channel: the command travels MACed and encrypted");
        show_wrapped(session);
        show_isd(gp);
        session.set_observer({});

        Story::say("Rotate the ISD keys: PUT KEY replaces key set 30 by key set 31, diversified (KDF3) from a demo "
                   "master key and the KDD");
        KeySetUpdate update;
        update.new_kvn = 0x31;
        update.replace_kvn = 0x30;
        update.keys = diversify_keys(DiversificationScheme::Kdf3, demo_master, kdd);
        const auto kcvs = gp.put_key(update);
        std::cout << "  keys sent encrypted under the DEK; the card answered KVN 31 and KCVs ENC " << to_hex(kcvs[0])
                  << ", MAC " << to_hex(kcvs[1]) << ", DEK " << to_hex(kcvs[2]) << "  (KCVs match)\n";
    }

    Story::say("The factory key no longer opens the card");
    try {
        ScpSession refused(card, single_key(factory_key), options);
        std::cout << "  the factory key still works (UNEXPECTED!)\n";
    } catch (const Error& e) {
        std::cout << "  factory key refused: " << e.what() << "\n";
    }

    Story::say("Re-authenticate with keys diversified from the master key and the KDD the card sends, GET STATUS again");
    const ScpKeySource diversified = [&demo_master](const scp::InitUpdateResponse& answer) {
        return diversify_keys(DiversificationScheme::Kdf3, demo_master, answer.key_diversification_data);
    };
    ScpSession session(card, diversified, options);
    std::cout << "  re-authenticated with key set " << to_hex(bytes{session.card_info().kvn}) << "\n";
    show_wrapped(session);
    GpClient gp(session);
    show_isd(gp);
}

// The key store chapter: a device key generated on the card (IoT SAFE applet, slot 1), its public key
// as PEM, a signature made on the card and verified on the host by OpenSSL, and ECDH between the
// card's key and a host key with both sides computing the same secret. The private scalar stays on
// the card; the shared secret is shown only as a fingerprint.
void tell_key_store(const std::string& uri) {
    constexpr uint8_t kSlot = 1;
    Card card = Card::open(uri);
    KeyStore store(card);

    Story::say("Key store (GSMA IoT SAFE applet A0000005590010): GENERATE KEY PAIR makes a P-256 device key in "
               "slot 1 on the card; the private key never leaves it");
    const bytes point = store.generate(kSlot);
    std::cout << "  public point " << to_hex(point) << "\n";

    Story::say("READ PUBLIC KEY: the card's public key as SubjectPublicKeyInfo PEM, as OpenSSL reads it");
    const std::string pem = store.public_key_pem(kSlot);
    for (std::size_t start = 0; start < pem.size();) {
        const std::size_t end = pem.find('\n', start);
        std::cout << "  " << pem.substr(start, end == std::string::npos ? std::string::npos : end - start) << "\n";
        if (end == std::string::npos) break;
        start = end + 1;
    }

    Story::say("COMPUTE SIGNATURE on the card (ECDSA-SHA256), verified on the host by OpenSSL with the public key");
    const std::string text = "simkit demo: this message was signed by the SIM";
    const bytes message(text.begin(), text.end());
    const bytes signature = store.sign(kSlot, message);
    std::cout << "  message '" << text << "'\n  signature (DER, " << signature.size() << " bytes) " << to_hex(signature)
              << "\n";
    const bytes raw = crypto::ecdsa_der_to_raw(signature);
    const bool good = crypto::p256_verify_digest(point, crypto::sha256(message), raw);
    std::cout << (good ? "  signature verified by OpenSSL" : "  signature REJECTED by OpenSSL (UNEXPECTED!)") << "\n";
    bytes changed = message;
    changed.back() ^= 0x01;
    const bool forged = crypto::p256_verify_digest(point, crypto::sha256(changed), raw);
    std::cout << (forged ? "  a changed message verifies too (UNEXPECTED!)" : "  a changed message does not verify")
              << "\n";

    Story::say("ECDH: the card's device key and a key made on the host agree on a shared secret");
    const crypto::P256KeyPair host = crypto::p256_generate();
    std::cout << "  host public point " << to_hex(host.public_point) << "\n";
    const secure_bytes on_card = store.ecdh(kSlot, host.public_point);  // PUT PUBLIC KEY in slot 5, COMPUTE DH
    const secure_bytes on_host = crypto::p256_ecdh(host.private_scalar, point);
    const bytes fingerprint = crypto::sha256(on_card.data(), on_card.size());
    std::cout << "  card: COMPUTE DH with the host key (put in public key slot 05); host: OpenSSL ECDH with the card's key\n"
              << (ct_equal(on_card, on_host) ? "  card and host computed the same shared secret"
                                             : "  card and host secrets DIFFER (UNEXPECTED!)")
              << " (" << on_card.size() << " bytes, SHA-256 fingerprint " << to_hex(bytes(fingerprint.begin(), fingerprint.begin() + 8))
              << ")\n";
}

void tell(const std::string& uri, const std::filesystem::path& state) {
    const bytes serial = tell_card(uri, state);

    Story::say("Power cycle: the state file keeps the card's identity");
    {
        Card again = Card::open(uri);
        const ResponseApdu serial_again = again.transmit(CommandApdu::case2(0x80, 0xCA, 0x00, 0x45, 256));
        std::cout << "  card image number before " << to_hex(serial) << ", after " << to_hex(serial_again.data())
                  << (serial == serial_again.data() ? "  (same)" : "  (DIFFERENT!)") << "\n";
    }
    tell_modem(state, serial);
    tell_secure_channel(uri);
    tell_key_store(uri);
    tell_usim(uri);
    tell_euicc(state.string());
    tell_line(state.parent_path());
    std::cout << "\nDone. Try it yourself:\n  build/bin/simkit apdu --card sim:card.state 00A4040008A000000151000000\n"
              << "  build/bin/simkit gp status --card sim:card.state --key 404142434445464748494A4B4C4D4E4F\n"
              << "  build/bin/simkit key gen --card sim:card.state --slot 1\n"
              << "  build/bin/simkit read --card sim:card.state imsi\n"
              << "  build/bin/simkit aka --card sim:card.state --k 465b5ce8b199b49faa5f0a2ee238a6bc "
                 "--opc cd63cb71954a9f4e48a5994e37a02baf --sqn 000000000041\n"
              << "  build/bin/simkit euicc profiles --card sim:card.state\n";
}
}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
    auto keep = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("demo", "Tell simkit's story on a fresh simulated card in a temporary directory");
    cmd->add_flag("--keep", *keep, "keep the temporary directory (and its state file) afterwards");
    cmd->callback([keep, &exit_code] {
        const std::filesystem::path dir = make_temp_dir();
        const std::filesystem::path state = dir / "card.state";
        try {
            tell("sim:" + state.string(), state);
        } catch (...) {
            if (!*keep) std::filesystem::remove_all(dir);
            throw;
        }
        if (*keep) {
            std::cout << "(kept " << dir << ")\n";
        } else {
            std::filesystem::remove_all(dir);
        }
        exit_code = 0;
    });
}

}  // namespace simkit::cli
