// The PC/SC error border (hostlib/src/transport/pcsc_errors.*): every code pcsc-lite itself can
// describe is named by us too, names are unique, and each code raises the exception of its kind
// with the name and meaning in the message. pcsc-lite's own pcsc_stringify_error is the second
// opinion on which codes exist.
#include <catch2/catch.hpp>

#include <map>
#include <string>

// Private header of hostlib (not on the unit tests' include path).
#include "transport/pcsc_errors.hpp"

// From libpcsclite (winscard.h is not on the unit tests' include path; LONG is long on Linux).
extern "C" const char* pcsc_stringify_error(long code);

using namespace simkit;

namespace {
bool pcsclite_knows(long code) { return std::string(pcsc_stringify_error(code)).rfind("Unknown error", 0) != 0; }
}  // namespace

TEST_CASE("every code pcsc-lite describes has a unique SCARD_ name and a meaning", "[pcsc]") {
    std::map<std::string, long> names;
    int known = 0;
    for (long code = 0x80100000L; code <= 0x801000FFL; ++code) {
        const PcscCodeInfo info = pcsc_code_info(code);
        if (pcsclite_knows(code)) {
            ++known;
            INFO("code " << std::hex << code << ": pcsc-lite says " << pcsc_stringify_error(code));
            CHECK(std::string(info.name) != "SCARD_?");
        }
        if (std::string(info.name) == "SCARD_?") continue;
        CHECK(std::string(info.name).rfind("SCARD_", 0) == 0);
        CHECK(std::string(info.meaning).size() > 10);
        CHECK(names.emplace(info.name, code).second);  // no two codes share a name
    }
    CHECK(known > 30);  // the second opinion really was consulted
    CHECK(std::string(pcsc_code_info(0).name) == "SCARD_S_SUCCESS");
}

TEST_CASE("each kind raises its own TransportError subclass naming the code", "[pcsc]") {
    const long no_service = 0x8010001DL;  // SCARD_E_NO_SERVICE
    try {
        throw_pcsc_error("SCardEstablishContext", no_service, "start pcscd");
        FAIL("no exception");
    } catch (const PcscNoServiceError& e) {
        const std::string what = e.what();
        CHECK(what == "SCardEstablishContext: SCARD_E_NO_SERVICE (the PC/SC service (pcscd) is not running): start pcscd");
        CHECK(e.code() == no_service);
        CHECK(e.kind() == PcscFailure::NoService);
    }
    CHECK_THROWS_AS(throw_pcsc_error("SCardTransmit", 0x80100068L), PcscCardResetError);   // SCARD_W_RESET_CARD
    CHECK_THROWS_AS(throw_pcsc_error("SCardConnect", 0x8010000CL), PcscNoCardError);        // SCARD_E_NO_SMARTCARD
    CHECK_THROWS_AS(throw_pcsc_error("SCardConnect", 0x80100069L), PcscNoCardError);        // SCARD_W_REMOVED_CARD
    CHECK_THROWS_AS(throw_pcsc_error("SCardConnect", 0x8010000BL), PcscSharingError);       // SCARD_E_SHARING_VIOLATION
    CHECK_THROWS_AS(throw_pcsc_error("SCardGetStatusChange", 0x8010000AL), PcscTimeoutError);
    CHECK_THROWS_AS(throw_pcsc_error("SCardConnect", 0x80100009L), PcscNoReaderError);      // SCARD_E_UNKNOWN_READER
    CHECK_THROWS_AS(throw_pcsc_error("SCardListReaders", 0x8010002EL), PcscNoReaderError);  // SCARD_E_NO_READERS_AVAILABLE
    CHECK_THROWS_AS(throw_pcsc_error("SCardTransmit", 0x80100008L), TransportError);
    CHECK_NOTHROW(check_pcsc("SCardTransmit", 0));
}

TEST_CASE("an unknown code keeps its number in the message", "[pcsc]") {
    try {
        throw_pcsc_error("SCardControl", 0x80100099L);
        FAIL("no exception");
    } catch (const PcscError& e) {
        CHECK(std::string(e.what()).find("SCARD_?") != std::string::npos);
        CHECK(std::string(e.what()).find("0x80100099") != std::string::npos);
    }
}
