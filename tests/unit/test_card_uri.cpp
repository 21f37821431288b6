// Tests of card URIs (card_uri.hpp): the three forms sim:PATH, pcsc:NAME|INDEX, at:DEVICE, options
// after '?', errors that name the three forms, and $SIMKIT_CARD as the fallback.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <string>

#include "simkit/card_uri.hpp"
#include "simkit/errors.hpp"

using Catch::Matchers::Contains;
using simkit::CardScheme;
using simkit::CardUri;
using simkit::FormatError;

namespace {

// Sets or clears SIMKIT_CARD for one scope and restores what was there before.
class ScopedCardEnv {
public:
    explicit ScopedCardEnv(const char* value) {
        if (const char* old = std::getenv("SIMKIT_CARD")) saved_ = old;
        if (value != nullptr) {
            REQUIRE(::setenv("SIMKIT_CARD", value, 1) == 0);
        } else {
            REQUIRE(::unsetenv("SIMKIT_CARD") == 0);
        }
    }
    ~ScopedCardEnv() {
        if (saved_) {
            ::setenv("SIMKIT_CARD", saved_->c_str(), 1);
        } else {
            ::unsetenv("SIMKIT_CARD");
        }
    }
    ScopedCardEnv(const ScopedCardEnv&) = delete;
    ScopedCardEnv& operator=(const ScopedCardEnv&) = delete;

private:
    std::optional<std::string> saved_;
};

// Matches a message that names all three URI forms (a class: composed Catch matchers returned
// from a function would point at destroyed temporaries).
class NamesTheForms : public Catch::MatcherBase<std::string> {
public:
    bool match(const std::string& message) const override {
        return message.find("sim:PATH") != std::string::npos && message.find("pcsc:NAME|INDEX") != std::string::npos &&
               message.find("at:DEVICE") != std::string::npos;
    }
    std::string describe() const override { return "names sim:PATH, pcsc:NAME|INDEX and at:DEVICE"; }
};
NamesTheForms names_the_forms() { return {}; }

}  // namespace

TEST_CASE("sim:PATH", "[uri]") {
    const CardUri u = CardUri::parse("sim:/tmp/card.state");
    CHECK(u.scheme == CardScheme::Sim);
    CHECK(u.target == "/tmp/card.state");
    CHECK(u.options.empty());
    CHECK(u.text == "sim:/tmp/card.state");
    CHECK(CardUri::parse("sim:relative/c.state").target == "relative/c.state");
    CHECK(CardUri::parse("sim:C:/odd:name").target == "C:/odd:name");  // only the first ':' splits
}

TEST_CASE("pcsc:NAME|INDEX, the name may be empty (first reader)", "[uri]") {
    const CardUri byname = CardUri::parse("pcsc:Virtual PCD 00 00");
    CHECK(byname.scheme == CardScheme::Pcsc);
    CHECK(byname.target == "Virtual PCD 00 00");
    CHECK(CardUri::parse("pcsc:0").target == "0");
    CHECK(CardUri::parse("pcsc:").target.empty());
}

TEST_CASE("at:DEVICE with options after '?'", "[uri]") {
    const CardUri u = CardUri::parse("at:/dev/ttyUSB2?baud=115200&timeout=5");
    CHECK(u.scheme == CardScheme::At);
    CHECK(u.target == "/dev/ttyUSB2");
    CHECK(u.options.size() == 2);
    CHECK(u.option("baud") == std::optional<std::string>("115200"));
    CHECK(u.option("timeout") == std::optional<std::string>("5"));
    CHECK_FALSE(u.option("parity").has_value());
    CHECK(CardUri::parse("sim:/x?empty=").option("empty") == std::optional<std::string>(""));
    CHECK(CardUri::parse("sim:/x?a=1&a=2").option("a") == std::optional<std::string>("2"));
    CHECK(CardUri::parse("sim:/x?k=v=w").option("k") == std::optional<std::string>("v=w"));
    CHECK(CardUri::parse("pcsc:?reader=1").target.empty());
}

TEST_CASE("bad URIs raise FormatError naming the three forms", "[uri]") {
    CHECK_THROWS_AS(CardUri::parse(""), FormatError);
    CHECK_THROWS_WITH(CardUri::parse(""), names_the_forms());
    CHECK_THROWS_AS(CardUri::parse("/tmp/card.state"), FormatError);
    CHECK_THROWS_WITH(CardUri::parse("/tmp/card.state"), names_the_forms() && Contains("no scheme"));
    CHECK_THROWS_AS(CardUri::parse("http://x"), FormatError);
    CHECK_THROWS_WITH(CardUri::parse("http://x"), names_the_forms() && Contains("'http'"));
    CHECK_THROWS_AS(CardUri::parse("SIM:/x"), FormatError);
    CHECK_THROWS_WITH(CardUri::parse("SIM:/x"), names_the_forms());  // schemes are lower case
    CHECK_THROWS_WITH(CardUri::parse("sim:"), Contains("sim:PATH"));
    CHECK_THROWS_WITH(CardUri::parse("sim:?a=1"), Contains("state file"));
    CHECK_THROWS_WITH(CardUri::parse("at:"), Contains("at:DEVICE"));
    CHECK_THROWS_WITH(CardUri::parse("at:/dev/ttyUSB0?baud"), Contains("'baud'") && Contains("key=value"));
    CHECK_THROWS_AS(CardUri::parse("at:/dev/ttyUSB0?=115200"), FormatError);
    CHECK_THROWS_AS(CardUri::parse("at:/dev/ttyUSB0?a=1&&b=2"), FormatError);
    CHECK(std::string(simkit::card_uri_forms()).find("sim:PATH") != std::string::npos);
}

TEST_CASE("resolve_card_uri: explicit URI first, then $SIMKIT_CARD, else an error naming the forms", "[uri]") {
    {
        ScopedCardEnv env("pcsc:1");
        CHECK(simkit::resolve_card_uri(std::string("sim:/a")).target == "/a");  // explicit wins
        const CardUri from_env = simkit::resolve_card_uri(std::nullopt);
        CHECK(from_env.scheme == CardScheme::Pcsc);
        CHECK(from_env.target == "1");
        CHECK(simkit::resolve_card_uri(std::string("")).scheme == CardScheme::Pcsc);  // empty = not given
    }
    {
        ScopedCardEnv env(nullptr);
        CHECK_THROWS_AS(simkit::resolve_card_uri(std::nullopt), FormatError);
        CHECK_THROWS_WITH(simkit::resolve_card_uri(std::nullopt), names_the_forms() && Contains("SIMKIT_CARD") && Contains("--card"));
        CHECK(simkit::resolve_card_uri(std::string("at:/dev/ttyACM0")).scheme == CardScheme::At);
    }
    {
        ScopedCardEnv env("");  // set but empty counts as unset
        CHECK_THROWS_AS(simkit::resolve_card_uri(std::nullopt), FormatError);
    }
    {
        ScopedCardEnv env("bogus");  // a bad $SIMKIT_CARD is a FormatError like any bad URI
        CHECK_THROWS_AS(simkit::resolve_card_uri(std::nullopt), FormatError);
        CHECK_THROWS_WITH(simkit::resolve_card_uri(std::nullopt), names_the_forms());
    }
}
