#include "provider_errors.hpp"

#include <openssl/core.h>

#include <cstdarg>

#include "provider_context.hpp"
#include "simkit/keystore_client.hpp"

namespace simkit::provider {
namespace {

const OSSL_ITEM kReasonStrings[] = {
    {kReasonBadKeyUri, const_cast<char*>("bad key URI")},
    {kReasonCardStatus, const_cast<char*>("card refused the command")},
    {kReasonCardUnreachable, const_cast<char*>("card not reachable")},
    {kReasonPinRequired, const_cast<char*>("PIN required")},
    {kReasonPinRejected, const_cast<char*>("PIN rejected")},
    {kReasonNoKey, const_cast<char*>("no such key")},
    {kReasonUnsupported, const_cast<char*>("unsupported")},
    {kReasonInternal, const_cast<char*>("internal error")},
    {0, nullptr},
};

void set_error(const ProviderContext* ctx, int reason, const char* format, ...) {
    va_list args;
    va_start(args, format);
    ctx->vset_error(ctx->handle, static_cast<uint32_t>(reason), format, args);
    va_end(args);
}

}  // namespace

const void* reason_strings() { return kReasonStrings; }

void raise_error(const ProviderContext* ctx, int reason, const std::string& message) {
    if (ctx == nullptr || ctx->new_error == nullptr || ctx->vset_error == nullptr) return;
    ctx->new_error(ctx->handle);
    if (ctx->set_error_debug != nullptr) ctx->set_error_debug(ctx->handle, "simkit provider", 0, nullptr);
    set_error(ctx, reason, "simkit: %s", message.c_str());
}

void raise_current_exception(const ProviderContext* ctx, const std::string& doing) {
    const std::string prefix = doing.empty() ? std::string() : doing + ": ";
    try {
        throw;
    } catch (const PinRequired& e) {
        raise_error(ctx, kReasonPinRequired, prefix + e.what());
    } catch (const PinError& e) {
        raise_error(ctx, kReasonPinRejected, prefix + e.what());
    } catch (const SwError& e) {
        const bool no_key = e.sw() == 0x6A88 || e.sw() == 0x6984;
        const bool pin = e.sw() == 0x6982;
        raise_error(ctx, no_key ? kReasonNoKey : pin ? kReasonPinRequired : kReasonCardStatus,
                    prefix + e.what() + (pin ? " (the key is PIN-bound: give its PIN)" : ""));
    } catch (const TransportError& e) {
        raise_error(ctx, kReasonCardUnreachable, prefix + e.what());
    } catch (const StateError& e) {  // a sim: card's state file cannot be opened
        raise_error(ctx, kReasonCardUnreachable, prefix + e.what());
    } catch (const FormatError& e) {
        raise_error(ctx, kReasonBadKeyUri, prefix + e.what());
    } catch (const ArgumentError& e) {
        raise_error(ctx, kReasonBadKeyUri, prefix + e.what());
    } catch (const std::exception& e) {
        raise_error(ctx, kReasonInternal, prefix + e.what());
    } catch (...) {
        raise_error(ctx, kReasonInternal, prefix + "unknown error");
    }
}

}  // namespace simkit::provider
