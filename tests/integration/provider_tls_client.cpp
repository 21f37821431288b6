// simkit_provider_tls_client: a small libssl client for test_provider_openssl.py that does mutual-TLS
// handshakes with the on-card key through the C++ helper simkit::open_provider_key (issue 12). The
// key is opened ONCE and shared by every thread (one SSL_CTX, one EVP_PKEY), so the provider's card
// session is used by several threads at once and must serialise their signatures.
//
//   simkit_provider_tls_client --connect HOST:PORT --cert dev.pem --key 'simkit:slot=1;card=...'
//                              --ca ca.pem [--threads 2] [--handshakes N] [--tls1_2] [--pin PIN]
//
// Each thread does N full handshakes, each on a new TCP connection: SSL_connect, the server's
// certificate checked against --ca (chain and, for an IP address, the address in the certificate),
// one line of application data written ("simkit-provider-tls-client thread T handshake I"; in TLS 1.3
// the server judges the client certificate after the client's last flight, so only an exchange after
// it proves the server took it), then a bidirectional SSL_shutdown (the server's close_notify read
// back: a server that refused the client certificate sends an alert instead), and close. No session
// resumption: every handshake signs with the card.
// Prints one JSON line: {"threads":T,"handshakes_per_thread":N,"succeeded":S,"failed":F,
// "protocol":"TLSv1.3","cipher":"...","errors":["..."]}. Exit code 0 only when every handshake
// succeeded, 1 when one failed or the key/certificates could not be loaded, 2 on a usage error.
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/core/openssl_ptr.hpp"
#include "simkit/provider_key.hpp"

namespace {

struct Options {
    std::string host;
    std::string port;
    std::string cert;
    std::string key;
    std::string ca;
    int threads = 2;
    int handshakes = 1;
    bool tls1_2 = false;
    std::optional<std::string> pin;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Options parse_options(int argc, char** argv) {
    Options options;
    std::string connect;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(arg + " needs a value");
            return argv[++i];
        };
        auto positive = [&](const std::string& text) {
            std::size_t used = 0;
            int number = 0;
            try {
                number = std::stoi(text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != text.size() || number < 1 || number > 10000) {
                throw UsageError(arg + ": not a count 1..10000: " + text);
            }
            return number;
        };
        if (arg == "--connect") connect = value();
        else if (arg == "--cert") options.cert = value();
        else if (arg == "--key") options.key = value();
        else if (arg == "--ca") options.ca = value();
        else if (arg == "--threads") options.threads = positive(value());
        else if (arg == "--handshakes") options.handshakes = positive(value());
        else if (arg == "--tls1_2") options.tls1_2 = true;
        else if (arg == "--pin") options.pin = value();
        else throw UsageError("unknown argument " + arg);
    }
    const auto colon = connect.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == connect.size()) {
        throw UsageError("--connect HOST:PORT is required");
    }
    options.host = connect.substr(0, colon);
    options.port = connect.substr(colon + 1);
    if (options.cert.empty() || options.key.empty() || options.ca.empty()) {
        throw UsageError("--cert, --key and --ca are required");
    }
    return options;
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
                    out += buffer;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

// This thread's OpenSSL error queue as text (emptied).
std::string openssl_errors() {
    std::string text = simkit::take_openssl_errors();
    return text.empty() ? "no OpenSSL error queued" : text;
}

using SslCtxPtr = simkit::OpensslPtr<SSL_CTX, SSL_CTX_free>;
using SslPtr = simkit::OpensslPtr<SSL, SSL_free>;

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const noexcept { return fd_; }

private:
    int fd_;
};

int connect_tcp(const Options& options) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(options.host.c_str(), options.port.c_str(), &hints, &found);
    if (rc != 0) throw std::runtime_error("resolving " + options.host + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
    std::string last_error = "no address";
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
        last_error = std::strerror(errno);
        ::close(fd);
    }
    throw std::runtime_error("connecting to " + options.host + ":" + options.port + ": " + last_error);
}

SslCtxPtr make_context(const Options& options, EVP_PKEY* key) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) throw std::runtime_error("SSL_CTX_new: " + openssl_errors());
    const int version = options.tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
    if (!SSL_CTX_set_min_proto_version(ctx.get(), version) || !SSL_CTX_set_max_proto_version(ctx.get(), version)) {
        throw std::runtime_error("setting the TLS version: " + openssl_errors());
    }
    if (options.tls1_2 &&
        !SSL_CTX_set_cipher_list(ctx.get(), "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384")) {
        throw std::runtime_error("SSL_CTX_set_cipher_list: " + openssl_errors());
    }
    // Every handshake a full one: the card signs each time.
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), options.cert.c_str()) != 1) {
        throw std::runtime_error("loading the client certificate " + options.cert + ": " + openssl_errors());
    }
    // libssl compares the key with the certificate's public key here already.
    if (SSL_CTX_use_PrivateKey(ctx.get(), key) != 1) {
        throw std::runtime_error("the key " + options.key + " does not match the certificate " + options.cert +
                                 " or cannot be used (SSL_CTX_use_PrivateKey: " + openssl_errors() + ")");
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
        throw std::runtime_error("the key " + options.key + " does not match the certificate " + options.cert +
                                 " (SSL_CTX_check_private_key: " + openssl_errors() + ")");
    }
    if (SSL_CTX_load_verify_locations(ctx.get(), options.ca.c_str(), nullptr) != 1) {
        throw std::runtime_error("loading the CA " + options.ca + ": " + openssl_errors());
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    return ctx;
}

struct Negotiated {
    std::string protocol;
    std::string cipher;
};

// One full handshake on a new connection; throws with the reason when it fails.
Negotiated handshake(SSL_CTX* ctx, const Options& options, int thread, int index) {
    Socket socket(connect_tcp(options));
    SslPtr ssl(SSL_new(ctx));
    if (!ssl) throw std::runtime_error("SSL_new: " + openssl_errors());
    // The server's certificate must name the address we connected to (an IP address or a host name).
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    if (X509_VERIFY_PARAM_set1_ip_asc(param, options.host.c_str()) != 1) {
        ERR_clear_error();
        if (SSL_set1_host(ssl.get(), options.host.c_str()) != 1) {
            throw std::runtime_error("SSL_set1_host: " + openssl_errors());
        }
    }
    if (SSL_set_fd(ssl.get(), socket.fd()) != 1) throw std::runtime_error("SSL_set_fd: " + openssl_errors());
    if (SSL_connect(ssl.get()) != 1) {
        const long verify = SSL_get_verify_result(ssl.get());
        std::string reason = "SSL_connect: " + openssl_errors();
        if (verify != X509_V_OK) {
            reason += " (server certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
        }
        throw std::runtime_error(reason);
    }
    const long verify = SSL_get_verify_result(ssl.get());
    if (verify != X509_V_OK) {
        throw std::runtime_error("server certificate not verified: " +
                                 std::string(X509_verify_cert_error_string(verify)));
    }
    Negotiated negotiated{SSL_get_version(ssl.get()), SSL_get_cipher_name(ssl.get())};
    const std::string line =
        "simkit-provider-tls-client thread " + std::to_string(thread) + " handshake " + std::to_string(index) + "\n";
    if (SSL_write(ssl.get(), line.data(), static_cast<int>(line.size())) != static_cast<int>(line.size())) {
        throw std::runtime_error("SSL_write after the handshake: " + openssl_errors());
    }
    // Bidirectional close: our close_notify, then the server's (or its alert).
    const int first = SSL_shutdown(ssl.get());
    if (first < 0) throw std::runtime_error("SSL_shutdown: " + openssl_errors());
    if (first == 0) {
        char buffer[256];
        for (;;) {
            const int n = SSL_read(ssl.get(), buffer, sizeof buffer);
            if (n > 0) continue;  // data the server still sent
            const int error = SSL_get_error(ssl.get(), n);
            if (error == SSL_ERROR_ZERO_RETURN) break;
            throw std::runtime_error("waiting for the server's close_notify: " + openssl_errors());
        }
    }
    return negotiated;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a server that hung up is an error to report, not a death
    Options options;
    try {
        options = parse_options(argc, argv);
    } catch (const UsageError& error) {
        std::cerr << "simkit_provider_tls_client: " << error.what() << "\n"
                  << "usage: simkit_provider_tls_client --connect HOST:PORT --cert PEM --key URI --ca PEM "
                     "[--threads T] [--handshakes N] [--tls1_2] [--pin PIN]\n";
        return 2;
    }

    std::mutex mutex;
    std::vector<std::string> errors;
    std::string protocol;
    std::string cipher;
    std::atomic<int> succeeded{0};
    std::atomic<int> failed{0};
    auto print_result = [&] {
        std::ostringstream out;
        out << "{\"threads\":" << options.threads << ",\"handshakes_per_thread\":" << options.handshakes
            << ",\"succeeded\":" << succeeded.load() << ",\"failed\":" << failed.load()
            << ",\"protocol\":" << json_string(protocol) << ",\"cipher\":" << json_string(cipher) << ",\"errors\":[";
        for (std::size_t i = 0; i < errors.size(); ++i) out << (i ? "," : "") << json_string(errors[i]);
        out << "]}";
        std::cout << out.str() << std::endl;
    };

    SslCtxPtr ctx;
    try {
        simkit::ProviderKeyOptions key_options;
        if (options.pin) key_options.pin = simkit::secure_bytes(options.pin->begin(), options.pin->end());
        // Opened once; the SSL_CTX holds its own reference, shared by every SSL of every thread.
        simkit::crypto::Pkey key = simkit::open_provider_key(options.key, key_options);
        ctx = make_context(options, key.get());
    } catch (const std::exception& error) {
        errors.push_back(error.what());
        print_result();
        return 1;
    }

    std::vector<std::thread> threads;
    for (int t = 0; t < options.threads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < options.handshakes; ++i) {
                try {
                    const Negotiated used = handshake(ctx.get(), options, t, i);
                    ++succeeded;
                    std::lock_guard lock(mutex);
                    protocol = used.protocol;
                    cipher = used.cipher;
                } catch (const std::exception& error) {
                    ++failed;
                    std::lock_guard lock(mutex);
                    if (errors.size() < 20) {
                        errors.push_back("thread " + std::to_string(t) + " handshake " + std::to_string(i) + ": " +
                                         error.what());
                    }
                }
            }
            ERR_clear_error();
        });
    }
    for (auto& thread : threads) thread.join();
    print_result();
    return failed.load() == 0 && succeeded.load() == options.threads * options.handshakes ? 0 : 1;
}
