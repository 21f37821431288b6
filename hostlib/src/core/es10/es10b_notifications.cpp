// ES10b notifications: NotificationMetadata, ListNotification, RetrieveNotificationsList with its
// OtherSignedNotification entries, NotificationSent (SGP.22 5.7.9-5.7.11).
#include "simkit/es10.hpp"

#include "es10_der.hpp"
#include "simkit/errors.hpp"

namespace simkit::es10 {

namespace {
constexpr uint32_t kTagNotificationMetadata = 0xBF2F;
constexpr uint32_t kTagSignature = 0x5F37;
constexpr uint32_t kTagProfileInstallationResult = 0xBF37;

void append(bytes& out, const bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

uint32_t read_seq_number(const Tlv& tlv, const char* message) {
    return static_cast<uint32_t>(der::read_integer(tlv, 0xFFFFFFFFu, message, "seqNumber"));
}
}  // namespace

std::string to_string(NotificationEvent event) {
    switch (event) {
        case NotificationEvent::Install: return "install";
        case NotificationEvent::Enable: return "enable";
        case NotificationEvent::Disable: return "disable";
        case NotificationEvent::Delete: return "delete";
    }
    return "unknown(" + std::to_string(static_cast<int>(event)) + ")";
}

// --- NotificationMetadata (BF2F) -----------------------------------------------------------------

Tlv NotificationMetadata::to_tlv() const {
    bytes v;
    append(v, encode_tlv(0x80, der::integer(seq_number)));
    append(v, encode_tlv(0x81, der::encode_event(event)));
    append(v, encode_tlv(0x0C, der::text(address)));
    if (iccid) append(v, encode_tlv(0x5A, *iccid));
    return Tlv{kTagNotificationMetadata, v};
}

NotificationMetadata NotificationMetadata::from_tlv(const Tlv& bf2f) {
    constexpr const char* kName = "NotificationMetadata";
    if (bf2f.tag != kTagNotificationMetadata) {
        throw FormatError(std::string(kName) + ": tag " + der::tag_name(bf2f.tag) + ", expected BF2F");
    }
    const auto f = der::children_of(bf2f, kName, "content");
    NotificationMetadata m;
    m.seq_number = read_seq_number(der::require(f, 0x80, kName, "seqNumber"), kName);
    m.event = der::read_event(der::require(f, 0x81, kName, "profileManagementOperation"), kName);
    m.address = der::read_text(der::require(f, 0x0C, kName, "notificationAddress"));
    if (const Tlv* iccid = der::find(f, 0x5A)) m.iccid = iccid->value;
    return m;
}

// --- ListNotification ----------------------------------------------------------------------------

bytes ListNotificationRequest::encode() const {
    if (!filter) return encode_tlv(kTagListNotification, bytes{});
    return encode_tlv(kTagListNotification, encode_tlv(0x81, der::encode_event(*filter)));
}

ListNotificationRequest ListNotificationRequest::decode(const bytes& der) {
    constexpr const char* kName = "ListNotificationRequest";
    const auto f = der::children_of(der::open_message(der, kTagListNotification, kName), kName, "content");
    ListNotificationRequest r;
    if (const Tlv* event = der::find(f, 0x81)) r.filter = der::read_event(*event, kName);
    return r;
}

bytes ListNotificationResponse::encode() const {
    if (error) return encode_tlv(kTagListNotification, encode_tlv(0x81, der::integer(*error)));
    bytes list;
    for (const auto& n : notifications) append(list, n.to_tlv().encode());
    return encode_tlv(kTagListNotification, encode_tlv(0xA0, list));
}

ListNotificationResponse ListNotificationResponse::decode(const bytes& der) {
    constexpr const char* kName = "ListNotificationResponse";
    const auto f = der::children_of(der::open_message(der, kTagListNotification, kName), kName, "content");
    ListNotificationResponse r;
    if (const Tlv* list = der::find(f, 0xA0)) {
        for (const Tlv& m : der::children_of(*list, kName, "notificationMetadataList")) {
            r.notifications.push_back(NotificationMetadata::from_tlv(m));
        }
    } else if (const Tlv* err = der::find(f, 0x81)) {
        r.error = static_cast<uint8_t>(der::read_integer(*err, 0xFF, kName, "listNotificationsResultError"));
    } else {
        throw FormatError(std::string(kName) + ": missing notificationMetadataList (A0) or listNotificationsResultError (81)");
    }
    return r;
}

// --- OtherSignedNotification (30) ----------------------------------------------------------------

Tlv SignedNotification::to_tlv() const {
    bytes v = metadata.to_tlv().encode();
    append(v, encode_tlv(kTagSignature, signature));
    append(v, euicc_certificate);
    append(v, eum_certificate);
    return Tlv{0x30, v};
}

SignedNotification SignedNotification::from_tlv(const Tlv& sequence) {
    constexpr const char* kName = "OtherSignedNotification";
    if (sequence.tag != 0x30) {
        throw FormatError(std::string(kName) + ": tag " + der::tag_name(sequence.tag) + ", expected 30");
    }
    // Walk the fields by offset so the certificates keep their exact bytes.
    struct Field {
        Tlv tlv;
        bytes raw;
    };
    std::vector<Field> fields;
    const bytes& v = sequence.value;
    try {
        for (std::size_t offset = 0; offset < v.size();) {
            const std::size_t start = offset;
            Tlv t = parse_tlv(v.data(), v.size(), &offset);
            fields.push_back(Field{std::move(t), bytes(v.begin() + static_cast<std::ptrdiff_t>(start),
                                                       v.begin() + static_cast<std::ptrdiff_t>(offset))});
        }
    } catch (const FormatError& e) {
        throw FormatError(std::string(kName) + ": content: " + e.what());
    }
    SignedNotification n;
    const Field* metadata = nullptr;
    const Field* signature = nullptr;
    std::vector<const Field*> certificates;
    for (const auto& field : fields) {
        if (field.tlv.tag == kTagNotificationMetadata && metadata == nullptr) metadata = &field;
        else if (field.tlv.tag == kTagSignature && signature == nullptr) signature = &field;
        else if (field.tlv.tag == 0x30) certificates.push_back(&field);
    }
    if (metadata == nullptr) throw FormatError(std::string(kName) + ": missing tbsOtherNotification (BF2F)");
    if (signature == nullptr) throw FormatError(std::string(kName) + ": missing euiccNotificationSignature (5F37)");
    if (certificates.size() < 1) throw FormatError(std::string(kName) + ": missing euiccCertificate (30)");
    if (certificates.size() < 2) throw FormatError(std::string(kName) + ": missing eumCertificate (30)");
    n.metadata = NotificationMetadata::from_tlv(metadata->tlv);
    n.signature = signature->tlv.value;
    n.euicc_certificate = certificates[0]->raw;
    n.eum_certificate = certificates[1]->raw;
    return n;
}

// --- RetrieveNotificationsList -------------------------------------------------------------------

bytes RetrieveNotificationsRequest::encode() const {
    if (seq_number && event) {
        throw ArgumentError("RetrieveNotificationsRequest: search by seq_number or by event, not both");
    }
    if (seq_number) return encode_tlv(kTagRetrieveNotificationsList, encode_tlv(0xA0, encode_tlv(0x80, der::integer(*seq_number))));
    if (event) return encode_tlv(kTagRetrieveNotificationsList, encode_tlv(0xA0, encode_tlv(0x81, der::encode_event(*event))));
    return encode_tlv(kTagRetrieveNotificationsList, bytes{});
}

RetrieveNotificationsRequest RetrieveNotificationsRequest::decode(const bytes& der) {
    constexpr const char* kName = "RetrieveNotificationsListRequest";
    const auto f = der::children_of(der::open_message(der, kTagRetrieveNotificationsList, kName), kName, "content");
    RetrieveNotificationsRequest r;
    if (const Tlv* a0 = der::find(f, 0xA0)) {
        const auto criteria = der::children_of(*a0, kName, "searchCriteria");
        if (criteria.size() != 1) {
            throw FormatError(std::string(kName) + ": searchCriteria holds " + std::to_string(criteria.size()) + " fields, expected 1");
        }
        if (criteria[0].tag == 0x80) {
            r.seq_number = read_seq_number(criteria[0], kName);
        } else if (criteria[0].tag == 0x81) {
            r.event = der::read_event(criteria[0], kName);
        } else {
            throw FormatError(std::string(kName) + ": searchCriteria has tag " + der::tag_name(criteria[0].tag) +
                              ", expected 80 (seqNumber) or 81 (profileManagementOperation)");
        }
    }
    return r;
}

bytes RetrieveNotificationsResponse::encode() const {
    if (error) return encode_tlv(kTagRetrieveNotificationsList, encode_tlv(0x81, der::integer(*error)));
    bytes list;
    for (const auto& n : notifications) append(list, n.to_tlv().encode());
    return encode_tlv(kTagRetrieveNotificationsList, encode_tlv(0xA0, list));
}

RetrieveNotificationsResponse RetrieveNotificationsResponse::decode(const bytes& der) {
    constexpr const char* kName = "RetrieveNotificationsListResponse";
    const auto f = der::children_of(der::open_message(der, kTagRetrieveNotificationsList, kName), kName, "content");
    RetrieveNotificationsResponse r;
    if (const Tlv* list = der::find(f, 0xA0)) {
        for (const Tlv& item : der::children_of(*list, kName, "notificationList")) {
            // PendingNotification is a CHOICE; a ProfileInstallationResult (BF37) has no value type here.
            if (item.tag == kTagProfileInstallationResult) continue;
            r.notifications.push_back(SignedNotification::from_tlv(item));
        }
    } else if (const Tlv* err = der::find(f, 0x81)) {
        r.error = static_cast<uint8_t>(der::read_integer(*err, 0xFF, kName, "notificationsListResultError"));
    } else {
        throw FormatError(std::string(kName) + ": missing notificationList (A0) or notificationsListResultError (81)");
    }
    return r;
}

// --- NotificationSent ----------------------------------------------------------------------------

bytes NotificationSentRequest::encode() const {
    return encode_tlv(kTagNotificationSent, encode_tlv(0x80, der::integer(seq_number)));
}

NotificationSentRequest NotificationSentRequest::decode(const bytes& der) {
    constexpr const char* kName = "NotificationSentRequest";
    const auto f = der::children_of(der::open_message(der, kTagNotificationSent, kName), kName, "content");
    return NotificationSentRequest{read_seq_number(der::require(f, 0x80, kName, "seqNumber"), kName)};
}

}  // namespace simkit::es10
