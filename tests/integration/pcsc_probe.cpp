// simkit_pcsc_probe: drives the host library's card access the way test_pcsc_exclusive.py needs, so
// exclusive access (Card::exclusive) and the reconnect-after-reset retry are tested through the real
// pcscd. Every line it prints is "WORD VALUE"; times are CLOCK_MONOTONIC seconds (the clock Python's
// time.monotonic() reads), so the test can order events across processes.
//
//   simkit_pcsc_probe hold URI MS [--without-exclusive]
//       opens the card, takes exclusive access, prints "held T", sleeps MS ms, sends SELECT ISD
//       ("response HEX"), prints "releasing T" just before ending the exclusive access, then
//       "elapsed MS" (held to released). --without-exclusive keeps only the connection open.
//   simkit_pcsc_probe transmit URI HEX...
//       opens the card, prints "start T", sends each command ("response HEX"), prints "done T" and
//       "elapsed MS".
//   simkit_pcsc_probe transmit-on-cue URI HEX...
//       the same, but prints "ready" once connected and waits for a line on stdin before "start".
//   simkit_pcsc_probe reset-retry URI
//       opens the card, opens logical channel 1 (MANAGE CHANNEL) and sends GET DATA (card data) on
//       it, prints "ready" and waits for a line on stdin (meanwhile another application resets the
//       card); then sends SELECT ISD on the basic channel and GET DATA on channel 1 again, printing
//       every answer ("response HEX"). After a reset, channel 1 is closed: 6881.
//   simkit_pcsc_probe provider-sign-on-cue KEY_URI
//       opens the key through simkit's OpenSSL provider (open_provider_key), signs "before" with
//       EVP_DigestSign SHA-256 ("signature HEX", DER), prints "ready" and waits for a line (meanwhile
//       another application resets the card), then signs "after" the same way: the provider's card
//       session must reopen and select the key store again.
// Logs at level info, so the pcsc: transport's reconnect after a reset shows on stderr.
// Exit code 0 on success, 1 when the card could not be reached, 2 on a usage error.
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>

#include "simkit/bytes.hpp"
#include "simkit/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/log.hpp"
#include "simkit/provider_key.hpp"

namespace {

const char* const kSelectIsd = "00A4040008A000000151000000";
const char* const kOpenChannel = "0070000001";
const char* const kGetCardDataOnChannel1 = "01CA006600";  // not SELECT, which would reopen it

using Clock = std::chrono::steady_clock;

double seconds_now() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

void say(const std::string& word, const std::string& value) {
    std::cout << word << ' ' << value << std::endl;  // endl flushes: the test reads line by line
}

void say_time(const std::string& word) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", seconds_now());
    say(word, text);
}

void say_elapsed(Clock::time_point since) {
    say("elapsed", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count()));
}

void send(simkit::Card& card, const std::string& hex) {
    say("response", simkit::to_hex(card.transmit_bytes(simkit::from_hex(hex))));
}

// Says "ready" and reads one line from stdin; false (with a message) when stdin closed instead.
bool wait_for_line() {
    say("ready", "stdin");
    std::string line;
    if (std::getline(std::cin, line)) return true;
    std::cerr << "simkit_pcsc_probe: stdin closed before the go-ahead\n";
    return false;
}

int hold(const std::string& uri, long milliseconds, bool exclusive) {
    simkit::Card card = simkit::Card::open(uri);
    std::unique_ptr<simkit::ExclusiveAccess> held;
    if (exclusive) held = card.exclusive();
    const auto start = Clock::now();
    say_time("held");
    std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
    send(card, kSelectIsd);
    say_time("releasing");
    held.reset();
    say_elapsed(start);
    return 0;
}

int transmit(const std::string& uri, const std::vector<std::string>& commands, bool on_cue) {
    simkit::Card card = simkit::Card::open(uri);
    if (on_cue && !wait_for_line()) return 1;
    const auto start = Clock::now();
    say_time("start");
    for (const auto& hex : commands) send(card, hex);
    say_time("done");
    say_elapsed(start);
    return 0;
}

int reset_retry(const std::string& uri) {
    simkit::Card card = simkit::Card::open(uri);
    send(card, kOpenChannel);
    send(card, kGetCardDataOnChannel1);
    if (!wait_for_line()) return 1;
    send(card, kSelectIsd);
    send(card, kGetCardDataOnChannel1);
    return 0;
}

void provider_sign(EVP_PKEY* key, const std::string& message) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t size = 0;
    bool ok = ctx != nullptr && EVP_DigestSignInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, key, nullptr) == 1 &&
              EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    simkit::bytes signature(size);
    ok = ok && EVP_DigestSign(ctx, signature.data(), &size, reinterpret_cast<const unsigned char*>(message.data()),
                              message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw simkit::CryptoError("signing '" + message + "': " + simkit::take_openssl_errors());
    signature.resize(size);
    say("signature", simkit::to_hex(signature));
}

int provider_sign_on_cue(const std::string& key_uri) {
    simkit::crypto::Pkey key = simkit::open_provider_key(key_uri);
    provider_sign(key.get(), "before");
    if (!wait_for_line()) return 1;
    provider_sign(key.get(), "after");
    return 0;
}

int usage() {
    std::cerr << "usage: simkit_pcsc_probe hold URI MS [--without-exclusive]\n"
                 "       simkit_pcsc_probe transmit URI HEX...\n"
                 "       simkit_pcsc_probe transmit-on-cue URI HEX...\n"
                 "       simkit_pcsc_probe reset-retry URI\n"
                 "       simkit_pcsc_probe provider-sign-on-cue KEY_URI\n";
    return 2;
}

int run(const std::vector<std::string>& args) {
    if (args.size() < 2) return usage();
    const std::string& command = args[0];
    const std::string& uri = args[1];
    if (command == "hold" && (args.size() == 3 || (args.size() == 4 && args[3] == "--without-exclusive"))) {
        std::size_t used = 0;
        const long milliseconds = std::stol(args[2], &used);
        if (used != args[2].size() || milliseconds < 0) return usage();
        return hold(uri, milliseconds, args.size() == 3);
    }
    if ((command == "transmit" || command == "transmit-on-cue") && args.size() >= 3) {
        return transmit(uri, {args.begin() + 2, args.end()}, command == "transmit-on-cue");
    }
    if (command == "reset-retry" && args.size() == 2) return reset_retry(uri);
    if (command == "provider-sign-on-cue" && args.size() == 2) return provider_sign_on_cue(uri);
    return usage();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        simkit::log::set_level(simkit::log::Level::Info);
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::invalid_argument&) {
        return usage();
    } catch (const std::exception& error) {
        std::cerr << "simkit_pcsc_probe: " << error.what() << '\n';
        return 1;
    }
}
